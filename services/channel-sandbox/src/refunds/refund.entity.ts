import { bigintNumberTransformer } from '@paylab/database';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { RefundOutcome } from './domain/refund';

/** Storage shape of a sandbox refund (the rules live in domain/refund.ts). */
@Entity({ name: 'refunds' })
export class RefundEntity {
  /** The channel's refund number (WeChat Pay refund_id; Alipay has none of its own to show). */
  @PrimaryColumn({ name: 'refund_no', type: 'text' }) refundNo!: string;
  @Column({ type: 'text' }) channel!: 'ALIPAY' | 'WECHAT_PAY' | 'UNIONPAY';
  @Column({ name: 'merchant_account', type: 'text' }) merchantAccount!: string;
  @Column({ name: 'trade_no', type: 'text' }) tradeNo!: string;
  /** The merchant's refund reference: Alipay out_request_no, WeChat Pay out_refund_no. */
  @Column({ name: 'out_refund_no', type: 'text' }) outRefundNo!: string;
  @Column({ name: 'amount_minor', type: 'bigint', transformer: bigintNumberTransformer })
  amountMinor!: number;
  @Column({ type: 'text', nullable: true }) reason!: string | null;
  @Column({ type: 'text' }) outcome!: RefundOutcome;
  @Column({ name: 'notify_url', type: 'text', nullable: true }) notifyUrl!: string | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  /** When the outcome becomes final; PROCESSING until then. */
  @Column({ name: 'completes_at', type: 'timestamptz' }) completesAt!: Date;
  /** Asia/Shanghai date of completes_at, 'YYYY-MM-DD': the statement the refund is on. */
  @Column({ name: 'business_date', type: 'date' }) businessDate!: string;
  @Column({ name: 'applied_fault_ids', type: 'jsonb' }) appliedFaultIds!: number[];
}
