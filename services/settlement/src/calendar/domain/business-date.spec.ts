import {
  addDays,
  businessDateOf,
  datesBetween,
  daysBetween,
  endOfBusinessDate,
  isBusinessDate,
  isCutoff,
  latestDueBusinessDate,
  shanghaiDateOf,
} from './business-date';

describe('business dates in Asia/Shanghai', () => {
  it('takes the local calendar date under the default 00:00 cut-off', () => {
    // 2026-03-01 23:30 in Shanghai is 15:30 UTC.
    expect(businessDateOf(new Date('2026-03-01T15:30:00Z'))).toBe('2026-03-01');
    // 00:10 local on 2 March is still 1 March in UTC.
    expect(businessDateOf(new Date('2026-03-01T16:10:00Z'))).toBe('2026-03-02');
  });

  it('moves a payment at or after a 22:00 cut-off to the next business date', () => {
    expect(businessDateOf(new Date('2026-03-01T13:59:59Z'), '22:00')).toBe('2026-03-01');
    expect(businessDateOf(new Date('2026-03-01T14:00:00Z'), '22:00')).toBe('2026-03-02');
  });

  it('ends a business date at its cut-off', () => {
    expect(endOfBusinessDate('2026-03-01').toISOString()).toBe('2026-03-01T16:00:00.000Z');
    expect(endOfBusinessDate('2026-03-01', '22:00').toISOString()).toBe('2026-03-01T14:00:00.000Z');
    const end = endOfBusinessDate('2026-03-01', '22:00');
    expect(businessDateOf(new Date(end.getTime() - 1), '22:00')).toBe('2026-03-01');
    expect(businessDateOf(end, '22:00')).toBe('2026-03-02');
  });

  it('does date arithmetic across months, years and leap days', () => {
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(daysBetween('2026-02-27', '2026-03-02')).toBe(3);
    expect(datesBetween('2026-02-27', '2026-03-01')).toEqual([
      '2026-02-27',
      '2026-02-28',
      '2026-03-01',
    ]);
    expect(datesBetween('2026-03-02', '2026-03-01')).toEqual([]);
  });

  it('is due for the previous local date once midnight and the grace have passed', () => {
    const fiveMinutes = 5 * 60_000;
    // 00:04 local on 2 March: the grace has not passed, so 28 February is the latest due.
    expect(latestDueBusinessDate(new Date('2026-03-01T16:04:00Z'), fiveMinutes)).toBe('2026-02-28');
    expect(latestDueBusinessDate(new Date('2026-03-01T16:05:00Z'), fiveMinutes)).toBe('2026-03-01');
    expect(shanghaiDateOf(new Date('2026-03-01T16:05:00Z'))).toBe('2026-03-02');
  });

  it('rejects malformed dates and cut-offs', () => {
    for (const bad of ['2026-02-30', '2026-13-01', '26-03-01', '2026-3-1', '', null, 20260301]) {
      expect(isBusinessDate(bad)).toBe(false);
    }
    for (const bad of ['24:00', '7:00', '07:60', '0700', '', undefined]) {
      expect(isCutoff(bad)).toBe(false);
    }
    expect(isCutoff('22:30')).toBe(true);
    expect(() => businessDateOf(new Date(), '25:00')).toThrow(RangeError);
    expect(() => addDays('2026-02-30', 1)).toThrow(RangeError);
  });
});
