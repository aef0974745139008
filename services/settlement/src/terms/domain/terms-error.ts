import { DomainError } from '@paylab/errors';

/**
 * Why a change of settlement terms (结算条款) was refused. Every one is the caller's mistake in
 * the request (400 invalid_request_error), except INCONSISTENT_RECORD: a stored version that no
 * longer passes the rules is our fault.
 */
export type SettlementTermsErrorCode =
  | 'SETTLEMENT_TERMS.INVALID_REQUEST'
  | 'SETTLEMENT_TERMS.UNKNOWN_FIELD'
  | 'SETTLEMENT_TERMS.INVALID_CYCLE'
  | 'SETTLEMENT_TERMS.INVALID_CUTOFF'
  | 'SETTLEMENT_TERMS.INVALID_MINIMUM_PAYOUT'
  | 'SETTLEMENT_TERMS.INVALID_RESERVE'
  | 'SETTLEMENT_TERMS.INVALID_PAYOUT_ACCOUNT'
  | 'SETTLEMENT_TERMS.INVALID_REASON'
  | 'SETTLEMENT_TERMS.INCONSISTENT_RECORD';

export class SettlementTermsError extends DomainError<SettlementTermsErrorCode> {}
