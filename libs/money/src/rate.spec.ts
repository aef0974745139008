import { Rate } from './rate';

const invalidRate = expect.objectContaining({ code: 'MONEY.INVALID_RATE' });

describe('Rate', () => {
  describe('factories', () => {
    it('ppm keeps the integer as is', () => {
      expect(Rate.ppm(6000).toPpm()).toBe(6000);
      expect(Rate.ppm(0).toPpm()).toBe(0);
      expect(Rate.ppm(1_000_000).toPpm()).toBe(1_000_000);
    });

    it('bps converts at 100 ppm per bps', () => {
      expect(Rate.bps(60).toPpm()).toBe(6000);
      expect(Rate.bps(1).toPpm()).toBe(100);
      expect(Rate.bps(10_000).toPpm()).toBe(1_000_000);
    });

    it.each([-1, 1_000_001, 0.5, Number.NaN, Infinity, 2 ** 53])('ppm rejects %p', (value) => {
      expect(() => Rate.ppm(value)).toThrow(invalidRate);
    });

    it.each([-1, 10_001, 0.5, Number.NaN])('bps rejects %p', (value) => {
      expect(() => Rate.bps(value)).toThrow(invalidRate);
    });

    it('normalises negative zero', () => {
      expect(Object.is(Rate.ppm(-0).toPpm(), 0)).toBe(true);
    });
  });

  describe('percentString', () => {
    it.each([
      ['0.60%', 6000],
      ['0.6%', 6000],
      ['0.38%', 3800],
      ['0.055%', 550],
      ['0.0001%', 1],
      ['5%', 50_000],
      ['0%', 0],
      ['100%', 1_000_000],
      ['100.0000%', 1_000_000],
    ])('parses %s as %i ppm', (text, ppm) => {
      expect(Rate.percentString(text).toPpm()).toBe(ppm);
    });

    it.each([
      ['0.60'],
      ['-0.60%'],
      ['+0.60%'],
      [' 0.60%'],
      ['0.60 %'],
      ['0.60%%'],
      ['.6%'],
      ['0.%'],
      ['00.6%'],
      ['6e-1%'],
      ['0,60%'],
      ['%'],
      [''],
      ['0.00001%'],
      ['100.0001%'],
      ['1000%'],
      ['99999999999999999999999%'],
    ])('rejects %p', (text) => {
      expect(() => Rate.percentString(text)).toThrow(invalidRate);
    });

    it('rejects non-strings from untyped callers', () => {
      expect(() => Rate.percentString(0.6 as unknown as string)).toThrow(invalidRate);
    });
  });

  describe('toPercentString', () => {
    it.each([
      [6000, '0.60%'],
      [3800, '0.38%'],
      [550, '0.055%'],
      [1, '0.0001%'],
      [0, '0.00%'],
      [50_000, '5.00%'],
      [1_000_000, '100.00%'],
      [123_456, '12.3456%'],
    ])('%i ppm → %s', (ppm, text) => {
      expect(Rate.ppm(ppm).toPercentString()).toBe(text);
    });

    it('round trips through percentString', () => {
      for (const ppm of [0, 1, 9, 10, 99, 100, 550, 6000, 9999, 10_000, 123_456, 1_000_000]) {
        const rate = Rate.ppm(ppm);
        expect(Rate.percentString(rate.toPercentString()).equals(rate)).toBe(true);
      }
    });

    it('serialises to the percent string', () => {
      expect(JSON.stringify({ fee: Rate.bps(60) })).toBe('{"fee":"0.60%"}');
    });
  });

  describe('applyToMinor', () => {
    it('does not overflow for the largest safe amount', () => {
      const max = BigInt(Number.MAX_SAFE_INTEGER);
      expect(Rate.ONE.applyToMinor(max, 'DOWN')).toBe(max);
      // 0.6% of 2^53 - 1 = 54043195528445.946 → HALF_UP rounds up; a double product would not be exact.
      expect(Rate.percentString('0.60%').applyToMinor(max, 'HALF_UP')).toBe(54_043_195_528_446n);
      expect(Rate.percentString('0.60%').applyToMinor(max, 'DOWN')).toBe(54_043_195_528_445n);
    });
  });
});
