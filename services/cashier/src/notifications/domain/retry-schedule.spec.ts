import {
  isAcknowledged,
  nextAttemptAfterFailure,
  WEBHOOK_MAX_ATTEMPTS,
  WEBHOOK_RETRY_DELAYS_SECONDS,
} from './retry-schedule';

const T0 = new Date('2025-03-01T02:00:00.000Z');

describe('merchant webhook retry schedule', () => {
  it('publishes 15s, 1m, 5m, 15m, 1h, 2h, 6h, 12h: 9 attempts in all', () => {
    expect(WEBHOOK_RETRY_DELAYS_SECONDS).toEqual([15, 60, 300, 900, 3_600, 7_200, 21_600, 43_200]);
    expect(WEBHOOK_MAX_ATTEMPTS).toBe(9);
  });

  it('schedules each retry from the failed attempt', () => {
    expect(nextAttemptAfterFailure(1, T0)).toEqual(new Date(T0.getTime() + 15_000));
    expect(nextAttemptAfterFailure(2, T0)).toEqual(new Date(T0.getTime() + 60_000));
    expect(nextAttemptAfterFailure(8, T0)).toEqual(new Date(T0.getTime() + 43_200_000));
  });

  it('gives up after the last scheduled retry', () => {
    expect(nextAttemptAfterFailure(9, T0)).toBeUndefined();
  });

  it('scales the schedule for tests and demos', () => {
    expect(nextAttemptAfterFailure(1, T0, 0.001)).toEqual(new Date(T0.getTime() + 15));
    expect(nextAttemptAfterFailure(2, T0, 0.5)).toEqual(new Date(T0.getTime() + 30_000));
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses attempt number %p', (attempts) => {
    expect(() => nextAttemptAfterFailure(attempts, T0)).toThrow(/attemptsMade/);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('refuses time scale %p', (scale) => {
    expect(() => nextAttemptAfterFailure(1, T0, scale)).toThrow(/timeScale/);
  });

  it('counts only 2xx as acknowledged', () => {
    expect([199, 200, 204, 299, 300, 302, 404, 500].map(isAcknowledged)).toEqual([
      false,
      true,
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
  });
});
