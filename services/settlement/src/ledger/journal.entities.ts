import { bigintNumberTransformer } from '@paylab/database';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Storage shape of a journal entry (记账凭证); only postJournal builds the entries we store. */
@Entity({ name: 'journal_entries' })
export class JournalEntryEntity {
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ name: 'posted_at', type: 'timestamptz' }) postedAt!: Date;
  @Column({ type: 'text' }) description!: string;
  /** The entry's business references (clearingId, paymentId, …). */
  @Column({ type: 'jsonb' }) refs!: Record<string, string>;
  /**
   * Accounting date (账务日期, YYYY-MM-DD). Left out on insert, the database trigger assigns it;
   * it never keeps a closed date.
   */
  @Column({ name: 'business_date', type: 'date', nullable: true }) businessDate!: string | null;
}

/** One line (分录行) of a journal entry. */
@Entity({ name: 'journal_lines' })
export class JournalLineEntity {
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ name: 'entry_id', type: 'text' }) entryId!: string;
  @Column({ name: 'line_no', type: 'int' }) lineNo!: number;
  @Column({ type: 'text' }) account!: string;
  @Column({ type: 'text' }) side!: 'DEBIT' | 'CREDIT';
  @Column({ name: 'amount_minor', type: 'bigint', transformer: bigintNumberTransformer })
  amountMinor!: number;
  @Column({ type: 'char', length: 3 }) currency!: string;
}
