import { DomainError } from '@paylab/errors';

/**
 * Stable, machine-readable codes for ledger (账务) failures. Callers branch on `code`, never on
 * `message`.
 */
export type LedgerErrorCode =
  | 'LEDGER.UNBALANCED'
  | 'LEDGER.EMPTY'
  | 'LEDGER.NON_POSITIVE_LINE'
  | 'LEDGER.MIXED_CURRENCY'
  | 'LEDGER.INVALID_ACCOUNT'
  | 'LEDGER.INVALID_SIDE'
  | 'LEDGER.INVALID_ENTRY'
  | 'LEDGER.INVALID_REFERENCE';

export class LedgerError extends DomainError<LedgerErrorCode> {}
