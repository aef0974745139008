import { DomainError } from '@paylab/errors';

/**
 * What a merchant's settlement read can be refused with. The codes travel back to cashier in the
 * reply envelope and become HTTP there (libs/platform error catalogue).
 */
export type MerchantQueryErrorCode =
  /** No such batch, or another merchant's: the two answers are the same so ids never leak. */
  | 'SETTLEMENT.NOT_FOUND'
  /** A cursor we did not issue to this merchant, or one that was altered. */
  | 'SETTLEMENT.INVALID_CURSOR'
  /** The statement file is too large to return in one reply. */
  | 'SETTLEMENT.STATEMENT_TOO_LARGE'
  /** A batch whose items do not add up to its own totals: our fault, never served as a statement. */
  | 'SETTLEMENT.STATEMENT_INCONSISTENT';

export class MerchantQueryError extends DomainError<MerchantQueryErrorCode> {}
