import { bigintNumberTransformer } from '@paylab/database';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Reconciliation's own record of a channel transaction, projected from ChannelPaymentSucceeded.
 * A service never reads another's schema, so this is what statements are matched against.
 */
@Entity({ name: 'platform_transactions' })
export class PlatformTransactionEntity {
  @PrimaryColumn({ name: 'transaction_id', type: 'text' }) transactionId!: string;
  @Column({ name: 'payment_id', type: 'text' }) paymentId!: string;
  @Column({ name: 'merchant_id', type: 'text' }) merchantId!: string;
  @Column({ type: 'text' }) channel!: string;
  /** Routing's channel account (cha_…) the payment was taken on; null on older events. */
  @Column({ name: 'channel_account_id', type: 'text', nullable: true }) channelAccountId!:
    string | null;
  @Column({ name: 'channel_trade_no', type: 'text' }) channelTradeNo!: string;
  @Column({ name: 'amount_minor', type: 'bigint', transformer: bigintNumberTransformer })
  amountMinor!: number;
  @Column({ type: 'char', length: 3 }) currency!: string;
  @Column({ type: 'text' }) status!: string;
  @Column({ name: 'paid_at', type: 'timestamptz' }) paidAt!: Date;
  /** Asia/Shanghai business date, as `YYYY-MM-DD` (pg returns `date` as text). */
  @Column({ name: 'business_date', type: 'date' }) businessDate!: string;
  @Column({ name: 'confirmed_by', type: 'text' }) confirmedBy!: string;
  @Column({ name: 'source_message_id', type: 'text' }) sourceMessageId!: string;
  @Column({ name: 'recorded_at', type: 'timestamptz', default: () => 'now()' }) recordedAt!: Date;
}
