import { DomainError } from '@paylab/errors';

/** Coded failures of batches, payouts and the end of day. */
export type SettlementErrorCode =
  | 'SETTLEMENT_BATCH.NOT_FOUND'
  | 'SETTLEMENT_BATCH.INVALID_ID'
  | 'SETTLEMENT_BATCH.ILLEGAL_TRANSITION'
  | 'SETTLEMENT_BATCH.CONCURRENT_UPDATE'
  | 'SETTLEMENT_BATCH.NOT_RETRYABLE'
  | 'SETTLEMENT_BATCH.SAME_OPERATOR'
  | 'PAYOUT.NOT_RESOLVABLE'
  | 'PAYOUT.BANK_TXN_NO_USED'
  | 'PAYOUT.ILLEGAL_TRANSITION'
  | 'PAYOUT.NOT_FOUND'
  | 'PAYOUT.CONFLICTING_RESULT'
  | 'END_OF_DAY.INVALID_DATE'
  | 'END_OF_DAY.TOO_FAR_AHEAD'
  | 'END_OF_DAY.ALREADY_RUNNING'
  | 'END_OF_DAY.JOB_FAILED';

export class SettlementError extends DomainError<SettlementErrorCode> {}
