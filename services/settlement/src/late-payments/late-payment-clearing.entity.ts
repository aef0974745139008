import { bigintNumberTransformer } from '@paylab/database';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A late payment held in suspense (迟到支付挂账): money that reached us for an order that could no
 * longer take it. One per channel transaction; never the merchant's money.
 */
@Entity({ name: 'late_payment_clearings' })
export class LatePaymentClearingEntity {
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ name: 'transaction_id', type: 'text' }) transactionId!: string;
  @Column({ name: 'payment_id', type: 'text' }) paymentId!: string;
  @Column({ name: 'merchant_id', type: 'text' }) merchantId!: string;
  /** The refund (ref_…) cashier opened to return it. */
  @Column({ name: 'refund_id', type: 'text' }) refundId!: string;
  @Column({ type: 'text' }) reason!: string;
  @Column({ type: 'text' }) channel!: string;
  @Column({ name: 'channel_account_id', type: 'text', nullable: true }) channelAccountId!:
    string | null;
  @Column({ name: 'channel_trade_no', type: 'text' }) channelTradeNo!: string;
  @Column({ type: 'char', length: 3 }) currency!: string;
  @Column({ name: 'gross_minor', type: 'bigint', transformer: bigintNumberTransformer })
  grossMinor!: number;
  @Column({ name: 'journal_entry_id', type: 'text' }) journalEntryId!: string;
  @Column({ name: 'source_message_id', type: 'text' }) sourceMessageId!: string;
  @Column({ name: 'paid_at', type: 'timestamptz' }) paidAt!: Date;
  @Column({ name: 'business_date', type: 'date' }) businessDate!: string;
  @Column({ name: 'cleared_at', type: 'timestamptz' }) clearedAt!: Date;
}
