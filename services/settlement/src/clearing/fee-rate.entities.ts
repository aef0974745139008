import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A merchant fee rate (商户费率): merchantId null is the channel's default. */
@Entity({ name: 'merchant_fee_rates' })
export class MerchantFeeRateEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ name: 'merchant_id', type: 'text', nullable: true }) merchantId!: string | null;
  @Column({ type: 'text' }) channel!: string;
  @Column({ name: 'fee_rate_ppm', type: 'int' }) feeRatePpm!: number;
  @Column({ type: 'text', nullable: true }) note!: string | null;
}

/**
 * What a channel charges us (渠道成本费率): channelAccountId null is the channel's default; a row
 * for one channel account (a negotiated rate on that contract) overrides it.
 */
@Entity({ name: 'channel_cost_rates' })
export class ChannelCostRateEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ type: 'text' }) channel!: string;
  @Column({ name: 'channel_account_id', type: 'text', nullable: true }) channelAccountId!:
    string | null;
  @Column({ name: 'cost_rate_ppm', type: 'int' }) costRatePpm!: number;
  @Column({ type: 'text', nullable: true }) note!: string | null;
}

/** Whether a merchant gets its fee back on refunds (退款手续费政策); merchantId null is the channel default. */
@Entity({ name: 'refund_fee_policies' })
export class RefundFeePolicyEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ name: 'merchant_id', type: 'text', nullable: true }) merchantId!: string | null;
  @Column({ type: 'text' }) channel!: string;
  @Column({ type: 'text' }) policy!: 'PRO_RATA' | 'KEEP';
  @Column({ type: 'text', nullable: true }) note!: string | null;
}
