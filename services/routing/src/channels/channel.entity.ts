import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A payment channel (支付渠道) and what it can carry; reference data, seeded by migration. */
@Entity({ name: 'channels' })
export class ChannelEntity {
  @PrimaryColumn({ type: 'text' }) code!: string;
  @Column({ type: 'text' }) name!: string;
  @Column({ type: 'boolean' }) enabled!: boolean;
  @Column({ name: 'supported_methods', type: 'text', array: true }) supportedMethods!: string[];
  @Column({ name: 'supported_currencies', type: 'text', array: true })
  supportedCurrencies!: string[];
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
