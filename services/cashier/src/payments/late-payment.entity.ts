import { bigintNumberTransformer } from '@paylab/database';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A channel payment for an order that could not take it (closed, failed, or already paid by
 * another transaction). The payer's money is real, so it is kept here for a refund (REFUND_PENDING)
 * instead of being turned into a success the merchant does not expect. A LATE_PAYMENT_RETURN refund
 * (refund_id) is requested in the same transaction; when it succeeds the row becomes REFUNDED.
 */
@Entity({ name: 'late_payments' })
export class LatePaymentEntity {
  @PrimaryColumn({ name: 'transaction_id', type: 'text' }) transactionId!: string;
  @Column({ name: 'payment_id', type: 'text' }) paymentId!: string;
  @Column({ name: 'merchant_id', type: 'text' }) merchantId!: string;
  @Column({ type: 'text' }) channel!: string;
  @Column({ name: 'channel_trade_no', type: 'text' }) channelTradeNo!: string;
  @Column({ name: 'amount_minor', type: 'bigint', transformer: bigintNumberTransformer })
  amountMinor!: number;
  @Column({ type: 'char', length: 3 }) currency!: string;
  @Column({ name: 'paid_at', type: 'timestamptz' }) paidAt!: Date;
  @Column({ type: 'text' }) reason!: 'ORDER_CLOSED' | 'ORDER_FAILED' | 'PAID_TWICE';
  @Column({ name: 'order_state', type: 'text' }) orderState!: string;
  @Column({ name: 'message_id', type: 'text' }) messageId!: string;
  @Column({ type: 'text' }) status!: 'REFUND_PENDING' | 'REFUNDED';
  @Column({ name: 'recorded_at', type: 'timestamptz' }) recordedAt!: Date;
  /** The LATE_PAYMENT_RETURN refund that gives the money back; null only for rows from before refunds. */
  @Column({ name: 'refund_id', type: 'text', nullable: true }) refundId!: string | null;
}
