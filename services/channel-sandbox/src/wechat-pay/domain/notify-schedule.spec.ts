import {
  isWechatNotifyAcknowledged,
  nextWechatNotifyDelayMs,
  WECHAT_NOTIFY_RETRY_DELAYS_MS,
} from './notify-schedule';

describe('WeChat Pay notification schedule', () => {
  it('follows 15s, 15s, 30s, 3m … 6h, then gives up after 16 attempts', () => {
    expect(nextWechatNotifyDelayMs(1, 1)).toBe(15_000);
    expect(nextWechatNotifyDelayMs(4, 1)).toBe(180_000);
    expect(nextWechatNotifyDelayMs(15, 1)).toBe(6 * 3_600_000);
    expect(nextWechatNotifyDelayMs(16, 1)).toBeNull();
    expect(WECHAT_NOTIFY_RETRY_DELAYS_MS.reduce((a, b) => a + b, 0)).toBe(
      (24 * 60 + 4) * 60_000, // 24 h 4 m in all
    );
    expect(nextWechatNotifyDelayMs(1, 0.001)).toBe(15);
    expect(() => nextWechatNotifyDelayMs(0, 1)).toThrow(RangeError);
    expect(() => nextWechatNotifyDelayMs(1, 0)).toThrow(RangeError);
  });

  it('counts only 200 and 204 as received', () => {
    expect(isWechatNotifyAcknowledged(200)).toBe(true);
    expect(isWechatNotifyAcknowledged(204)).toBe(true);
    for (const status of [201, 302, 400, 500])
      expect(isWechatNotifyAcknowledged(status)).toBe(false);
  });
});
