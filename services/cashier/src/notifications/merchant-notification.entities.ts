import { Column, Entity, PrimaryColumn } from 'typeorm';

export type NotificationStatus = 'PENDING' | 'DELIVERED' | 'FAILED';
/**
 * payment.late_payment_returned: a payment that arrived after the order was closed (or paid
 * twice) went back to the payer; the body is the payment view with its `latePayments`.
 */
export type NotificationEventType =
  | 'payment.succeeded'
  | 'payment.closed'
  | 'refund.succeeded'
  | 'refund.failed'
  | 'payment.late_payment_returned'
  /** A settlement batch's payout reached the merchant's bank account (代付成功). */
  | 'settlement.paid'
  /** A settlement batch's payout failed; the money is back in the available balance. */
  | 'settlement.failed';
/** REFUSED: the address check refused the destination, so nothing was sent (never retried). */
export type AttemptOutcome = 'DELIVERED' | 'RETRY_SCHEDULED' | 'GAVE_UP' | 'REFUSED';

/** A merchant webhook (异步通知) to deliver, and how far delivery has got. */
@Entity({ name: 'merchant_notifications' })
export class MerchantNotificationEntity {
  @PrimaryColumn({ type: 'text' }) id!: string;
  /** The payment a payment.* or refund.* webhook is about; null for settlement.* webhooks. */
  @Column({ name: 'payment_id', type: 'text', nullable: true }) paymentId!: string | null;
  /** The settlement batch a settlement.* webhook is about; null otherwise. */
  @Column({ name: 'settlement_id', type: 'text', nullable: true }) settlementId!: string | null;
  @Column({ name: 'merchant_id', type: 'text' }) merchantId!: string;
  @Column({ name: 'app_id', type: 'text' }) appId!: string;
  @Column({ name: 'event_type', type: 'text' }) eventType!: NotificationEventType;
  @Column({ type: 'text' }) url!: string;
  /** The exact JSON bytes sent on every attempt. */
  @Column({ type: 'text' }) body!: string;
  @Column({ type: 'text' }) status!: NotificationStatus;
  @Column({ name: 'attempt_count', type: 'int' }) attemptCount!: number;
  /** When the next attempt is due; also the claim's lease while one is in flight. */
  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true })
  nextAttemptAt!: Date | null;
  @Column({ name: 'last_response_status', type: 'int', nullable: true })
  lastResponseStatus!: number | null;
  @Column({ name: 'last_error', type: 'text', nullable: true }) lastError!: string | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true }) deliveredAt!: Date | null;
}

/** One delivery attempt of a notification, kept for the merchant and for support. */
@Entity({ name: 'merchant_notification_attempts' })
export class MerchantNotificationAttemptEntity {
  @PrimaryColumn({ name: 'notification_id', type: 'text' }) notificationId!: string;
  @PrimaryColumn({ name: 'attempt_no', type: 'int' }) attemptNo!: number;
  @Column({ name: 'attempted_at', type: 'timestamptz' }) attemptedAt!: Date;
  @Column({ name: 'duration_ms', type: 'int' }) durationMs!: number;
  @Column({ name: 'response_status', type: 'int', nullable: true })
  responseStatus!: number | null;
  @Column({ type: 'text', nullable: true }) error!: string | null;
  @Column({ type: 'text' }) outcome!: AttemptOutcome;
  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true })
  nextAttemptAt!: Date | null;
}
