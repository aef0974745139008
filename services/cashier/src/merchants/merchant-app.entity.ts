import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * An application (应用) of a merchant: the app id and the shared secret it signs Open API
 * requests with (HMAC-SHA256). A merchant may run several apps (web shop, mini program).
 *
 * The secret is stored as is because HMAC verification needs it; a production system keeps it
 * encrypted under a KMS key and rotates it. That is out of scope for the teaching system.
 */
@Entity({ name: 'merchant_apps' })
export class MerchantAppEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'merchant_id', type: 'text' })
  merchantId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ name: 'signing_secret', type: 'text' })
  signingSecret!: string;

  /** Where merchant webhooks go unless an order names its own notify URL. */
  @Column({ name: 'webhook_url', type: 'text', nullable: true })
  webhookUrl!: string | null;

  @Column({ type: 'text' })
  status!: 'ACTIVE' | 'DISABLED';

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
