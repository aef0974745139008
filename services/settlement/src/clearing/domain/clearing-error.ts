import { DomainError } from '@paylab/errors';

/**
 * Stable, machine-readable codes for clearing (清分) failures. Callers (the event consumer, the
 * API error mapper) branch on `code`, never on `message`.
 */
export type ClearingErrorCode =
  | 'CLEARING.INVALID_AMOUNT'
  | 'CLEARING.NON_POSITIVE_GROSS'
  | 'CLEARING.NON_POSITIVE_REFUND'
  | 'CLEARING.CURRENCY_MISMATCH'
  | 'CLEARING.INVALID_FEE_SCHEDULE'
  | 'CLEARING.INVALID_ROUNDING_POLICY'
  | 'CLEARING.INVALID_ID'
  | 'CLEARING.INVARIANT_VIOLATED'
  | 'CLEARING.REFUND_EXCEEDS_GROSS'
  | 'CLEARING.FOREIGN_REFUND'
  | 'CLEARING.DUPLICATE_REFUND'
  | 'CLEARING.INCONSISTENT_REFUND_HISTORY';

export class ClearingError extends DomainError<ClearingErrorCode> {}
