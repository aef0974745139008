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
 * PAID, CARRIED_FORWARD and SUPERSEDED are final. A FAILED batch's money is back in the merchant's
 * available balance: an operator retries it, or the merchant's next batch takes it in (carriedIn)
 * and the failed one becomes SUPERSEDED, so it can never be paid twice.
 */
export type BatchState =
  'CREATED' | 'PAYING' | 'PAID' | 'FAILED' | 'CARRIED_FORWARD' | 'SUPERSEDED';

const TRANSITIONS: Readonly<Record<BatchState, readonly BatchState[]>> = {
  CREATED: ['PAYING', 'FAILED'],
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
