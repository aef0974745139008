import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** A merchant fee rate (商户费率): merchantId null is the channel's default. */
@Entity({ name: 'merchant_fee_rates' })
export class MerchantFeeRateEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ name: 'merchant_id', type: 'text', nullable: true }) merchantId!: string | null;
  @Column({ type: 'text' }) channel!: string;
  @Column({ name: 'fee_rate_ppm', type: 'int' }) feeRatePpm!: number;
  @Column({ type: 'text', nullable: true }) note!: string | null;
}

/** What a channel charges us (渠道成本费率). */
@Entity({ name: 'channel_cost_rates' })
export class ChannelCostRateEntity {
  @PrimaryColumn({ type: 'text' }) channel!: string;
  @Column({ name: 'cost_rate_ppm', type: 'int' }) costRatePpm!: number;
  @Column({ type: 'text', nullable: true }) note!: string | null;
}
