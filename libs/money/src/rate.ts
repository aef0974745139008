import { MoneyError } from './errors';
import { divideRounded, RoundingMode } from './rounding';

const PPM_PER_UNIT = 1_000_000;
const PPM_PER_BPS = 100;
const PPM_PER_PERCENT = 10_000;
/** Four decimals of a percent is exactly one ppm, the finest granularity a Rate can hold. */
const PERCENT_DECIMALS = 4;
const PERCENT_PATTERN = /^(0|[1-9]\d*)(?:\.(\d+))?%$/;

/**
 * A proportion between 0 and 100 %, held as integer parts per million (ppm).
 *
 * Why ppm: channel fee schedules are quoted like "0.38%" or "0.6%", and some go one decimal
 * further (e.g. "0.055%"). One ppm = 0.0001 % covers all of them as an exact integer, so no
 * rate ever passes through a binary float. Rates above 100 % are rejected because nothing in a
 * payment flow (fees, splits, commissions) legitimately takes more than the whole amount.
 */
export class Rate {
  private constructor(private readonly ppmValue: number) {
    Object.freeze(this);
  }

  static readonly ZERO: Rate = new Rate(0);
  static readonly ONE: Rate = new Rate(PPM_PER_UNIT);

  /** 1 ppm = 0.0001 %. Must be an integer in [0, 1 000 000]. */
  static ppm(value: number): Rate {
    if (!Number.isSafeInteger(value) || value < 0 || value > PPM_PER_UNIT) {
      throw new MoneyError(
        'MONEY.INVALID_RATE',
        `Rate must be an integer between 0 and ${PPM_PER_UNIT} ppm, got ${String(value)}`,
      );
    }
    // Normalises -0 so that equality and serialisation never see a negative zero.
    return new Rate(value + 0);
  }

  /**
   * 1 bps = 0.01 % = 100 ppm. Integer bps only: fractional bps would need float multiplication;
   * use `Rate.ppm` or `Rate.percentString` for finer rates.
   */
  static bps(value: number): Rate {
    if (!Number.isSafeInteger(value)) {
      throw new MoneyError('MONEY.INVALID_RATE', `bps must be an integer, got ${String(value)}`);
    }
    if (value < 0 || value > PPM_PER_UNIT / PPM_PER_BPS) {
      throw new MoneyError('MONEY.INVALID_RATE', `Rate out of range: ${value} bps`);
    }
    return Rate.ppm(value * PPM_PER_BPS);
  }

  /**
   * Strict parse of a percentage as written in fee schedules and merchant contracts: '0.60%',
   * '5%', '0.0001%'. Rejects signs, spaces, exponents, a missing '%', leading zeros and more
   * than four decimals (anything finer than 1 ppm cannot be represented exactly).
   */
  static percentString(value: string): Rate {
    const match = typeof value === 'string' ? PERCENT_PATTERN.exec(value) : null;
    if (!match) {
      throw new MoneyError('MONEY.INVALID_RATE', `Invalid percent string: ${String(value)}`);
    }
    const [, whole, fraction = ''] = match;
    if (fraction.length > PERCENT_DECIMALS) {
      throw new MoneyError(
        'MONEY.INVALID_RATE',
        `Percent string has more than ${PERCENT_DECIMALS} decimals: ${value}`,
      );
    }
    // BigInt because the integer part can be arbitrarily long before the range check.
    const ppm =
      BigInt(whole) * BigInt(PPM_PER_PERCENT) + BigInt(fraction.padEnd(PERCENT_DECIMALS, '0'));
    if (ppm > BigInt(PPM_PER_UNIT)) {
      throw new MoneyError('MONEY.INVALID_RATE', `Rate above 100%: ${value}`);
    }
    return new Rate(Number(ppm));
  }

  toPpm(): number {
    return this.ppmValue;
  }

  /**
   * Inverse of `percentString`: at least two decimals (how rates are conventionally written,
   * '0.60%') and at most four, trailing zeros beyond the second trimmed.
   */
  toPercentString(): string {
    const whole = Math.trunc(this.ppmValue / PPM_PER_PERCENT);
    const fraction = String(this.ppmValue % PPM_PER_PERCENT)
      .padStart(PERCENT_DECIMALS, '0')
      .replace(/0+$/, '')
      .padEnd(2, '0');
    return `${whole}.${fraction}%`;
  }

  isZero(): boolean {
    return this.ppmValue === 0;
  }

  equals(other: Rate): boolean {
    return this.ppmValue === other.ppmValue;
  }

  /**
   * `amountMinor × rate`, rounded with `mode`. The product is formed in BigInt because
   * amount (up to 2^53) × ppm (up to 10^6) far exceeds the range where doubles are exact.
   */
  applyToMinor(amountMinor: bigint, mode: RoundingMode): bigint {
    return divideRounded(amountMinor * BigInt(this.ppmValue), BigInt(PPM_PER_UNIT), mode);
  }

  toString(): string {
    return this.toPercentString();
  }

  toJSON(): string {
    return this.toPercentString();
  }
}
