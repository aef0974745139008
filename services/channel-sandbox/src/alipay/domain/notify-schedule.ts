/**
 * When Alipay re-sends an async notification that was not answered with `success`: the first
 * attempt at once, then after 4m, 10m, 10m, 1h, 2h, 6h and 15h — 8 notifications in about 25
 * hours. `timeScale` shrinks the schedule for tests and classroom demos (0.001 turns 4 minutes
 * into 240 ms); 1 is the published schedule.
 */
export const NOTIFY_RETRY_DELAYS_MS: readonly number[] = [
  4 * 60_000,
  10 * 60_000,
  10 * 60_000,
  60 * 60_000,
  2 * 60 * 60_000,
  6 * 60 * 60_000,
  15 * 60 * 60_000,
];

export const NOTIFY_MAX_ATTEMPTS = NOTIFY_RETRY_DELAYS_MS.length + 1;

/**
 * The wait before the next attempt once `attemptsMade` attempts have failed, or null when the
 * schedule is exhausted and the notification is given up.
 */
export function nextNotifyDelayMs(attemptsMade: number, timeScale: number): number | null {
  if (!Number.isInteger(attemptsMade) || attemptsMade < 1) {
    throw new RangeError(`attemptsMade must be a positive integer, got ${attemptsMade}`);
  }
  if (!(timeScale > 0)) throw new RangeError(`timeScale must be positive, got ${timeScale}`);
  const base = NOTIFY_RETRY_DELAYS_MS[attemptsMade - 1];
  return base === undefined ? null : Math.max(1, Math.round(base * timeScale));
}

/** Alipay treats a notification as delivered only when the body is exactly `success`. */
export function isNotifyAcknowledged(status: number, body: string): boolean {
  return status >= 200 && status < 300 && body.trim() === 'success';
}
