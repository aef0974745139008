import { isNotifyAcknowledged, NOTIFY_MAX_ATTEMPTS, nextNotifyDelayMs } from './notify-schedule';

describe('the notification retry schedule', () => {
  it('follows 4m, 10m, 10m, 1h, 2h, 6h, 15h and gives up after 8 attempts', () => {
    const delays = Array.from({ length: NOTIFY_MAX_ATTEMPTS }, (_, i) =>
      nextNotifyDelayMs(i + 1, 1),
    );
    expect(delays).toEqual([
      240_000,
      600_000,
      600_000,
      3_600_000,
      7_200_000,
      21_600_000,
      54_000_000,
      null,
    ]);
    expect(NOTIFY_MAX_ATTEMPTS).toBe(8);
  });

  it('scales, never to zero', () => {
    expect(nextNotifyDelayMs(1, 0.001)).toBe(240);
    expect(nextNotifyDelayMs(1, 1e-9)).toBe(1);
    expect(() => nextNotifyDelayMs(0, 1)).toThrow(RangeError);
    expect(() => nextNotifyDelayMs(1, 0)).toThrow(RangeError);
  });

  it('counts only a 2xx `success` as delivered', () => {
    expect(isNotifyAcknowledged(200, 'success')).toBe(true);
    expect(isNotifyAcknowledged(200, 'success\n')).toBe(true);
    expect(isNotifyAcknowledged(200, 'SUCCESS')).toBe(false);
    expect(isNotifyAcknowledged(200, '{"code":"success"}')).toBe(false);
    expect(isNotifyAcknowledged(500, 'success')).toBe(false);
  });
});
