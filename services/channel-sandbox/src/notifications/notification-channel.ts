import type { TradeEntity } from '../alipay/trade.entity';
import type { RefundEntity } from '../refunds/refund.entity';

/**
 * How one channel speaks its async notifications (异步通知). The worker that stores, claims,
 * sends and retries them is channel-neutral (notification-worker.service.ts); each channel
 * says only what goes on the wire, what counts as an acknowledgement, and its retry schedule.
 */
export interface NotificationChannel {
  readonly channel: TradeEntity['channel'];
  /**
   * The HTTP request of one attempt; built per attempt (timestamps, nonces, signatures). With a
   * refund it is that refund's notification (WeChat Pay REFUND.*), else the payment's.
   */
  request(
    trade: TradeEntity,
    notifyId: string,
    refund: RefundEntity | null,
  ): { headers: Record<string, string>; body: string };
  /** Whether the merchant's answer ends the deliveries. */
  isAcknowledged(status: number, body: string): boolean;
  /** The wait after `attemptsMade` unacknowledged attempts, or null to give up. */
  nextDelayMs(attemptsMade: number, timeScale: number): number | null;
}

/** Multi-provider token: every NotificationChannel the sandbox speaks. */
export const NOTIFICATION_CHANNELS = Symbol('NOTIFICATION_CHANNELS');
