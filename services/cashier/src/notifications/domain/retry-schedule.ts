/**
 * When a merchant webhook is tried again (重试策略), published in the API docs so merchants know
 * how long an outage they can ride out: the first attempt goes out at once, then one retry after
 * each delay below, measured from the failed attempt. After the last one (about 22 hours and 36
 * minutes after the first try, 9 attempts in all) the notification is given up (FAILED); the
 * merchant can still query the order, which is why the query API is the source of truth.
 */
export const WEBHOOK_RETRY_DELAYS_SECONDS: readonly number[] = Object.freeze([
  15,
  60,
  5 * 60,
  15 * 60,
  60 * 60,
  2 * 60 * 60,
  6 * 60 * 60,
  12 * 60 * 60,
]);

export const WEBHOOK_MAX_ATTEMPTS = WEBHOOK_RETRY_DELAYS_SECONDS.length + 1;

/**
 * The time of the next attempt after attempt number `attemptsMade` (counting from 1) failed at
 * `failedAt`, or undefined when the schedule is exhausted. `timeScale` shrinks the schedule for
 * tests and classroom demos (0.001 turns 15 s into 15 ms); production uses 1.
 */
export function nextAttemptAfterFailure(
  attemptsMade: number,
  failedAt: Date,
  timeScale = 1,
): Date | undefined {
  if (!Number.isInteger(attemptsMade) || attemptsMade < 1) {
    throw new Error(`attemptsMade must be a positive integer, got ${attemptsMade}`);
  }
  if (!(timeScale > 0) || !Number.isFinite(timeScale)) {
    throw new Error(`timeScale must be a positive finite number, got ${timeScale}`);
  }
  const delaySeconds = WEBHOOK_RETRY_DELAYS_SECONDS[attemptsMade - 1];
  if (delaySeconds === undefined) return undefined;
  return new Date(failedAt.getTime() + Math.round(delaySeconds * 1000 * timeScale));
}

/** Only a 2xx answer acknowledges a webhook; redirects are not followed and count as failures. */
export function isAcknowledged(status: number): boolean {
  return status >= 200 && status <= 299;
}
