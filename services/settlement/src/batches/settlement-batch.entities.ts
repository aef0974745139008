import { bigintNumberTransformer } from '@paylab/database';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { BatchState } from './domain/batch-state';

const money = (name: string) =>
  ({ name, type: 'bigint', transformer: bigintNumberTransformer }) as const;

/** Storage shape of a settlement batch (结算批次); the arithmetic lives in domain/batch-plan.ts. */
@Entity({ name: 'settlement_batches' })
export class SettlementBatchEntity {
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ name: 'merchant_id', type: 'text' }) merchantId!: string;
  @Column({ name: 'settlement_date', type: 'date' }) settlementDate!: string;
  @Column({ type: 'char', length: 3 }) currency!: string;
  @Column({ type: 'text' }) state!: BatchState;
  @Column({ name: 'terms_version', type: 'int' }) termsVersion!: number;
  @Column({ type: 'text' }) cycle!: string;
  @Column(money('items_through_seq')) itemsThroughSeq!: number;
  @Column({ name: 'due_through', type: 'date' }) dueThrough!: string;
  @Column(money('prev_items_through_seq')) prevItemsThroughSeq!: number;
  @Column({ name: 'prev_due_through', type: 'date', nullable: true }) prevDueThrough!:
    string | null;
  @Column({ name: 'item_count', type: 'int' }) itemCount!: number;
  @Column({ name: 'payment_count', type: 'int' }) paymentCount!: number;
  @Column({ name: 'refund_count', type: 'int' }) refundCount!: number;
  @Column({ name: 'late_payment_return_count', type: 'int' }) latePaymentReturnCount!: number;
  @Column(money('gross_minor')) grossMinor!: number;
  @Column(money('fee_minor')) feeMinor!: number;
  @Column(money('refund_minor')) refundMinor!: number;
  @Column(money('items_net_minor')) itemsNetMinor!: number;
  @Column(money('reserve_held_minor')) reserveHeldMinor!: number;
  @Column(money('reserve_released_minor')) reserveReleasedMinor!: number;
  @Column(money('carried_in_minor')) carriedInMinor!: number;
  @Column(money('net_minor')) netMinor!: number;
  @Column(money('minimum_payout_minor')) minimumPayoutMinor!: number;
  @Column({ name: 'journal_entry_id', type: 'text', nullable: true }) journalEntryId!:
    string | null;
  @Column({ name: 'failure_code', type: 'text', nullable: true }) failureCode!: string | null;
  @Column({ name: 'failure_message', type: 'text', nullable: true }) failureMessage!: string | null;
  @Column({ name: 'paid_at', type: 'timestamptz', nullable: true }) paidAt!: Date | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
  @Column({ type: 'int' }) version!: number;
}

/** A rolling reserve hold (滚动保证金) taken by one batch and released on its date. */
@Entity({ name: 'reserve_holds' })
export class ReserveHoldEntity {
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ name: 'merchant_id', type: 'text' }) merchantId!: string;
  @Column({ type: 'char', length: 3 }) currency!: string;
  @Column(money('amount_minor')) amountMinor!: number;
  @Column({ name: 'held_in_batch_id', type: 'text' }) heldInBatchId!: string;
  @Column({ name: 'release_date', type: 'date' }) releaseDate!: string;
  @Column({ name: 'released_on', type: 'date', nullable: true }) releasedOn!: string | null;
  @Column({ name: 'release_journal_entry_id', type: 'text', nullable: true })
  releaseJournalEntryId!: string | null;
  @Column({ name: 'released_in_batch_id', type: 'text', nullable: true }) releasedInBatchId!:
    string | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
