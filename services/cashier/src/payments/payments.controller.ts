import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  Res,
  UseGuards,
} from '@nestjs/common';
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
import type { PaymentView } from './payment-order.mapper';
import { PaymentOrders } from './payment-orders.service';
import { WebhookTargets } from '../notifications/webhook-targets';

/**
 * Shape only: types and unknown fields. The business rules (amount range, currency, lengths,
 * URLs) are the payment order's own and are checked by the domain, with their own codes.
 */
const createPaymentBody = z
  .object({
    merchantOrderNo: z.string(),
    amount: z.object({ amountMinor: z.number().int(), currency: z.string() }).strict(),
    subject: z.string(),
    description: z.string().optional(),
    notifyUrl: z.string().optional(),
    returnUrl: z.string().optional(),
    expiresInSeconds: z.number().int().optional(),
  })
  .strict();

const lookupQuery = z.object({ merchantOrderNo: z.string().min(1).max(64) }).strict();

const ERROR_RESPONSE = {
  description:
    'Error in the documented shape `{ error: { type, code, message, param?, requestId } }`',
};

@ApiTags('payments (支付单)')
@ApiSecurity('merchant-hmac')
@ApiHeader({
  name: 'Authorization',
  required: true,
  description:
    'PAYLAB-HMAC-SHA256 app_id="…",timestamp="<unix s>",nonce="…",signature="<base64 HMAC-SHA256 of the canonical request>"',
})
@PublicEndpoint() // the merchant Open API: MerchantAuthGuard checks its signature
@Controller('v1/payments')
@UseGuards(MerchantAuthGuard)
export class PaymentsController {
  constructor(
    private readonly payments: PaymentOrders,
    private readonly idempotency: IdempotentRequests,
    private readonly webhookTargets: WebhookTargets,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Create a payment order (CREATED). Safe to retry with the same Idempotency-Key.',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: true,
    description: 'Unique per create request; replays the first response.',
  })
  @ApiBody({ schema: z.toJSONSchema(createPaymentBody) as object })
  @ApiResponse({
    status: 201,
    description: 'Created, or replayed (header Idempotent-Replayed: true)',
  })
  @ApiResponse({ status: 400, ...ERROR_RESPONSE })
  @ApiResponse({ status: 401, ...ERROR_RESPONSE })
  @ApiResponse({ status: 409, ...ERROR_RESPONSE })
  @ApiResponse({ status: 422, ...ERROR_RESPONSE })
  async create(
    @CurrentMerchant() merchant: MerchantContext,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Body() body: unknown,
    @Res({ passthrough: true }) response: Response,
  ): Promise<PaymentView> {
    if (idempotencyKey === undefined) {
      throw new AppError(
        'invalid_request_error',
        'IDEMPOTENCY.KEY_REQUIRED',
        'Send an Idempotency-Key header with every create request, so that a retry cannot create a second order.',
        'Idempotency-Key',
      );
    }
    const key = validateIdempotencyKey(idempotencyKey);
    const request = parseRequest(createPaymentBody, body);
    // Before the idempotency lease and any transaction: this may wait for DNS.
    await this.webhookTargets.assertAllowed(request.notifyUrl, 'notifyUrl');
    const outcome = await this.idempotency.run(
      merchant.appId,
      key,
      requestFingerprint('POST', '/v1/payments', request),
      async (manager) => ({
        status: 201,
        body: await this.payments.create(manager, merchant, request),
      }),
    );
    response.status(outcome.status);
    if (outcome.replayed) response.setHeader('Idempotent-Replayed', 'true');
    return outcome.body;
  }

  @Get()
  @ApiOperation({ summary: "Find an order by the merchant's own order number (商户订单号)." })
  @ApiQuery({ name: 'merchantOrderNo', required: true })
  @ApiResponse({ status: 404, ...ERROR_RESPONSE })
  async findByMerchantOrderNo(
    @CurrentMerchant() merchant: MerchantContext,
    @Query() query: unknown,
  ): Promise<PaymentView> {
    const { merchantOrderNo } = parseRequest(lookupQuery, query);
    return this.payments.findByMerchantOrderNo(merchant.merchantId, merchantOrderNo);
  }

  @Get(':paymentId')
  @ApiOperation({ summary: 'Get one of your payment orders.' })
  @ApiResponse({ status: 404, ...ERROR_RESPONSE })
  async find(
    @CurrentMerchant() merchant: MerchantContext,
    @Param('paymentId') paymentId: string,
  ): Promise<PaymentView> {
    return this.payments.find(merchant.merchantId, paymentId);
  }

  @Post(':paymentId/close')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Close an unpaid order (CLOSED). Closing a closed order returns it unchanged.',
  })
  @ApiResponse({ status: 404, ...ERROR_RESPONSE })
  @ApiResponse({ status: 409, description: 'The order is already paid or failed' })
  async close(
    @CurrentMerchant() merchant: MerchantContext,
    @Param('paymentId') paymentId: string,
  ): Promise<PaymentView> {
    return this.payments.close(merchant.merchantId, paymentId);
  }
}
