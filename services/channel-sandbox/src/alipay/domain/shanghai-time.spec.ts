import {
  compactShanghaiDate,
  formatShanghaiDateTime,
  isCalendarDate,
  isGatewayTimestamp,
  nextDate,
  shanghaiBusinessDate,
} from './shanghai-time';

describe('Asia/Shanghai time', () => {
  it('is UTC+8, crossing midnight into the next business date', () => {
    const instant = new Date('2026-01-14T16:30:05Z');
    expect(formatShanghaiDateTime(instant)).toBe('2026-01-15 00:30:05');
    expect(shanghaiBusinessDate(instant)).toBe('2026-01-15');
    expect(compactShanghaiDate(instant)).toBe('20260115');
    expect(shanghaiBusinessDate(new Date('2026-01-14T15:59:59Z'))).toBe('2026-01-14');
  });

  it('checks dates and gateway timestamps', () => {
    expect(isCalendarDate('2026-02-28')).toBe(true);
    expect(isCalendarDate('2026-02-30')).toBe(false);
    expect(isCalendarDate('2026-2-3')).toBe(false);
    expect(nextDate('2026-12-31')).toBe('2027-01-01');
    expect(isGatewayTimestamp('2026-01-15 00:30:05')).toBe(true);
    expect(isGatewayTimestamp('2026-01-15T00:30:05')).toBe(false);
  });
});
