import {
  businessDateOf,
  cutOffOf,
  isBusinessDate,
  parseShanghaiLocalTime,
  previousBusinessDate,
  startOfBusinessDate,
} from './business-date';

describe('Asia/Shanghai business dates', () => {
  it('a business date runs from 00:00 to the next 00:00 Shanghai (16:00Z the day before)', () => {
    expect(startOfBusinessDate('2031-03-14').toISOString()).toBe('2031-03-13T16:00:00.000Z');
    expect(cutOffOf('2031-03-14').toISOString()).toBe('2031-03-14T16:00:00.000Z');
  });

  it('assigns the instants either side of the cut-off to their dates', () => {
    expect(businessDateOf(new Date('2031-03-14T15:59:59.999Z'))).toBe('2031-03-14');
    expect(businessDateOf(new Date('2031-03-14T16:00:00.000Z'))).toBe('2031-03-15');
  });

  it('steps back across month and leap-year ends', () => {
    expect(previousBusinessDate('2031-03-01')).toBe('2031-02-28');
    expect(previousBusinessDate('2032-03-01')).toBe('2032-02-29');
    expect(previousBusinessDate('2031-01-01')).toBe('2030-12-31');
  });

  it.each(['2031-02-29', '2031-13-01', '2031-3-1', '20310314', '', '2031-03-14T00:00'])(
    'rejects %p as a business date',
    (value) => {
      expect(isBusinessDate(value)).toBe(false);
      expect(() => cutOffOf(value)).toThrow(RangeError);
    },
  );

  it('reads statement wall-clock times as Shanghai time', () => {
    expect(parseShanghaiLocalTime('2031-03-14 23:59:59')?.toISOString()).toBe(
      '2031-03-14T15:59:59.000Z',
    );
    expect(parseShanghaiLocalTime('2031-03-15 00:00:00')?.toISOString()).toBe(
      '2031-03-14T16:00:00.000Z',
    );
  });

  it.each([
    '2031-03-14 24:00:00',
    '2031-03-14 12:60:00',
    '2031-02-30 12:00:00',
    '2031-03-14T12:00:00',
    '2031-03-14 12:00',
  ])('rejects the time %p', (text) => {
    expect(parseShanghaiLocalTime(text)).toBeUndefined();
  });
});
