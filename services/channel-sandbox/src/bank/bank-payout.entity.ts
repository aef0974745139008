import { bigintNumberTransformer } from '@paylab/database';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { PayoutStatus } from './domain/payout';

/** Storage shape of an account at the sandbox bank (the rules live in domain/payout.ts). */
@Entity({ name: 'bank_accounts' })
export class BankAccountEntity {
  @PrimaryColumn({ name: 'account_no', type: 'text' }) accountNo!: string;
  @Column({ name: 'bank_code', type: 'text' }) bankCode!: string;
  @Column({ name: 'account_name', type: 'text' }) accountName!: string;
  @Column({ type: 'text' }) currency!: string;
  @Column({ type: 'text' }) status!: 'ACTIVE' | 'FROZEN';
  /** The enterprise client that may pay from (and read the statement of) this account. */
  @Column({ name: 'client_id', type: 'text', nullable: true }) clientId!: string | null;
}

/** Storage shape of a payout (代付) the bank accepted. */
@Entity({ name: 'bank_payouts' })
export class BankPayoutEntity {
  @PrimaryColumn({ name: 'bank_txn_no', type: 'text' }) bankTxnNo!: string;
  @Column({ name: 'client_id', type: 'text' }) clientId!: string;
  @Column({ name: 'request_no', type: 'text' }) requestNo!: string;
  @Column({ type: 'text' }) fingerprint!: string;
  @Column({ name: 'payer_account_no', type: 'text' }) payerAccountNo!: string;
  @Column({ name: 'payee_bank_code', type: 'text' }) payeeBankCode!: string;
  @Column({ name: 'payee_account_no', type: 'text' }) payeeAccountNo!: string;
  @Column({ name: 'payee_account_name', type: 'text' }) payeeAccountName!: string;
  @Column({ name: 'amount_minor', type: 'bigint', transformer: bigintNumberTransformer })
  amountMinor!: number;
  @Column({ type: 'text' }) currency!: string;
  @Column({ type: 'text' }) memo!: string;
  @Column({ name: 'notify_url', type: 'text' }) notifyUrl!: string;
  @Column({ type: 'text' }) status!: PayoutStatus;
  @Column({ name: 'planned_status', type: 'text' }) plannedStatus!: 'SUCCEEDED' | 'FAILED';
  @Column({ name: 'failure_code', type: 'text', nullable: true }) failureCode!: string | null;
  @Column({ name: 'failure_message', type: 'text', nullable: true }) failureMessage!: string | null;
  /** False when a fault withholds the result notification (only a query reveals it). */
  @Column({ type: 'boolean' }) notify!: boolean;
  @Column({ name: 'accepted_at', type: 'timestamptz' }) acceptedAt!: Date;
  @Column({ name: 'completes_at', type: 'timestamptz' }) completesAt!: Date;
  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true }) finishedAt!: Date | null;
  @Column({ name: 'business_date', type: 'date', nullable: true }) businessDate!: string | null;
  @Column({ name: 'applied_fault_ids', type: 'jsonb' }) appliedFaultIds!: number[];
}
