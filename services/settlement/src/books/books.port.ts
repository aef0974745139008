/**
 * What end of day asks of the books (账务): close a business date, keep its balance snapshot and
 * trial balance, and check the accounting identities. Implemented by the books feature.
 */
export interface IdentityCheckResult {
  readonly name: string;
  /** What it states, e.g. "channel receivable − channel cost = merchant payables + margin + suspense". */
  readonly statement: string;
  readonly currency: string;
  readonly leftMinor: number;
  readonly rightMinor: number;
  readonly differenceMinor: number;
  readonly holds: boolean;
}

export interface BooksCloseReport {
  readonly businessDate: string;
  readonly accountsSnapshotted: number;
  readonly trialBalanceBalanced: boolean;
  readonly checks: readonly IdentityCheckResult[];
  /** True when every check holds and the trial balance balances. */
  readonly healthy: boolean;
}

export interface BooksCloser {
  /**
   * Closes `businessDate` (idempotent: closing a closed date returns its stored report). Entries
   * posted afterwards get the next open business date.
   */
  closeBusinessDate(businessDate: string): Promise<BooksCloseReport>;
}

export const BOOKS_CLOSER = Symbol('BOOKS_CLOSER');
