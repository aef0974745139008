import {
  formatRfc3339Shanghai,
  formatShanghaiDateTime,
  isCalendarDate,
  parseRfc3339,
  parseShanghaiDateTime,
  shanghaiBusinessDate,
} from './shanghai-time';

describe('Shanghai channel times', () => {
  it('reads a channel time as the UTC instant 8 hours earlier', () => {
    expect(parseShanghaiDateTime('2026-01-14 08:30:05')?.toISOString()).toBe(
      '2026-01-14T00:30:05.000Z',
    );
    // Just after midnight in Shanghai is still the previous day in UTC.
    expect(parseShanghaiDateTime('2026-01-01 00:00:00')?.toISOString()).toBe(
      '2025-12-31T16:00:00.000Z',
    );
  });

  it('rejects anything that is not exactly YYYY-MM-DD HH:mm:ss of a real time', () => {
    for (const bad of [
      '',
      '2026-01-14',
      '2026-01-14T08:30:05',
      '2026-01-14 08:30:05+08:00',
      '2026-02-30 10:00:00',
      '2026-01-14 24:00:00',
      '2026-1-14 08:30:05',
    ]) {
      expect(parseShanghaiDateTime(bad)).toBeNull();
    }
  });

  it('formats and dates an instant in Shanghai, round-tripping', () => {
    const instant = new Date('2026-03-31T16:59:59.000Z');
    expect(formatShanghaiDateTime(instant)).toBe('2026-04-01 00:59:59');
    expect(shanghaiBusinessDate(instant)).toBe('2026-04-01');
    expect(shanghaiBusinessDate(new Date('2026-03-31T15:59:59.999Z'))).toBe('2026-03-31');
    expect(parseShanghaiDateTime(formatShanghaiDateTime(instant))).toEqual(instant);
  });

  it('knows calendar dates', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2025-02-29')).toBe(false);
    expect(isCalendarDate('2025-1-01')).toBe(false);
    expect(isCalendarDate('20250101')).toBe(false);
  });
});

describe('RFC 3339 channel times (WeChat Pay)', () => {
  it('writes Shanghai wall-clock time with +08:00', () => {
    expect(formatRfc3339Shanghai(new Date('2026-01-14T02:34:56.789Z'))).toBe(
      '2026-01-14T10:34:56+08:00',
    );
    expect(formatRfc3339Shanghai(new Date('2025-12-31T16:00:00Z'))).toBe(
      '2026-01-01T00:00:00+08:00',
    );
  });

  it('reads a time with an offset as its UTC instant', () => {
    expect(parseRfc3339('2026-01-14T10:34:56+08:00')?.toISOString()).toBe(
      '2026-01-14T02:34:56.000Z',
    );
    expect(parseRfc3339('2026-01-14T02:34:56Z')?.toISOString()).toBe('2026-01-14T02:34:56.000Z');
  });

  it('rejects times without an offset, impossible dates and other shapes', () => {
    for (const bad of [
      '2026-01-14T10:34:56',
      '2026-02-30T10:34:56+08:00',
      '2026-01-14T24:00:00+08:00',
      '2026-01-14 10:34:56+08:00',
      '',
      'yesterday',
    ]) {
      expect({ bad, parsed: parseRfc3339(bad) }).toEqual({ bad, parsed: null });
    }
  });
});
