import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A merchant (商户) that sells through PayLab. Tenancy boundary: nothing crosses merchants. */
@Entity({ name: 'merchants' })
export class MerchantEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  status!: 'ACTIVE' | 'SUSPENDED';

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
