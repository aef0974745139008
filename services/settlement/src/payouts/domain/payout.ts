import type { PayoutQueryResult, PayoutSubmission } from '../bank/bank-client';
import { SettlementError } from '../../batches/domain/settlement-error';

/**
 * A payout attempt (代付) and what the bank's answers do to it:
 *
 *   SUBMITTING ──accepted──▶ SENT ──notified / queried──▶ PAID | FAILED
 *        │  ▲  
 *        │  └──query: the bank never got it (NOT_FOUND): resubmit, same request number
 *        └──timeout, reset, 5xx──▶ UNKNOWN ──queried──▶ PAID | FAILED
 *
 * The rule that keeps a payout paid at most once: after the first submission, the only way to
 * learn the outcome is to ask (query or notification); a submission is repeated only when the bank
 * says it has no payout with that request number, and then with the same request number, which the
 * bank treats idempotently.
 */
export type PayoutState = 'SUBMITTING' | 'SENT' | 'UNKNOWN' | 'PAID' | 'FAILED';

const TRANSITIONS: Readonly<Record<PayoutState, readonly PayoutState[]>> = {
  SUBMITTING: ['SENT', 'UNKNOWN', 'PAID', 'FAILED'],
  SENT: ['PAID', 'FAILED', 'SUBMITTING'],
  UNKNOWN: ['PAID', 'FAILED', 'SUBMITTING', 'UNKNOWN'],
  PAID: [],
  FAILED: [],
};

export function isFinalPayoutState(state: PayoutState): boolean {
  return TRANSITIONS[state].length === 0;
}

export function assertPayoutTransition(payoutId: string, from: PayoutState, to: PayoutState): void {
  if (from === to && !isFinalPayoutState(from)) return;
  if (!TRANSITIONS[from].includes(to)) {
    throw new SettlementError(
      'PAYOUT.ILLEGAL_TRANSITION',
      `Payout ${payoutId} cannot move from ${from} to ${to}`,
      undefined,
      { payoutId, from, to },
    );
  }
}

/** What the worker does next with a payout that is not final. */
export function nextPayoutAction(payout: {
  readonly state: PayoutState;
  readonly submitAttempts: number;
}): 'SUBMIT' | 'QUERY' | null {
  if (isFinalPayoutState(payout.state)) return null;
  // A SUBMITTING payout that was already sent once may have reached the bank before we crashed:
  // asking is the only safe move.
  if (payout.state === 'SUBMITTING') return payout.submitAttempts === 0 ? 'SUBMIT' : 'QUERY';
  return 'QUERY';
}

export interface PayoutDecision {
  readonly to: PayoutState;
  readonly bankTxnNo?: string | null;
  readonly failureCode?: string;
  readonly failureMessage?: string;
  readonly finishedAt?: Date;
  /** When to act on it again, if it is not final. */
  readonly retryInMs?: number;
  /** The bank has no record of it: submit again now, with the same request number. */
  readonly resubmit?: boolean;
}

const FIRST_QUERY_AFTER_ACCEPT_MS = 5_000;
const MAX_QUERY_BACKOFF_MS = 60_000;

/** Backoff for the n-th query (0-based): 1 s, 2 s, 4 s … capped at a minute. */
export function queryBackoffMs(queryAttempts: number): number {
  return Math.min(1_000 * 2 ** Math.min(queryAttempts, 16), MAX_QUERY_BACKOFF_MS);
}

export function decideAfterSubmission(
  submission: PayoutSubmission,
  queryAttempts: number,
): PayoutDecision {
  switch (submission.outcome) {
    case 'ACCEPTED':
      // The notification normally comes first; the query is the backstop if it never does.
      return {
        to: 'SENT',
        bankTxnNo: submission.bankTxnNo,
        retryInMs: FIRST_QUERY_AFTER_ACCEPT_MS,
      };
    case 'SUCCEEDED':
      return { to: 'PAID', bankTxnNo: submission.bankTxnNo, finishedAt: submission.finishedAt };
    case 'FAILED':
      return {
        to: 'FAILED',
        failureCode: submission.failureCode,
        failureMessage: submission.failureMessage,
      };
    case 'UNKNOWN':
      return { to: 'UNKNOWN', retryInMs: queryBackoffMs(queryAttempts) };
  }
}

export function decideAfterQuery(
  state: PayoutState,
  result: PayoutQueryResult,
  queryAttempts: number,
): PayoutDecision {
  switch (result.status) {
    case 'PROCESSING':
      return {
        to: state === 'SUBMITTING' ? 'UNKNOWN' : state,
        bankTxnNo: result.bankTxnNo,
        retryInMs: queryBackoffMs(queryAttempts),
      };
    case 'SUCCEEDED':
      return { to: 'PAID', bankTxnNo: result.bankTxnNo, finishedAt: result.finishedAt };
    case 'FAILED':
      return {
        to: 'FAILED',
        bankTxnNo: result.bankTxnNo,
        failureCode: result.failureCode,
        failureMessage: result.failureMessage,
      };
    case 'NOT_FOUND':
      return { to: 'SUBMITTING', resubmit: true };
  }
}
