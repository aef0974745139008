import { Body, Controller, Get, Headers, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import {
  ApiBody,
  ApiHeader,
  ApiOperation,
  ApiQuery,
  ApiResponse,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { AppError, parseRequest, PublicEndpoint } from '@paylab/platform';
import type { Response } from 'express';
import { z } from 'zod';
import { IdempotentRequests } from '../idempotency/idempotent-requests';
import { requestFingerprint, validateIdempotencyKey } from '../merchant-auth/domain/idempotency';
import {
  CurrentMerchant,
  MerchantAuthGuard,
  type MerchantContext,
} from '../merchant-auth/merchant-auth.guard';
import type { RefundView } from './refund.mapper';
import { Refunds, type RefundPage } from './refunds.service';

/**
 * Shape only. `amountMinor` is any number here so that 0.5 or 1e30 gets the refund's own code
 * (REFUND.INVALID_AMOUNT) from the domain rather than a generic validation error; the amount,
 * currency, reason and merchantRefundNo rules are the refund's and are checked by the domain.
 */
const createRefundBody = z
  .object({
    amount: z.object({ amountMinor: z.number(), currency: z.string() }).strict(),
    reason: z.string().optional(),
    merchantRefundNo: z.string().optional(),
  })
  .strict();

const listQuery = z
  .object({
    limit: z
      .string()
      .regex(/^(100|[1-9][0-9]?)$/, 'limit must be a whole number from 1 to 100')
      .optional(),
    startingAfter: z
      .string()
      .regex(/^ref_[0-9A-HJKMNP-TV-Z]{26}$/, 'startingAfter must be a ref_ id')
      .optional(),
  })
  .strict();

const ERROR_RESPONSE = {
  description:
    'Error in the documented shape `{ error: { type, code, message, param?, requestId } }`',
};

@ApiTags('refunds (退款)')
@ApiSecurity('merchant-hmac')
@ApiHeader({
  name: 'Authorization',
  required: true,
  description:
    'PAYLAB-HMAC-SHA256 app_id="…",timestamp="<unix s>",nonce="…",signature="<base64 HMAC-SHA256 of the canonical request>"',
})
@PublicEndpoint()
@Controller('v1')
@UseGuards(MerchantAuthGuard)
export class RefundsController {
  constructor(
    private readonly refunds: Refunds,
    private readonly idempotency: IdempotentRequests,
  ) {}

  @Post('payments/:paymentId/refunds')
  @ApiOperation({
    summary:
      'Refund part or all of a SUCCEEDED payment (PENDING until the channel confirms). Safe to retry with the same Idempotency-Key.',
    description:
      'Partial and repeated refunds are allowed; PENDING plus SUCCEEDED refunds never exceed the amount paid ' +
      '(422 REFUND.EXCEEDS_REFUNDABLE_AMOUNT says how much is left). A payment in another state: 409 ' +
      'REFUND.PAYMENT_NOT_REFUNDABLE. The outcome arrives as a refund.succeeded or refund.failed webhook.',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: true,
    description: 'Unique per refund request; replays the first response.',
  })
  @ApiBody({ schema: z.toJSONSchema(createRefundBody) as object })
  @ApiResponse({ status: 201, description: 'The refund (PENDING), or a replay of it' })
  @ApiResponse({ status: 400, ...ERROR_RESPONSE })
  @ApiResponse({ status: 401, ...ERROR_RESPONSE })
  @ApiResponse({ status: 404, ...ERROR_RESPONSE })
  @ApiResponse({ status: 409, ...ERROR_RESPONSE })
  @ApiResponse({ status: 422, ...ERROR_RESPONSE })
  async create(
    @CurrentMerchant() merchant: MerchantContext,
    @Param('paymentId') paymentId: string,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Body() body: unknown,
    @Res({ passthrough: true }) response: Response,
  ): Promise<RefundView> {
    if (idempotencyKey === undefined) {
      throw new AppError(
        'invalid_request_error',
        'IDEMPOTENCY.KEY_REQUIRED',
        'Send an Idempotency-Key header with every refund request, so that a retry cannot refund twice.',
        'Idempotency-Key',
      );
    }
    const key = validateIdempotencyKey(idempotencyKey);
    const request = parseRequest(createRefundBody, body);
    const outcome = await this.idempotency.run(
      merchant.appId,
      key,
      requestFingerprint('POST', `/v1/payments/${paymentId}/refunds`, request),
      async (manager) => ({
        status: 201,
        body: await this.refunds.request(manager, merchant, paymentId, request),
      }),
    );
    response.status(outcome.status);
    if (outcome.replayed) response.setHeader('Idempotent-Replayed', 'true');
    return outcome.body;
  }

  @Get('payments/:paymentId/refunds')
  @ApiOperation({
    summary:
      "A payment's refunds, oldest first: merchant refunds and the platform's returns of late payments (kind).",
  })
  @ApiQuery({ name: 'limit', required: false, description: '1-100, default 20' })
  @ApiQuery({
    name: 'startingAfter',
    required: false,
    description: 'nextCursor of the previous page',
  })
  @ApiResponse({ status: 200, description: '{ data: Refund[], hasMore, nextCursor }' })
  @ApiResponse({ status: 404, ...ERROR_RESPONSE })
  async list(
    @CurrentMerchant() merchant: MerchantContext,
    @Param('paymentId') paymentId: string,
    @Query() query: unknown,
  ): Promise<RefundPage> {
    const { limit, startingAfter } = parseRequest(listQuery, query);
    return this.refunds.listForPayment(merchant.merchantId, paymentId, {
      limit: limit === undefined ? 20 : Number(limit),
      startingAfter,
    });
  }

  @Get('refunds/:refundId')
  @ApiOperation({ summary: 'Get one of your refunds.' })
  @ApiResponse({ status: 404, ...ERROR_RESPONSE })
  async find(
    @CurrentMerchant() merchant: MerchantContext,
    @Param('refundId') refundId: string,
  ): Promise<RefundView> {
    return this.refunds.find(merchant.merchantId, refundId);
  }
}
