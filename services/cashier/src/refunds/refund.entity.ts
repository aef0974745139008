import { bigintNumberTransformer } from '@paylab/database';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Storage shape of a refund (退款单); the rules live in domain/refund.ts. */
@Entity({ name: 'refunds' })
export class RefundEntity {
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ name: 'payment_id', type: 'text' }) paymentId!: string;
  @Column({ name: 'merchant_id', type: 'text' }) merchantId!: string;
  @Column({ name: 'app_id', type: 'text' }) appId!: string;
  @Column({ name: 'transaction_id', type: 'text' }) transactionId!: string;
  @Column({ type: 'text' }) kind!: string;
  @Column({ name: 'amount_minor', type: 'bigint', transformer: bigintNumberTransformer })
  amountMinor!: number;
  @Column({ type: 'char', length: 3 }) currency!: string;
  @Column({ type: 'text' }) state!: string;
  @Column({ type: 'text', nullable: true }) reason!: string | null;
  @Column({ name: 'merchant_refund_no', type: 'text', nullable: true })
  merchantRefundNo!: string | null;
  @Column({ type: 'text' }) channel!: string;
  @Column({ name: 'channel_account_id', type: 'text', nullable: true })
  channelAccountId!: string | null;
  @Column({ name: 'channel_refund_no', type: 'text', nullable: true })
  channelRefundNo!: string | null;
  /** A plain YYYY-MM-DD string: a business date has no time zone to convert. */
  @Column({ name: 'business_date', type: 'date', nullable: true }) businessDate!: string | null;
  @Column({ name: 'failure_code', type: 'text', nullable: true }) failureCode!: string | null;
  @Column({ name: 'failure_message', type: 'text', nullable: true })
  failureMessage!: string | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
  @Column({ name: 'succeeded_at', type: 'timestamptz', nullable: true }) succeededAt!: Date | null;
  @Column({ name: 'failed_at', type: 'timestamptz', nullable: true }) failedAt!: Date | null;
  @Column({ type: 'int' }) version!: number;
}
