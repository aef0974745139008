import { bigintNumberTransformer } from '@paylab/database';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Storage shape of a payment order (支付单); the rules live in domain/payment-order.ts. */
@Entity({ name: 'payment_orders' })
export class PaymentOrderEntity {
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ name: 'merchant_id', type: 'text' }) merchantId!: string;
  @Column({ name: 'app_id', type: 'text' }) appId!: string;
  @Column({ name: 'merchant_order_no', type: 'text' }) merchantOrderNo!: string;
  @Column({ name: 'amount_minor', type: 'bigint', transformer: bigintNumberTransformer })
  amountMinor!: number;
  @Column({ type: 'char', length: 3 }) currency!: string;
  @Column({ type: 'text' }) subject!: string;
  @Column({ type: 'text', nullable: true }) description!: string | null;
  @Column({ name: 'notify_url', type: 'text', nullable: true }) notifyUrl!: string | null;
  @Column({ name: 'return_url', type: 'text', nullable: true }) returnUrl!: string | null;
  @Column({ type: 'text' }) state!: string;
  @Column({ type: 'text', nullable: true }) channel!: string | null;
  @Column({ name: 'transaction_id', type: 'text', nullable: true }) transactionId!: string | null;
  @Column({ name: 'channel_account_id', type: 'text', nullable: true })
  channelAccountId!: string | null;
  @Column({ name: 'failure_code', type: 'text', nullable: true }) failureCode!: string | null;
  @Column({ name: 'close_reason', type: 'text', nullable: true }) closeReason!: string | null;
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt!: Date;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
  @Column({ name: 'succeeded_at', type: 'timestamptz', nullable: true }) succeededAt!: Date | null;
  @Column({ name: 'failed_at', type: 'timestamptz', nullable: true }) failedAt!: Date | null;
  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true }) closedAt!: Date | null;
  @Column({ type: 'int' }) version!: number;
}
