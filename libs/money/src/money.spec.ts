import { CurrencyCode } from './currency';
import { MoneyError } from './errors';
import { Money } from './money';
import { Rate } from './rate';

const code = (c: string) => expect.objectContaining({ code: c });
const cny = (amountMinor: number) => Money.of(amountMinor, 'CNY');

describe('Money', () => {
  describe('of / zero', () => {
    it('holds an integer amount of minor units', () => {
      const money = Money.of(1234, 'CNY');
      expect(money.amountMinor).toBe(1234);
      expect(money.currency).toBe('CNY');
      expect(Money.zero('JPY').isZero()).toBe(true);
    });

    it('accepts the full safe integer range', () => {
      expect(Money.of(Number.MAX_SAFE_INTEGER, 'CNY').amountMinor).toBe(Number.MAX_SAFE_INTEGER);
      expect(Money.of(Number.MIN_SAFE_INTEGER, 'CNY').amountMinor).toBe(Number.MIN_SAFE_INTEGER);
    });

    it.each([
      [0.5],
      [12.34],
      [Number.NaN],
      [Infinity],
      [-Infinity],
      [Number.MAX_SAFE_INTEGER + 1],
      [Number.MIN_SAFE_INTEGER - 1],
      [2 ** 60],
    ])('rejects amount %p', (amount) => {
      expect(() => Money.of(amount, 'CNY')).toThrow(code('MONEY.INVALID_AMOUNT'));
    });

    it('rejects non-number amounts from untyped callers', () => {
      expect(() => Money.of('100' as unknown as number, 'CNY')).toThrow(
        code('MONEY.INVALID_AMOUNT'),
      );
      expect(() => Money.of(100n as unknown as number, 'CNY')).toThrow(
        code('MONEY.INVALID_AMOUNT'),
      );
    });

    it('rejects unknown currencies', () => {
      expect(() => Money.of(1, 'XXX' as CurrencyCode)).toThrow(code('MONEY.UNKNOWN_CURRENCY'));
      expect(() => Money.zero('cny' as CurrencyCode)).toThrow(code('MONEY.UNKNOWN_CURRENCY'));
    });

    it('throws MoneyError instances', () => {
      expect(() => Money.of(0.1, 'CNY')).toThrow(MoneyError);
    });

    it('normalises negative zero', () => {
      expect(Object.is(Money.of(-0, 'CNY').amountMinor, 0)).toBe(true);
      expect(Object.is(cny(0).negate().amountMinor, 0)).toBe(true);
    });

    it('is immutable', () => {
      const money = cny(100);
      expect(Object.isFrozen(money)).toBe(true);
      expect(() => {
        (money as { amountMinor: number }).amountMinor = 1;
      }).toThrow(TypeError);
    });
  });

  describe('decimal strings', () => {
    it.each([
      ['12.34', 'CNY', 1234, '12.34'],
      ['0.01', 'CNY', 1, '0.01'],
      ['-12.3', 'CNY', -1230, '-12.30'],
      ['-0.05', 'USD', -5, '-0.05'],
      ['12', 'EUR', 1200, '12.00'],
      ['0', 'GBP', 0, '0.00'],
      ['-0.00', 'CNY', 0, '0.00'],
      ['100', 'JPY', 100, '100'],
      ['-7', 'KRW', -7, '-7'],
      ['90071992547409.91', 'CNY', Number.MAX_SAFE_INTEGER, '90071992547409.91'],
    ] as const)('%s %s ↔ %i minor', (text, currency, minor, canonical) => {
      const money = Money.fromDecimalString(text, currency);
      expect(money.amountMinor).toBe(minor);
      expect(money.toDecimalString()).toBe(canonical);
      expect(Money.fromDecimalString(money.toDecimalString(), currency).equals(money)).toBe(true);
    });

    it.each([
      [1, 'CNY', '0.01'],
      [10, 'CNY', '0.10'],
      [-1230, 'CNY', '-12.30'],
      [-1, 'USD', '-0.01'],
      [100, 'JPY', '100'],
      [0, 'JPY', '0'],
    ] as const)('formats %i %s as %s', (minor, currency, text) => {
      expect(Money.of(minor, currency).toDecimalString()).toBe(text);
    });

    it('round trips every amount in a range', () => {
      for (let minor = -1005; minor <= 1005; minor++) {
        const money = cny(minor);
        expect(Money.fromDecimalString(money.toDecimalString(), 'CNY').amountMinor).toBe(minor);
      }
    });

    it.each([
      ['12.345', 'CNY'],
      ['12.340', 'CNY'],
      ['0.001', 'USD'],
      ['100.0', 'JPY'],
      ['1.5', 'KRW'],
    ] as const)('rejects %s %s for too many decimals', (text, currency) => {
      expect(() => Money.fromDecimalString(text, currency)).toThrow(
        code('MONEY.TOO_MANY_DECIMALS'),
      );
    });

    it.each([
      ['1e3'],
      ['1E3'],
      ['+12.34'],
      [' 12.34'],
      ['12.34 '],
      ['12.'],
      ['.5'],
      ['-'],
      [''],
      ['1,234.00'],
      ['012.34'],
      ['--1'],
      ['1.2.3'],
      ['NaN'],
      ['Infinity'],
      ['0x10'],
      ['１２'],
      ['90071992547409.92'],
      ['99999999999999999999'],
    ])('rejects malformed or unsafe %p', (text) => {
      expect(() => Money.fromDecimalString(text, 'CNY')).toThrow(code('MONEY.INVALID_AMOUNT'));
    });

    it('rejects non-strings and unknown currencies', () => {
      expect(() => Money.fromDecimalString(12.34 as unknown as string, 'CNY')).toThrow(
        code('MONEY.INVALID_AMOUNT'),
      );
      expect(() => Money.fromDecimalString('12.34', 'RMB' as CurrencyCode)).toThrow(
        code('MONEY.UNKNOWN_CURRENCY'),
      );
    });
  });

  describe('arithmetic and comparison', () => {
    it('adds, subtracts, negates and takes the absolute value', () => {
      expect(cny(150).add(cny(25)).amountMinor).toBe(175);
      expect(cny(150).subtract(cny(200)).amountMinor).toBe(-50);
      expect(cny(150).negate().amountMinor).toBe(-150);
      expect(cny(-150).abs().amountMinor).toBe(150);
      expect(cny(150).abs().amountMinor).toBe(150);
    });

    it('does not mutate its operands', () => {
      const a = cny(100);
      const b = cny(1);
      a.add(b);
      expect(a.amountMinor).toBe(100);
      expect(b.amountMinor).toBe(1);
    });

    it('reports sign', () => {
      expect(cny(1).isPositive()).toBe(true);
      expect(cny(1).isNegative()).toBe(false);
      expect(cny(-1).isNegative()).toBe(true);
      expect(cny(0).isZero()).toBe(true);
      expect(cny(0).isPositive()).toBe(false);
      expect(cny(0).isNegative()).toBe(false);
    });

    it('compares within a currency', () => {
      expect(cny(1).compare(cny(2))).toBe(-1);
      expect(cny(2).compare(cny(2))).toBe(0);
      expect(cny(3).compare(cny(2))).toBe(1);
      expect(cny(3).greaterThan(cny(2))).toBe(true);
      expect(cny(2).greaterThan(cny(2))).toBe(false);
      expect(cny(2).greaterThanOrEqual(cny(2))).toBe(true);
      expect(cny(-3).lessThan(cny(2))).toBe(true);
      expect(cny(2).lessThan(cny(2))).toBe(false);
      expect(cny(2).lessThanOrEqual(cny(2))).toBe(true);
      expect(cny(2).equals(cny(2))).toBe(true);
      expect(cny(2).equals(cny(3))).toBe(false);
    });

    it('treats equal amounts in different currencies as not equal', () => {
      expect(cny(100).equals(Money.of(100, 'USD'))).toBe(false);
    });

    it.each([
      ['add', (a: Money, b: Money) => a.add(b)],
      ['subtract', (a: Money, b: Money) => a.subtract(b)],
      ['compare', (a: Money, b: Money) => a.compare(b)],
      ['greaterThan', (a: Money, b: Money) => a.greaterThan(b)],
      ['greaterThanOrEqual', (a: Money, b: Money) => a.greaterThanOrEqual(b)],
      ['lessThan', (a: Money, b: Money) => a.lessThan(b)],
      ['lessThanOrEqual', (a: Money, b: Money) => a.lessThanOrEqual(b)],
    ])('%s throws on currency mismatch', (_name, operation) => {
      expect(() => operation(cny(100), Money.of(100, 'USD'))).toThrow(
        code('MONEY.CURRENCY_MISMATCH'),
      );
    });

    it('refuses results outside the safe integer range', () => {
      const max = Money.of(Number.MAX_SAFE_INTEGER, 'CNY');
      const min = Money.of(Number.MIN_SAFE_INTEGER, 'CNY');
      expect(() => max.add(cny(1))).toThrow(code('MONEY.OVERFLOW'));
      expect(() => min.subtract(cny(1))).toThrow(code('MONEY.OVERFLOW'));
      expect(() => max.add(max)).toThrow(code('MONEY.OVERFLOW'));
      expect(max.add(min).amountMinor).toBe(0);
      expect(min.negate().amountMinor).toBe(Number.MAX_SAFE_INTEGER);
    });
  });

  describe('applyRate', () => {
    const fee = Rate.percentString('0.60%');

    it('charges 0.6% of 100 yuan as 60 fen', () => {
      expect(cny(10000).applyRate(fee, 'HALF_UP').amountMinor).toBe(60);
    });

    it('rounds a sub-fen fee with the requested mode', () => {
      expect(cny(1).applyRate(fee, 'HALF_UP').amountMinor).toBe(0);
      expect(cny(99).applyRate(fee, 'UP').amountMinor).toBe(1);
      expect(cny(99).applyRate(fee, 'DOWN').amountMinor).toBe(0);
      expect(cny(99).applyRate(fee, 'HALF_UP').amountMinor).toBe(1);
    });

    it('rounds exact halves per mode, including refunds (negative amounts)', () => {
      // 250 × 1% = 2.5 fen
      const onePercent = Rate.bps(100);
      expect(cny(250).applyRate(onePercent, 'HALF_UP').amountMinor).toBe(3);
      expect(cny(250).applyRate(onePercent, 'HALF_EVEN').amountMinor).toBe(2);
      expect(cny(-250).applyRate(onePercent, 'HALF_UP').amountMinor).toBe(-3);
      expect(cny(-250).applyRate(onePercent, 'HALF_EVEN').amountMinor).toBe(-2);
      expect(cny(-250).applyRate(onePercent, 'FLOOR').amountMinor).toBe(-3);
      expect(cny(-250).applyRate(onePercent, 'CEILING').amountMinor).toBe(-2);
    });

    it('keeps the currency and handles the largest amounts exactly', () => {
      const max = Money.of(Number.MAX_SAFE_INTEGER, 'JPY');
      expect(max.applyRate(Rate.ONE, 'DOWN').equals(max)).toBe(true);
      expect(max.applyRate(Rate.ZERO, 'UP').isZero()).toBe(true);
      expect(max.applyRate(fee, 'HALF_UP').amountMinor).toBe(54_043_195_528_446);
    });
  });

  describe('allocate', () => {
    const sum = (parts: Money[]) => parts.reduce((total, part) => total + part.amountMinor, 0);

    it('splits evenly with the leftover going to the first parts', () => {
      expect(
        cny(100)
          .allocate([1, 1, 1])
          .map((m) => m.amountMinor),
      ).toEqual([34, 33, 33]);
    });

    it('gives leftovers to the largest remainders', () => {
      // 5 × [3, 7] / 10 = [1.5, 3.5] → tie on .5 → earlier part wins
      expect(
        cny(5)
          .allocate([3, 7])
          .map((m) => m.amountMinor),
      ).toEqual([2, 3]);
      // 10 × [1, 2, 3] / 6 = [1.67, 3.33, 5] → the .67 gets the leftover
      expect(
        cny(10)
          .allocate([1, 2, 3])
          .map((m) => m.amountMinor),
      ).toEqual([2, 3, 5]);
    });

    it('gives nothing to zero weights', () => {
      expect(
        cny(7)
          .allocate([0, 1, 0, 1])
          .map((m) => m.amountMinor),
      ).toEqual([0, 4, 0, 3]);
    });

    it('splits negative amounts by magnitude', () => {
      const parts = cny(-100).allocate([1, 1, 1]);
      expect(parts.map((m) => m.amountMinor)).toEqual([-34, -33, -33]);
      expect(parts.every((part) => part.currency === 'CNY')).toBe(true);
    });

    it('always sums exactly to the original', () => {
      const weightSets = [[1], [1, 1, 1], [3, 7], [1, 2, 3, 4, 5, 6, 7], [97, 2, 1], [0, 5, 0, 9]];
      for (const weights of weightSets) {
        for (const amount of [0, 1, 2, 99, 100, 101, 9999, -1, -101, Number.MAX_SAFE_INTEGER]) {
          const parts = cny(amount).allocate(weights);
          expect(parts).toHaveLength(weights.length);
          expect(sum(parts)).toBe(amount);
        }
      }
    });

    it('never lets a part differ from its exact share by a whole unit', () => {
      const weights = [13, 29, 58];
      const parts = cny(1001).allocate(weights);
      parts.forEach((part, index) => {
        const exact = (1001 * weights[index]) / 100;
        expect(Math.abs(part.amountMinor - exact)).toBeLessThan(1);
      });
    });

    it.each([[[]], [[0, 0]], [[-1, 2]], [[0.5, 0.5]], [[Number.NaN]]])(
      'rejects weights %p',
      (weights) => {
        expect(() => cny(100).allocate(weights)).toThrow(code('MONEY.INVALID_ALLOCATION'));
      },
    );
  });

  describe('serialisation', () => {
    it('serialises to amountMinor and currency', () => {
      expect(cny(-1230).toJSON()).toEqual({ amountMinor: -1230, currency: 'CNY' });
      expect(JSON.parse(JSON.stringify({ amount: cny(5) }))).toEqual({
        amount: { amountMinor: 5, currency: 'CNY' },
      });
    });

    it('restores from JSON with validation', () => {
      expect(Money.fromJSON({ amountMinor: 5, currency: 'USD' }).equals(Money.of(5, 'USD'))).toBe(
        true,
      );
      expect(() => Money.fromJSON({ amountMinor: 1.5, currency: 'USD' })).toThrow(
        code('MONEY.INVALID_AMOUNT'),
      );
    });

    it('has a readable toString for logs', () => {
      expect(String(cny(-1230))).toBe('-12.30 CNY');
      expect(String(Money.of(100, 'JPY'))).toBe('100 JPY');
    });
  });
});
