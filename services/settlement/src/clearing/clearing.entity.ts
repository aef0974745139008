import { bigintNumberTransformer } from '@paylab/database';
import { Column, Entity, PrimaryColumn } from 'typeorm';

const money = (name: string) =>
  ({ name, type: 'bigint', transformer: bigintNumberTransformer }) as const;

/** Storage shape of one payment clearing (清分记录); the arithmetic lives in domain/clearing.ts. */
@Entity({ name: 'clearings' })
export class ClearingEntity {
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ name: 'transaction_id', type: 'text' }) transactionId!: string;
  @Column({ name: 'payment_id', type: 'text' }) paymentId!: string;
  @Column({ name: 'merchant_id', type: 'text' }) merchantId!: string;
  @Column({ type: 'text' }) channel!: string;
  /** Routing's channel account (cha_…) the payment was taken on; null on older events. */
  @Column({ name: 'channel_account_id', type: 'text', nullable: true }) channelAccountId!:
    string | null;
  @Column({ name: 'channel_trade_no', type: 'text' }) channelTradeNo!: string;
  @Column({ type: 'char', length: 3 }) currency!: string;
  @Column(money('gross_minor')) grossMinor!: number;
  @Column(money('merchant_fee_minor')) merchantFeeMinor!: number;
  @Column(money('channel_cost_minor')) channelCostMinor!: number;
  @Column(money('platform_margin_minor')) platformMarginMinor!: number;
  @Column(money('merchant_net_minor')) merchantNetMinor!: number;
  @Column({ name: 'merchant_fee_rate_ppm', type: 'int' }) merchantFeeRatePpm!: number;
  @Column({ name: 'channel_cost_rate_ppm', type: 'int' }) channelCostRatePpm!: number;
  @Column({ name: 'fee_rate_source', type: 'text' }) feeRateSource!: 'MERCHANT' | 'CHANNEL_DEFAULT';
  @Column({ name: 'channel_cost_rate_source', type: 'text' }) channelCostRateSource!:
    'CHANNEL_ACCOUNT' | 'CHANNEL_DEFAULT';
  @Column({ name: 'merchant_fee_rounding', type: 'text' }) merchantFeeRounding!: string;
  @Column({ name: 'channel_cost_rounding', type: 'text' }) channelCostRounding!: string;
  @Column({ name: 'journal_entry_id', type: 'text' }) journalEntryId!: string;
  @Column({ name: 'source_message_id', type: 'text' }) sourceMessageId!: string;
  @Column({ name: 'paid_at', type: 'timestamptz' }) paidAt!: Date;
  /** YYYY-MM-DD in the channel's time zone (Asia/Shanghai), as the event carried it. */
  @Column({ name: 'business_date', type: 'date' }) businessDate!: string;
  @Column({ name: 'cleared_at', type: 'timestamptz' }) clearedAt!: Date;
}
