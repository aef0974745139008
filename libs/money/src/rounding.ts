import { MoneyError } from './errors';

/**
 * How to resolve the part of a division that does not fit into a whole minor unit. Every place
 * that divides money must name its mode explicitly, because "which way the fen goes" is a
 * business decision (who absorbs the rounding: merchant, platform or payer) and silently picking
 * one is how reconciliation differences are born.
 *
 * - HALF_UP:   round to nearest; an exact half goes away from zero (2.5 → 3, -2.5 → -3).
 *              The "school" rule, and what most channel fee schedules mean by 四舍五入.
 * - HALF_EVEN: round to nearest; an exact half goes to the even neighbour (2.5 → 2, 3.5 → 4,
 *              -2.5 → -2). Banker's rounding: over many operations halves cancel out instead of
 *              drifting in one direction.
 * - DOWN:      toward zero, i.e. truncation (2.7 → 2, -2.7 → -2).
 * - UP:        away from zero (2.1 → 3, -2.1 → -3). Typical for fees that must never be
 *              undercharged.
 * - FLOOR:     toward negative infinity (2.7 → 2, -2.1 → -3).
 * - CEILING:   toward positive infinity (2.1 → 3, -2.7 → -2).
 */
export type RoundingMode = 'HALF_UP' | 'HALF_EVEN' | 'DOWN' | 'UP' | 'FLOOR' | 'CEILING';

export const ROUNDING_MODES: readonly RoundingMode[] = Object.freeze([
  'HALF_UP',
  'HALF_EVEN',
  'DOWN',
  'UP',
  'FLOOR',
  'CEILING',
] as const);

export function isRoundingMode(value: unknown): value is RoundingMode {
  return typeof value === 'string' && (ROUNDING_MODES as readonly string[]).includes(value);
}

/**
 * Exact integer division `numerator / denominator`, rounded with `mode`.
 * BigInt throughout so that intermediate products (amount × ppm) can never lose precision.
 */
export function divideRounded(numerator: bigint, denominator: bigint, mode: RoundingMode): bigint {
  // Checked up front (not only when rounding is needed) so a bad mode from untyped input such as
  // a config file fails on the first call, not on the first inexact amount in production.
  if (!isRoundingMode(mode)) {
    throw new MoneyError(
      'MONEY.INVALID_ROUNDING_MODE',
      `Unknown rounding mode: ${String(mode as unknown)}`,
    );
  }
  if (denominator === 0n) {
    throw new MoneyError('MONEY.DIVISION_BY_ZERO', 'Division by zero');
  }
  // BigInt division truncates toward zero and the remainder takes the numerator's sign, so
  // `quotient` is already the DOWN result; the other modes only ever nudge it by one step.
  const quotient = numerator / denominator;
  const remainder = numerator % denominator;
  if (remainder === 0n) {
    return quotient;
  }
  // Sign of the exact (unrounded) result; needed because a truncated quotient of 0 has no sign.
  const step = numerator < 0n !== denominator < 0n ? -1n : 1n;
  const awayFromZero = quotient + step;

  switch (mode) {
    case 'DOWN':
      return quotient;
    case 'UP':
      return awayFromZero;
    case 'FLOOR':
      return step < 0n ? awayFromZero : quotient;
    case 'CEILING':
      return step > 0n ? awayFromZero : quotient;
    case 'HALF_UP':
    case 'HALF_EVEN': {
      // Compare the discarded fraction with one half without leaving integer arithmetic.
      const twiceRemainder = abs(remainder) * 2n;
      const divisor = abs(denominator);
      if (twiceRemainder > divisor) return awayFromZero;
      if (twiceRemainder < divisor) return quotient;
      if (mode === 'HALF_UP') return awayFromZero;
      return quotient % 2n === 0n ? quotient : awayFromZero;
    }
    default: {
      // Compile-time exhaustiveness check: adding a mode to the union without handling it here
      // becomes a type error.
      const unhandled: never = mode;
      throw new MoneyError('MONEY.INVALID_ROUNDING_MODE', `Unhandled rounding mode: ${unhandled}`);
    }
  }
}

function abs(value: bigint): bigint {
  return value < 0n ? -value : value;
}
