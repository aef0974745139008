/**
 * The port through which payouts (代付) reach the bank (银企直连). The adapter speaks the bank's
 * signed HTTP protocol; the payouts feature only sees these outcomes. The one rule that matters:
 * an UNKNOWN outcome (a timeout, a dropped connection, a 5xx) is never resubmitted blind; it is
 * queried by its request number until the bank gives a definite answer.
 */
export interface PayoutInstruction {
  /** Idempotent at the bank: the same request number is never paid twice. */
  readonly requestNo: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly payeeBankCode: string;
  readonly payeeAccountNo: string;
  readonly payeeAccountName: string;
  /** Shown on the merchant's bank statement (附言), e.g. the batch id and date. */
  readonly memo: string;
}

export type PayoutSubmission =
  /** Accepted for processing: the result comes by notification or query. */
  | { readonly outcome: 'ACCEPTED'; readonly bankTxnNo: string | null }
  | { readonly outcome: 'SUCCEEDED'; readonly bankTxnNo: string; readonly finishedAt: Date }
  /** A definite refusal (frozen account, name mismatch, …): nothing was or will be paid. */
  | {
      readonly outcome: 'FAILED';
      readonly failureCode: string;
      readonly failureMessage: string;
    }
  /** No answer we can trust: query before doing anything else. */
  | { readonly outcome: 'UNKNOWN'; readonly reason: string };

export type PayoutQueryResult =
  | { readonly status: 'PROCESSING'; readonly bankTxnNo: string | null }
  | { readonly status: 'SUCCEEDED'; readonly bankTxnNo: string; readonly finishedAt: Date }
  | {
      readonly status: 'FAILED';
      readonly bankTxnNo: string | null;
      readonly failureCode: string;
      readonly failureMessage: string;
    }
  /** The bank has no payout with this request number: it never reached the bank. */
  | { readonly status: 'NOT_FOUND' };

/** A result notification (异步通知) the bank pushed, after its signature was verified. */
export interface PayoutNotification {
  readonly requestNo: string;
  readonly result: PayoutQueryResult & { readonly status: 'SUCCEEDED' | 'FAILED' };
}

export interface BankClient {
  submitPayout(instruction: PayoutInstruction): Promise<PayoutSubmission>;
  /** Throws on a transport failure (the caller tries again later); never guesses. */
  queryPayout(requestNo: string): Promise<PayoutQueryResult>;
  /**
   * Verifies a notification's signature and parses it; throws a coded DomainError
   * (BANK.INVALID_NOTIFICATION) if it is not genuine or malformed.
   */
  verifyNotification(
    headers: Record<string, string | undefined>,
    rawBody: string,
  ): PayoutNotification;
  /** The bank's statement of our account for one date (对账单), as the bank's file text. */
  fetchStatement(date: string): Promise<string>;
}

export const BANK_CLIENT = Symbol('BANK_CLIENT');
