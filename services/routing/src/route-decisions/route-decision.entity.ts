import { bigintNumberTransformer } from '@paylab/database';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { CandidateTrace, RouteCandidate } from './domain/route-model';

/**
 * A route decision as taken, kept for audit and teaching: what was asked, what was chosen (or
 * that nothing could be), and the trace. Rows are never updated.
 */
@Entity({ name: 'route_decisions' })
export class RouteDecisionEntity {
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ name: 'merchant_id', type: 'text' }) merchantId!: string;
  @Column({ type: 'text' }) method!: string;
  @Column({ name: 'amount_minor', type: 'bigint', transformer: bigintNumberTransformer })
  amountMinor!: number;
  @Column({ type: 'char', length: 3 }) currency!: string;
  @Column({ type: 'text', nullable: true }) device!: string | null;
  @Column({ type: 'text' }) strategy!: string;
  @Column({ type: 'text' }) outcome!: 'ROUTED' | 'NO_CHANNEL_AVAILABLE';
  @Column({ name: 'chosen_channel_account_id', type: 'text', nullable: true })
  chosenChannelAccountId!: string | null;
  @Column({ type: 'jsonb', nullable: true }) chosen!: RouteCandidate | null;
  @Column({ type: 'jsonb' }) fallbacks!: RouteCandidate[];
  @Column({ type: 'jsonb' }) trace!: CandidateTrace[];
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
