import { bigintNumberTransformer } from '@paylab/database';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Storage shape of a channel refund; the rules live in domain/channel-refund.ts. */
@Entity({ name: 'channel_refunds' })
export class ChannelRefundEntity {
  /** Cashier's ref_ id, also our out_request_no / out_refund_no at the channel. */
  @PrimaryColumn({ name: 'refund_id', type: 'text' }) refundId!: string;
  @Column({ name: 'transaction_id', type: 'text' }) transactionId!: string;
  @Column({ name: 'payment_id', type: 'text' }) paymentId!: string;
  @Column({ name: 'merchant_id', type: 'text' }) merchantId!: string;
  @Column({ type: 'text' }) channel!: string;
  @Column({ name: 'channel_account_id', type: 'text', nullable: true }) channelAccountId!:
    string | null;
  @Column({ type: 'text' }) kind!: string;
  @Column({ name: 'amount_minor', type: 'bigint', transformer: bigintNumberTransformer })
  amountMinor!: number;
  @Column({ type: 'char', length: 3 }) currency!: string;
  @Column({ type: 'text', nullable: true }) reason!: string | null;
  @Column({ type: 'text' }) status!: string;
  @Column({ type: 'text' }) stage!: string;
  @Column({ type: 'int' }) attempts!: number;
  @Column({ name: 'next_attempt_at', type: 'timestamptz' }) nextAttemptAt!: Date;
  @Column({ name: 'last_error', type: 'text', nullable: true }) lastError!: string | null;
  @Column({ name: 'channel_refund_no', type: 'text', nullable: true }) channelRefundNo!:
    string | null;
  @Column({ name: 'channel_trade_no', type: 'text', nullable: true }) channelTradeNo!:
    string | null;
  @Column({ name: 'confirmed_by', type: 'text', nullable: true }) confirmedBy!: string | null;
  @Column({ name: 'failure_code', type: 'text', nullable: true }) failureCode!: string | null;
  @Column({ name: 'failure_message', type: 'text', nullable: true }) failureMessage!: string | null;
  @Column({ name: 'refunded_at', type: 'timestamptz', nullable: true }) refundedAt!: Date | null;
  /** 'YYYY-MM-DD' in Asia/Shanghai (pg returns date columns as text). */
  @Column({ name: 'business_date', type: 'date', nullable: true }) businessDate!: string | null;
  @Column({ name: 'requested_at', type: 'timestamptz' }) requestedAt!: Date;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
