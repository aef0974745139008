import { bigintNumberTransformer } from '@paylab/database';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Reconciliation's own record of a refund a channel confirmed, projected from
 * ChannelRefundSucceeded: what the statement's refund lines are matched against.
 */
@Entity({ name: 'platform_refunds' })
export class PlatformRefundEntity {
  @PrimaryColumn({ name: 'refund_id', type: 'text' }) refundId!: string;
  @Column({ name: 'transaction_id', type: 'text' }) transactionId!: string;
  @Column({ name: 'payment_id', type: 'text' }) paymentId!: string;
  @Column({ name: 'merchant_id', type: 'text' }) merchantId!: string;
  @Column({ type: 'text' }) kind!: string;
  @Column({ type: 'text' }) channel!: string;
  @Column({ name: 'channel_account_id', type: 'text', nullable: true }) channelAccountId!:
    string | null;
  @Column({ name: 'channel_trade_no', type: 'text' }) channelTradeNo!: string;
  @Column({ name: 'channel_refund_no', type: 'text' }) channelRefundNo!: string;
  @Column({ name: 'amount_minor', type: 'bigint', transformer: bigintNumberTransformer })
  amountMinor!: number;
  @Column({ type: 'char', length: 3 }) currency!: string;
  @Column({ name: 'refunded_at', type: 'timestamptz' }) refundedAt!: Date;
  /** Asia/Shanghai business date, as `YYYY-MM-DD`. */
  @Column({ name: 'business_date', type: 'date' }) businessDate!: string;
  @Column({ name: 'source_message_id', type: 'text' }) sourceMessageId!: string;
  @Column({ name: 'recorded_at', type: 'timestamptz', default: () => 'now()' }) recordedAt!: Date;
}
