import { bigintNumberTransformer } from '@paylab/database';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { PayoutState } from './domain/payout';

/** Storage shape of one payout attempt (代付) of a settlement batch. */
@Entity({ name: 'payouts' })
export class PayoutEntity {
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ name: 'batch_id', type: 'text' }) batchId!: string;
  @Column({ name: 'merchant_id', type: 'text' }) merchantId!: string;
  @Column({ type: 'int' }) attempt!: number;
  @Column({ name: 'request_no', type: 'text' }) requestNo!: string;
  @Column({ type: 'char', length: 3 }) currency!: string;
  @Column({ name: 'amount_minor', type: 'bigint', transformer: bigintNumberTransformer })
  amountMinor!: number;
  @Column({ name: 'payee_bank_code', type: 'text' }) payeeBankCode!: string;
  @Column({ name: 'payee_account_no', type: 'text' }) payeeAccountNo!: string;
  @Column({ name: 'payee_account_name', type: 'text' }) payeeAccountName!: string;
  @Column({ type: 'text' }) state!: PayoutState;
  @Column({ name: 'bank_txn_no', type: 'text', nullable: true }) bankTxnNo!: string | null;
  @Column({ name: 'failure_code', type: 'text', nullable: true }) failureCode!: string | null;
  @Column({ name: 'failure_message', type: 'text', nullable: true }) failureMessage!: string | null;
  @Column({ name: 'submit_attempts', type: 'int' }) submitAttempts!: number;
  @Column({ name: 'query_attempts', type: 'int' }) queryAttempts!: number;
  @Column({ name: 'next_action_at', type: 'timestamptz' }) nextActionAt!: Date;
  @Column({ name: 'claimed_until', type: 'timestamptz', nullable: true })
  claimedUntil!: Date | null;
  @Column({ name: 'sent_journal_entry_id', type: 'text' }) sentJournalEntryId!: string;
  @Column({ name: 'outcome_journal_entry_id', type: 'text', nullable: true })
  outcomeJournalEntryId!: string | null;
  @Column({ name: 'requested_by', type: 'text' }) requestedBy!: string;
  @Column({ name: 'resolved_by', type: 'text', nullable: true }) resolvedBy!: string | null;
  @Column({ name: 'resolution_note', type: 'text', nullable: true }) resolutionNote!: string | null;
  @Column({ name: 'submitted_at', type: 'timestamptz', nullable: true }) submittedAt!: Date | null;
  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true }) finishedAt!: Date | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
  @Column({ type: 'int' }) version!: number;
}
