import { SettlementError } from './settlement-error';

/**
 * The settlement batch (结算批次) state machine:
 *
 *   CREATED ──pay out──▶ PAYING ──bank confirmed──▶ PAID
 *      │                   │  ▲
 *      │           bank refused│ operator retry
 *      │                   ▼  │
 *      ├──no payout account──▶ FAILED ──next batch carries its money──▶ SUPERSEDED
 *      │
 *      └──net ≤ 0 or below the minimum──▶ CARRIED_FORWARD
 *
 * PAID, CARRIED_FORWARD and SUPERSEDED are final. (A CREATED batch that a later batch was built
 * over before any payout is superseded the same way, as a safeguard.) A FAILED batch's money is back in the merchant's
 * available balance: an operator retries it, or the merchant's next batch takes it in (carriedIn)
 * and the failed one becomes SUPERSEDED, so it can never be paid twice.
 */
export type BatchState =
  'CREATED' | 'PAYING' | 'PAID' | 'FAILED' | 'CARRIED_FORWARD' | 'SUPERSEDED';

const TRANSITIONS: Readonly<Record<BatchState, readonly BatchState[]>> = {
  // SUPERSEDED from CREATED only if a later batch was built before any payout: a safeguard.
  CREATED: ['PAYING', 'FAILED', 'SUPERSEDED'],
  PAYING: ['PAID', 'FAILED'],
  FAILED: ['PAYING', 'SUPERSEDED'],
  PAID: [],
  CARRIED_FORWARD: [],
  SUPERSEDED: [],
};

export function canMoveBatch(from: BatchState, to: BatchState): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertBatchTransition(batchId: string, from: BatchState, to: BatchState): void {
  if (!canMoveBatch(from, to)) {
    throw new SettlementError(
      'SETTLEMENT_BATCH.ILLEGAL_TRANSITION',
      `Settlement batch ${batchId} cannot move from ${from} to ${to}`,
      undefined,
      { batchId, from, to },
    );
  }
}

export function isFinalBatchState(state: BatchState): boolean {
  return TRANSITIONS[state].length === 0;
}
