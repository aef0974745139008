import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { OperatorRoles, parseRequest } from '@paylab/platform';
import type { Response } from 'express';
import { z } from 'zod';
import { ChannelAdapters } from '../channels/channel-adapters';
import { isCalendarDate } from '../channels/domain/shanghai-time';
import { DomainError } from '../shared/domain-error';
import {
  type ChargeView,
  ChannelTransactions,
  type TransactionView,
} from './channel-transactions.service';

const ID_BODY = '[0-9A-HJKMNP-TV-Z]{26}';

/**
 * Shape only: types, id formats and unknown fields. The business rules (currency, amount,
 * deadline) are the domain's, with their own codes.
 */
const chargeBody = z
  .object({
    paymentId: z.string().regex(new RegExp(`^pay_${ID_BODY}$`), 'must be a pay_ id'),
    merchantId: z.string().regex(new RegExp(`^mch_${ID_BODY}$`), 'must be a mch_ id'),
    channel: z.enum(['ALIPAY', 'WECHAT_PAY', 'UNIONPAY']),
    amount: z.object({ amountMinor: z.number().int(), currency: z.string() }).strict(),
    subject: z.string().min(1).max(256),
    expiresAt: z.iso.datetime({ offset: true }),
  })
  .strict();

const ERROR_RESPONSE = {
  description:
    'Error in the documented shape `{ error: { type, code, message, param?, requestId } }`',
};

/** The internal API other PayLab services call (cashier charges; reconciliation downloads). */
@ApiTags('channel transactions (渠道交易)')
@Controller('v1')
export class TransactionsController {
  constructor(
    private readonly transactions: ChannelTransactions,
    private readonly adapters: ChannelAdapters,
  ) {}

  @OperatorRoles('operator', 'service')
  @Post('charges')
  @ApiOperation({
    summary:
      'Charge a payment at a channel (QR precreate). Repeating it for the same payment returns the same transaction.',
  })
  @ApiBody({ schema: z.toJSONSchema(chargeBody) as object })
  @ApiResponse({ status: 201, description: '{ transactionId, channel, qrPayload }' })
  @ApiResponse({ status: 400, ...ERROR_RESPONSE })
  @ApiResponse({ status: 409, description: 'The payment was charged with a different amount' })
  @ApiResponse({ status: 422, description: 'The channel refused the order' })
  @ApiResponse({ status: 503, description: 'The channel did not answer usably; retry' })
  async charge(@Body() body: unknown): Promise<ChargeView> {
    const request = parseRequest(chargeBody, body);
    return this.transactions.charge({ ...request, expiresAt: new Date(request.expiresAt) });
  }

  @Get('transactions/:id')
  @ApiOperation({ summary: 'One channel transaction.' })
  @ApiResponse({ status: 404, ...ERROR_RESPONSE })
  async find(@Param('id') id: string): Promise<TransactionView> {
    return this.transactions.find(id);
  }

  @OperatorRoles('operator')
  @Post('transactions/:id/query')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Active query (主动查询) now: ask the channel and settle or close the transaction as its answer says.',
  })
  @ApiResponse({ status: 404, ...ERROR_RESPONSE })
  @ApiResponse({ status: 503, description: 'The channel did not answer usably; retry' })
  async query(@Param('id') id: string): Promise<TransactionView> {
    return this.transactions.queryAndApply(id);
  }

  @OperatorRoles('operator', 'instructor', 'viewer', 'service') // reconciliation downloads
  @Get('statements/:channel/:businessDate')
  @ApiOperation({
    summary:
      "The channel's statement (对账单) of a business date (Asia/Shanghai), as the channel's raw file.",
    description:
      'For reconciliation. Header X-Statement-Format names the format: ALIPAY_CSV (the GBK 业务明细 CSV) or WECHAT_BILL (the UTF-8 交易账单 with BOM and backtick-prefixed fields, its SHA1 checked).',
  })
  @ApiQuery({
    name: 'channelAccountId',
    required: false,
    description:
      "Routing's channel account (cha_…) whose statement to download; default: the channel's default account.",
  })
  @ApiProduces('text/csv')
  @ApiResponse({ status: 200, description: 'The raw statement bytes' })
  @ApiResponse({ status: 404, ...ERROR_RESPONSE })
  async statement(
    @Param('channel') channel: string,
    @Param('businessDate') businessDate: string,
    @Query('channelAccountId') channelAccountId: string | undefined,
    @Res() response: Response,
  ): Promise<void> {
    if (!isCalendarDate(businessDate)) {
      throw new DomainError(
        'STATEMENT.INVALID_DATE',
        'businessDate must be a calendar date YYYY-MM-DD.',
        'businessDate',
      );
    }
    // No account named: the channel's default account (CHANNEL.UNSUPPORTED for an unknown channel).
    const account = await this.adapters.account(
      channel,
      typeof channelAccountId === 'string' && channelAccountId !== '' ? channelAccountId : null,
    );
    const statement = await account.adapter.downloadStatement(businessDate);
    response
      .status(200)
      .type(statement.contentType)
      .setHeader('x-statement-format', statement.format)
      // Which account's bill this is, so that the caller expects only that account's records.
      .setHeader('x-channel-account-id', account.accountId)
      .setHeader('content-disposition', `attachment; filename="${statement.fileName}"`)
      .send(statement.content);
  }
}
