import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import {
  CurrentMerchant,
  MerchantAuthGuard,
  type MerchantContext,
} from '../merchant-auth/merchant-auth.guard';
import { PaymentOrders } from '../payments/payment-orders.service';
import { MerchantNotifications, type NotificationView } from './merchant-notifications.service';
import { PublicEndpoint } from '@paylab/platform';

@ApiTags('payments (支付单)')
@ApiSecurity('merchant-hmac')
@PublicEndpoint() // the merchant Open API: MerchantAuthGuard checks its signature
@Controller('v1/payments')
@UseGuards(MerchantAuthGuard)
export class NotificationsController {
  constructor(
    private readonly payments: PaymentOrders,
    private readonly notifications: MerchantNotifications,
  ) {}

  /**
   * Not paginated: an order has at most a handful of notifications (one per terminal change),
   * each with at most 9 attempts.
   */
  @Get(':paymentId/notifications')
  @ApiOperation({
    summary: 'The webhooks (异步通知) sent for one of your orders, with every delivery attempt.',
    description:
      'Webhooks are POSTed as JSON {id, type, createdAt, data}: type payment.succeeded, payment.closed or ' +
      'payment.late_payment_returned with data = the payment; refund.succeeded or refund.failed with data = the refund. ' +
      'with headers PayLab-Notification-Id and PayLab-Signature: t=<unix s>,v1=<hex HMAC-SHA256(app signing ' +
      'secret, "<t>.<raw body>")>. Reject a signature older than 5 minutes. Only a 2xx answer acknowledges; ' +
      'otherwise retried 15s, 1m, 5m, 15m, 1h, 2h, 6h and 12h after each failure, then given up (FAILED).',
  })
  @ApiResponse({ status: 200, description: '{ data: NotificationView[] }' })
  @ApiResponse({ status: 404, description: 'No such payment for this merchant' })
  async list(
    @CurrentMerchant() merchant: MerchantContext,
    @Param('paymentId') paymentId: string,
  ): Promise<{ data: NotificationView[] }> {
    // 404 for another merchant's payment, exactly as for a missing one.
    await this.payments.find(merchant.merchantId, paymentId);
    return { data: await this.notifications.listForPayment(merchant.merchantId, paymentId) };
  }
}
