import { bigintNumberTransformer } from '@paylab/database';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Storage shape of a channel transaction; the rules live in domain/channel-transaction.ts. */
@Entity({ name: 'channel_transactions' })
export class ChannelTransactionEntity {
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ name: 'payment_id', type: 'text' }) paymentId!: string;
  @Column({ name: 'merchant_id', type: 'text' }) merchantId!: string;
  @Column({ type: 'text' }) channel!: string;
  /** Routing's channel account (cha_…) the charge was signed with; null: the channel's default. */
  @Column({ name: 'channel_account_id', type: 'text', nullable: true }) channelAccountId!:
    string | null;
  @Column({ name: 'out_trade_no', type: 'text' }) outTradeNo!: string;
  @Column({ name: 'channel_trade_no', type: 'text', nullable: true }) channelTradeNo!:
    string | null;
  @Column({ name: 'amount_minor', type: 'bigint', transformer: bigintNumberTransformer })
  amountMinor!: number;
  @Column({ type: 'char', length: 3 }) currency!: string;
  @Column({ type: 'text' }) subject!: string;
  @Column({ name: 'qr_payload', type: 'text' }) qrPayload!: string;
  @Column({ type: 'text' }) status!: string;
  @Column({ name: 'confirmed_by', type: 'text', nullable: true }) confirmedBy!: string | null;
  @Column({ name: 'paid_at', type: 'timestamptz', nullable: true }) paidAt!: Date | null;
  /** 'YYYY-MM-DD' in Asia/Shanghai (pg returns date columns as text). */
  @Column({ name: 'business_date', type: 'date', nullable: true }) businessDate!: string | null;
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt!: Date;
  @Column({ name: 'next_query_at', type: 'timestamptz' }) nextQueryAt!: Date;
  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true }) closedAt!: Date | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
