import { bigintNumberTransformer } from '@paylab/database';
import { Column, Entity, PrimaryColumn } from 'typeorm';

const money = (name: string) =>
  ({ name, type: 'bigint', transformer: bigintNumberTransformer }) as const;

/**
 * Storage shape of one refund clearing (退款清分): a merchant refund reversing part of a payment
 * clearing, or the return of a late payment out of suspense. One per refund id.
 */
@Entity({ name: 'refund_clearings' })
export class RefundClearingEntity {
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ name: 'refund_id', type: 'text' }) refundId!: string;
  @Column({ type: 'text' }) kind!: 'MERCHANT_REFUND' | 'LATE_PAYMENT_RETURN';
  @Column({ name: 'payment_clearing_id', type: 'text', nullable: true }) paymentClearingId!:
    string | null;
  @Column({ name: 'late_payment_clearing_id', type: 'text', nullable: true })
  latePaymentClearingId!: string | null;
  @Column({ name: 'transaction_id', type: 'text' }) transactionId!: string;
  @Column({ name: 'payment_id', type: 'text' }) paymentId!: string;
  @Column({ name: 'merchant_id', type: 'text' }) merchantId!: string;
  @Column({ type: 'text' }) channel!: string;
  @Column({ name: 'channel_refund_no', type: 'text' }) channelRefundNo!: string;
  @Column({ type: 'char', length: 3 }) currency!: string;
  @Column(money('refund_minor')) refundMinor!: number;
  @Column(money('pro_rata_fee_refund_minor')) proRataFeeRefundMinor!: number;
  @Column(money('merchant_fee_refund_minor')) merchantFeeRefundMinor!: number;
  @Column(money('channel_cost_refund_minor')) channelCostRefundMinor!: number;
  @Column(money('platform_margin_refund_minor')) platformMarginRefundMinor!: number;
  @Column(money('merchant_net_refund_minor')) merchantNetRefundMinor!: number;
  @Column({ name: 'fee_policy', type: 'text', nullable: true }) feePolicy!:
    'PRO_RATA' | 'KEEP' | null;
  @Column({ name: 'journal_entry_id', type: 'text' }) journalEntryId!: string;
  @Column({ name: 'source_message_id', type: 'text' }) sourceMessageId!: string;
  @Column({ name: 'succeeded_at', type: 'timestamptz' }) succeededAt!: Date;
  @Column({ name: 'business_date', type: 'date' }) businessDate!: string;
  @Column({ name: 'cleared_at', type: 'timestamptz' }) clearedAt!: Date;
}

/**
 * A refund that arrived before its payment's clearing (the two travel on different topics). It is
 * cleared in the transaction that clears the payment; failureReason is set if it then cannot be.
 */
@Entity({ name: 'parked_refunds' })
export class ParkedRefundEntity {
  @PrimaryColumn({ name: 'refund_id', type: 'text' }) refundId!: string;
  @Column({ name: 'transaction_id', type: 'text' }) transactionId!: string;
  @Column({ type: 'text' }) kind!: 'MERCHANT_REFUND' | 'LATE_PAYMENT_RETURN';
  @Column({ type: 'jsonb' }) payload!: unknown;
  @Column({ name: 'source_message_id', type: 'text' }) sourceMessageId!: string;
  @Column({ name: 'parked_at', type: 'timestamptz', default: () => 'now()' }) parkedAt!: Date;
  @Column({ name: 'failure_reason', type: 'text', nullable: true }) failureReason!: string | null;
}
