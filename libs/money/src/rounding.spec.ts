import { MoneyError } from './errors';
import { divideRounded, isRoundingMode, ROUNDING_MODES, RoundingMode } from './rounding';

describe('divideRounded', () => {
  // Each row: numerator / denominator and the expected result per mode.
  const table: Array<[bigint, bigint, Record<RoundingMode, bigint>]> = [
    // 2.5
    [5n, 2n, { HALF_UP: 3n, HALF_EVEN: 2n, DOWN: 2n, UP: 3n, FLOOR: 2n, CEILING: 3n }],
    // -2.5
    [-5n, 2n, { HALF_UP: -3n, HALF_EVEN: -2n, DOWN: -2n, UP: -3n, FLOOR: -3n, CEILING: -2n }],
    // 3.5 (half to even goes up here)
    [7n, 2n, { HALF_UP: 4n, HALF_EVEN: 4n, DOWN: 3n, UP: 4n, FLOOR: 3n, CEILING: 4n }],
    // -3.5
    [-7n, 2n, { HALF_UP: -4n, HALF_EVEN: -4n, DOWN: -3n, UP: -4n, FLOOR: -4n, CEILING: -3n }],
    // 0.5 and -0.5: truncated quotient is 0, the sign must still be honoured
    [1n, 2n, { HALF_UP: 1n, HALF_EVEN: 0n, DOWN: 0n, UP: 1n, FLOOR: 0n, CEILING: 1n }],
    [-1n, 2n, { HALF_UP: -1n, HALF_EVEN: 0n, DOWN: 0n, UP: -1n, FLOOR: -1n, CEILING: 0n }],
    // 2.7
    [27n, 10n, { HALF_UP: 3n, HALF_EVEN: 3n, DOWN: 2n, UP: 3n, FLOOR: 2n, CEILING: 3n }],
    // -2.7
    [-27n, 10n, { HALF_UP: -3n, HALF_EVEN: -3n, DOWN: -2n, UP: -3n, FLOOR: -3n, CEILING: -2n }],
    // 2.1
    [21n, 10n, { HALF_UP: 2n, HALF_EVEN: 2n, DOWN: 2n, UP: 3n, FLOOR: 2n, CEILING: 3n }],
    // -2.1
    [-21n, 10n, { HALF_UP: -2n, HALF_EVEN: -2n, DOWN: -2n, UP: -3n, FLOOR: -3n, CEILING: -2n }],
    // -2.5 expressed with a negative denominator
    [5n, -2n, { HALF_UP: -3n, HALF_EVEN: -2n, DOWN: -2n, UP: -3n, FLOOR: -3n, CEILING: -2n }],
    // 2.5 with both negative
    [-5n, -2n, { HALF_UP: 3n, HALF_EVEN: 2n, DOWN: 2n, UP: 3n, FLOOR: 2n, CEILING: 3n }],
    // exact division is never adjusted
    [-6n, 2n, { HALF_UP: -3n, HALF_EVEN: -3n, DOWN: -3n, UP: -3n, FLOOR: -3n, CEILING: -3n }],
    [0n, 7n, { HALF_UP: 0n, HALF_EVEN: 0n, DOWN: 0n, UP: 0n, FLOOR: 0n, CEILING: 0n }],
  ];

  for (const [numerator, denominator, expected] of table) {
    for (const mode of ROUNDING_MODES) {
      it(`${numerator}/${denominator} ${mode} → ${expected[mode]}`, () => {
        expect(divideRounded(numerator, denominator, mode)).toBe(expected[mode]);
      });
    }
  }

  it('stays exact far beyond the double range', () => {
    const huge = 2n ** 80n + 1n;
    expect(divideRounded(huge, 2n, 'HALF_EVEN')).toBe(2n ** 79n);
    expect(divideRounded(huge, 2n, 'HALF_UP')).toBe(2n ** 79n + 1n);
  });

  it('rejects division by zero', () => {
    expect(() => divideRounded(1n, 0n, 'HALF_UP')).toThrow(
      expect.objectContaining({ code: 'MONEY.DIVISION_BY_ZERO' }),
    );
  });

  it('rejects an unknown mode from untyped callers', () => {
    const call = () => divideRounded(1n, 3n, 'ROUND' as RoundingMode);
    expect(call).toThrow(MoneyError);
    expect(call).toThrow(expect.objectContaining({ code: 'MONEY.INVALID_ROUNDING_MODE' }));
  });

  it('rejects an unknown mode even when the division is exact', () => {
    expect(() => divideRounded(4n, 2n, 'ROUND' as RoundingMode)).toThrow(
      expect.objectContaining({ code: 'MONEY.INVALID_ROUNDING_MODE' }),
    );
  });
});

describe('isRoundingMode', () => {
  it('accepts the six modes only', () => {
    for (const mode of ROUNDING_MODES) expect(isRoundingMode(mode)).toBe(true);
    expect(isRoundingMode('half_up')).toBe(false);
    expect(isRoundingMode(undefined)).toBe(false);
  });
});
