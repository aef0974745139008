import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * "For this method, prefer this channel at this priority" (路由规则), for one merchant or for all
 * (merchant_id null). The id is a database identity: @paylab/ids has no prefix for rules yet.
 */
@Entity({ name: 'routing_rules' })
export class RoutingRuleEntity {
  /** bigint identity; pg returns it as a string, which is how the domain treats rule ids. */
  @PrimaryColumn({ type: 'bigint', insert: false, update: false }) id!: string;
  @Column({ name: 'merchant_id', type: 'text', nullable: true }) merchantId!: string | null;
  @Column({ type: 'text' }) method!: string;
  @Column({ name: 'preferred_channel', type: 'text' }) preferredChannel!: string;
  @Column({ type: 'int' }) priority!: number;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
