import { bigintNumberTransformer } from '@paylab/database';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A merchant's account at a channel (渠道商户号), with its limits and merchant fee rate. */
@Entity({ name: 'channel_accounts' })
export class ChannelAccountEntity {
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ name: 'merchant_id', type: 'text' }) merchantId!: string;
  @Column({ type: 'text' }) channel!: string;
  /** The channel's own id for the merchant: Alipay PID / app id, WeChat Pay mchid, UnionPay merId. */
  @Column({ name: 'channel_merchant_no', type: 'text' }) channelMerchantNo!: string;
  @Column({ type: 'boolean' }) enabled!: boolean;
  @Column({ type: 'char', length: 3 }) currency!: string;
  @Column({ name: 'min_amount_minor', type: 'bigint', transformer: bigintNumberTransformer })
  minAmountMinor!: number;
  @Column({ name: 'max_amount_minor', type: 'bigint', transformer: bigintNumberTransformer })
  maxAmountMinor!: number;
  @Column({ name: 'merchant_fee_ppm', type: 'int' }) merchantFeePpm!: number;
  @Column({ type: 'int' }) priority!: number;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
