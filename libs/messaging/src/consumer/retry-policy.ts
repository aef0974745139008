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
 * Thrown by a handler when a message can never be processed (it references something that
 * cannot exist, breaks an invariant). It skips the retries and goes straight to dead letter.
 */
export class PermanentMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentMessageError';
  }
}

export type FailureDecision =
  { action: 'retry'; delayMs: number } | { action: 'dead-letter'; reason: string };

/** What to do after attempt `attempt` of a handler failed with `error`. */
export function decideAfterFailure(
  error: unknown,
  attempt: number,
  policy: RetryPolicy,
): FailureDecision {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof PermanentMessageError) {
    return { action: 'dead-letter', reason: `permanent failure: ${message}` };
  }
  if (attempt >= policy.maxAttempts) {
    return { action: 'dead-letter', reason: `gave up after ${attempt} attempts: ${message}` };
  }
  return { action: 'retry', delayMs: backoffDelayMs(attempt, policy) };
}
