/**
 * When WeChat Pay re-sends a payment notification that was not acknowledged: the first attempt
 * at once, then after 15s, 15s, 30s, 3m, 10m, 20m, 30m, 30m, 30m, 60m, 3h, 3h, 3h, 6h and 6h
 * (16 notifications in about 24 h 4 m). Documented for API v2; v3 is assumed to match.
 * `timeScale` shrinks the schedule for tests and demos; 1 is the published schedule.
 */
export const WECHAT_NOTIFY_RETRY_DELAYS_MS: readonly number[] = [
  15_000,
  15_000,
  30_000,
  3 * 60_000,
  10 * 60_000,
  20 * 60_000,
  30 * 60_000,
  30 * 60_000,
  30 * 60_000,
  60 * 60_000,
  3 * 60 * 60_000,
  3 * 60 * 60_000,
  3 * 60 * 60_000,
  6 * 60 * 60_000,
  6 * 60 * 60_000,
];

/** The wait after `attemptsMade` unacknowledged attempts, or null when the schedule is done. */
export function nextWechatNotifyDelayMs(attemptsMade: number, timeScale: number): number | null {
  if (!Number.isInteger(attemptsMade) || attemptsMade < 1) {
    throw new RangeError(`attemptsMade must be a positive integer, got ${attemptsMade}`);
  }
  if (!(timeScale > 0)) throw new RangeError(`timeScale must be positive, got ${timeScale}`);
  const base = WECHAT_NOTIFY_RETRY_DELAYS_MS[attemptsMade - 1];
  return base === undefined ? null : Math.max(1, Math.round(base * timeScale));
}

/** WeChat Pay treats HTTP 200 or 204 as received; any other answer (or none) is retried. */
export function isWechatNotifyAcknowledged(status: number): boolean {
  return status === 200 || status === 204;
}
