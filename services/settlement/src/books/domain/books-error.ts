import { DomainError } from '@paylab/errors';

/** Stable codes for the books (账务): closing business dates and reading what a close kept. */
export type BooksErrorCode =
  /** Not a YYYY-MM-DD date. */
  | 'BOOKS.INVALID_DATE'
  /** A date that has not begun yet in Asia/Shanghai cannot be closed. */
  | 'BOOKS.DATE_IN_FUTURE'
  /** Dates close one after another: the day after the last closed one, or any date before the first close. */
  | 'BOOKS.OUT_OF_ORDER'
  /** The date was never closed, so there is no snapshot, trial balance or report of it. */
  | 'BOOKS.NOT_CLOSED'
  /** No ledger entry and no settlement item mentions the payment. */
  | 'BOOKS.PAYMENT_NOT_FOUND';

export class BooksError extends DomainError<BooksErrorCode> {}
