import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { FaultChannel, FaultKind } from '../alipay/domain/faults';

/** An instructor's staged fault, applied to the next `remaining` payments of its channel. */
@Entity({ name: 'faults' })
export class FaultEntity {
  /** bigint identity; pg returns it as text. */
  @PrimaryGeneratedColumn('identity', { type: 'bigint' }) id!: string;
  @Column({ type: 'text' }) channel!: FaultChannel;
  @Column({ type: 'text' }) kind!: FaultKind;
  @Column({ type: 'jsonb' }) params!: Record<string, unknown>;
  @Column({ type: 'int' }) remaining!: number;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
