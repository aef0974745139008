import { classifyFailure } from './failure-classifier';

export { PermanentMessageError } from './message-errors';

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

/** Exponential backoff: base, 2×base, 4×base … capped. attempt counts from 1. */
export function backoffDelayMs(attempt: number, options: BackoffOptions): number {
  if (!Number.isInteger(attempt) || attempt < 1)
    throw new Error(`attempt must be a positive integer, got ${attempt}`);
  const exponent = Math.min(attempt - 1, 30);
  return Math.min(options.maxMs, options.baseMs * 2 ** exponent);
}

export interface RetryPolicy extends BackoffOptions {
  /** Total tries of a handler for one message, the first included, before it is dead-lettered. */
  maxAttempts: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseMs: 200, maxMs: 5_000 };

/**
 * Backoff while a dependency is unavailable: no attempt limit, so the cap is what bounds the
 * load a recovering database sees from one blocked partition.
 */
export const DEFAULT_TRANSIENT_BACKOFF: BackoffOptions = { baseMs: 200, maxMs: 10_000 };

export type FailureDecision =
  | { action: 'retry'; delayMs: number }
  | { action: 'wait-for-dependency'; delayMs: number; dependency: string; reason: string }
  | { action: 'dead-letter'; reason: string };

/**
 * What to do after attempt `attempt` of a handler failed with `error` (see classifyFailure):
 * a transient failure waits without limit, a permanent one is dead-lettered at once, an unknown
 * one is retried up to the policy's maxAttempts.
 */
export function decideAfterFailure(
  error: unknown,
  attempt: number,
  policy: RetryPolicy,
  transientBackoff: BackoffOptions = DEFAULT_TRANSIENT_BACKOFF,
): FailureDecision {
  if (!Number.isInteger(attempt) || attempt < 1)
    throw new Error(`attempt must be a positive integer, got ${attempt}`);
  const failure = classifyFailure(error);
  if (failure.kind === 'permanent') return { action: 'dead-letter', reason: failure.reason };
  if (failure.kind === 'transient') {
    return {
      action: 'wait-for-dependency',
      delayMs: backoffDelayMs(attempt, transientBackoff),
      dependency: failure.dependency,
      reason: failure.reason,
    };
  }
  const message = failure.reason;
  if (attempt >= policy.maxAttempts) {
    return { action: 'dead-letter', reason: `gave up after ${attempt} attempts: ${message}` };
  }
  return { action: 'retry', delayMs: backoffDelayMs(attempt, policy) };
}
