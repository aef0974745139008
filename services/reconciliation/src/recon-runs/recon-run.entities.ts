import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One recon run (对账批次): one channel's statement for one business date against our records. */
@Entity({ name: 'recon_runs' })
export class ReconRunEntity {
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ type: 'text' }) channel!: string;
  /** Set when the run covers one channel account's statement only; null for the whole channel. */
  @Column({ name: 'channel_account_id', type: 'text', nullable: true }) channelAccountId!:
    string | null;
  @Column({ name: 'business_date', type: 'date' }) businessDate!: string;
  @Column({ type: 'text' }) status!: string;
  @Column({ name: 'statement_id', type: 'text' }) statementId!: string;
  @Column({ name: 'statement_format', type: 'text' }) statementFormat!: string;
  @Column({ name: 'statement_sha256', type: 'char', length: 64 }) statementSha256!: string;
  @Column({ name: 'statement_line_count', type: 'int' }) statementLineCount!: number;
  @Column({ name: 'cross_day_window_minutes', type: 'int' }) crossDayWindowMinutes!: number;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

/** One result per statement line or platform record of a run, with its outcome. */
@Entity({ name: 'recon_results' })
export class ReconResultEntity {
  @PrimaryColumn({ name: 'run_id', type: 'text' }) runId!: string;
  @PrimaryColumn({ type: 'int' }) seq!: number;
  @Column({ type: 'text' }) outcome!: string;
  @Column({ name: 'channel_trade_no', type: 'text' }) channelTradeNo!: string;
  @Column({ name: 'statement_line_no', type: 'int', nullable: true }) statementLineNo!:
    number | null;
  @Column({ name: 'statement_line', type: 'jsonb', nullable: true }) statementLine!: unknown;
  @Column({ name: 'transaction_id', type: 'text', nullable: true }) transactionId!: string | null;
  /** For refund results: the refund (ref_…) of the platform side. */
  @Column({ name: 'refund_id', type: 'text', nullable: true }) refundId!: string | null;
  @Column({ name: 'platform_record', type: 'jsonb', nullable: true }) platformRecord!: unknown;
  @Column({ type: 'text', nullable: true }) detail!: string | null;
  @Column({ name: 'duplicate_of_line_no', type: 'int', nullable: true }) duplicateOfLineNo!:
    number | null;
  @Column({ name: 'carried_from_business_date', type: 'date', nullable: true })
  carriedFromBusinessDate!: string | null;
}

/** A discrepancy (差错): one break of a run, with both sides, OPEN until someone resolves it. */
@Entity({ name: 'discrepancies' })
export class DiscrepancyEntity {
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ name: 'run_id', type: 'text' }) runId!: string;
  @Column({ name: 'result_seq', type: 'int' }) resultSeq!: number;
  @Column({ type: 'text' }) type!: string;
  @Column({ type: 'text' }) status!: string;
  @Column({ type: 'text' }) channel!: string;
  @Column({ name: 'business_date', type: 'date' }) businessDate!: string;
  @Column({ name: 'channel_trade_no', type: 'text' }) channelTradeNo!: string;
  @Column({ name: 'statement_side', type: 'jsonb', nullable: true }) statementSide!: unknown;
  @Column({ name: 'platform_side', type: 'jsonb', nullable: true }) platformSide!: unknown;
  @Column({ type: 'text', nullable: true }) detail!: string | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
