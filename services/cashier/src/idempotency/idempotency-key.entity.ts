import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One Idempotency-Key of one app: the request it guarded and, once done, the response. */
@Entity({ name: 'idempotency_keys' })
export class IdempotencyKeyEntity {
  @PrimaryColumn({ name: 'app_id', type: 'text' }) appId!: string;
  @PrimaryColumn({ name: 'idempotency_key', type: 'text' }) idempotencyKey!: string;
  @Column({ type: 'text' }) fingerprint!: string;
  @Column({ type: 'text' }) state!: 'IN_PROGRESS' | 'COMPLETED';
  @Column({ name: 'response_status', type: 'int', nullable: true }) responseStatus!: number | null;
  @Column({ name: 'response_body', type: 'jsonb', nullable: true }) responseBody!: unknown;
  @Column({ name: 'locked_until', type: 'timestamptz' }) lockedUntil!: Date;
  /** The current lease holder's random token while IN_PROGRESS; null once COMPLETED. */
  @Column({ name: 'owner_token', type: 'text', nullable: true }) ownerToken!: string | null;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt!: Date;
}
