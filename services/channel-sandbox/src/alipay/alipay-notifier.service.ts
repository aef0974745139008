import { Injectable } from '@nestjs/common';
import { Money } from '@paylab/money';
import type { NotificationChannel } from '../notifications/notification-channel';
import { ALIPAY_PLATFORM_PRIVATE_KEY } from './alipay-apps';
import { isNotifyAcknowledged, nextNotifyDelayMs } from './domain/notify-schedule';
import { signNotification } from './domain/openapi-signature';
import { formatShanghaiDateTime } from './domain/shanghai-time';
import type { RefundEntity } from '../refunds/refund.entity';
import type { TradeEntity } from './trade.entity';

/**
 * Alipay's async notification (异步通知): a signed form, acknowledged by the body `success`,
 * re-sent on Alipay's schedule. The shared NotificationWorker stores, sends and retries it.
 */
@Injectable()
export class AlipayNotificationChannel implements NotificationChannel {
  readonly channel = 'ALIPAY' as const;

  request(
    trade: TradeEntity,
    notifyId: string,
    refund: RefundEntity | null,
  ): { headers: Record<string, string>; body: string } {
    // Alipay answers refunds synchronously; the sandbox queues no Alipay refund notifications.
    if (refund) throw new Error('the sandbox sends no Alipay refund notifications');
    const fields = signNotification(this.fieldsOf(trade, notifyId), ALIPAY_PLATFORM_PRIVATE_KEY);
    return {
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: new URLSearchParams(fields).toString(),
    };
  }

  isAcknowledged(status: number, body: string): boolean {
    return isNotifyAcknowledged(status, body);
  }

  nextDelayMs(attemptsMade: number, timeScale: number): number | null {
    return nextNotifyDelayMs(attemptsMade, timeScale);
  }

  /**
   * The notification fields, sent as a form; notify_time is this attempt's time. Empty fields
   * are left out: the official rule drops them from the signed string but alipay-sdk's
   * checkNotifySignV2 keeps them, so sending none keeps both verifiers agreeing.
   */
  private fieldsOf(trade: TradeEntity, notifyId: string): Record<string, string> {
    const amount = Money.of(trade.amountMinor, 'CNY').toDecimalString();
    const fields: Record<string, string> = {
      notify_id: notifyId,
      notify_time: formatShanghaiDateTime(new Date()),
      notify_type: 'trade_status_sync',
      app_id: trade.merchantAccount,
      charset: 'utf-8',
      version: '1.0',
      trade_no: trade.tradeNo,
      out_trade_no: trade.outTradeNo,
      trade_status: trade.status,
      total_amount: amount,
      receipt_amount: amount,
      buyer_pay_amount: amount,
      subject: trade.subject ?? '',
      buyer_id: trade.buyerUserId ?? '',
      gmt_create: formatShanghaiDateTime(trade.createdAt),
      gmt_payment: trade.paidAt ? formatShanghaiDateTime(trade.paidAt) : '',
    };
    return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== ''));
  }
}
