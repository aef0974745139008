import { bigintNumberTransformer } from '@paylab/database';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { StatementPlan } from './domain/faults';
import type { TradeStatus } from './domain/trade';

/** Storage shape of a sandbox trade (the rules live in domain/trade.ts). */
@Entity({ name: 'trades' })
export class TradeEntity {
  @PrimaryColumn({ name: 'trade_no', type: 'text' }) tradeNo!: string;
  @Column({ type: 'text' }) channel!: 'ALIPAY' | 'WECHAT_PAY' | 'UNIONPAY';
  /** For Alipay, the merchant app's APPID; for WeChat Pay, the merchant id (mchid). */
  @Column({ name: 'merchant_account', type: 'text' }) merchantAccount!: string;
  @Column({ name: 'out_trade_no', type: 'text' }) outTradeNo!: string;
  @Column({ name: 'amount_minor', type: 'bigint', transformer: bigintNumberTransformer })
  amountMinor!: number;
  @Column({ type: 'char', length: 3 }) currency!: string;
  @Column({ type: 'text' }) status!: TradeStatus;
  @Column({ type: 'text', nullable: true }) subject!: string | null;
  @Column({ name: 'notify_url', type: 'text', nullable: true }) notifyUrl!: string | null;
  @Column({ name: 'qr_token', type: 'text', nullable: true }) qrToken!: string | null;
  @Column({ name: 'buyer_user_id', type: 'text', nullable: true }) buyerUserId!: string | null;
  @Column({ name: 'buyer_logon_id', type: 'text', nullable: true }) buyerLogonId!: string | null;
  /** WeChat Pay: the APPID the order was placed under, and the merchant's attach (附加数据). */
  @Column({ name: 'app_id', type: 'text', nullable: true }) appId!: string | null;
  @Column({ type: 'text', nullable: true }) attach!: string | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'paid_at', type: 'timestamptz', nullable: true }) paidAt!: Date | null;
  /** time_expire: past it an unpaid trade is closed (trades/domain/trade-expiry.ts). */
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true }) expiresAt!: Date | null;
  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true }) closedAt!: Date | null;
  /** Asia/Shanghai date of payment, 'YYYY-MM-DD' (pg returns date columns as text). */
  @Column({ name: 'business_date', type: 'date', nullable: true }) businessDate!: string | null;
  /** What has been refunded so far (refunds accepted, not ABNORMAL), in fen. */
  @Column({ name: 'refunded_minor', type: 'bigint', transformer: bigintNumberTransformer })
  refundedMinor!: number;
  @Column({ name: 'statement_faults', type: 'jsonb' }) statementFaults!: StatementPlan;
  @Column({ name: 'applied_fault_ids', type: 'jsonb' }) appliedFaultIds!: number[];
}
