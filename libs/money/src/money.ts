import { CurrencyCode, isCurrencyCode, minorUnitsOf } from './currency';
import { MoneyError } from './errors';
import { Rate } from './rate';
import { RoundingMode } from './rounding';

export interface MoneyJSON {
  amountMinor: number;
  currency: CurrencyCode;
}

const DECIMAL_PATTERN = /^(-?)(0|[1-9]\d*)(?:\.(\d+))?$/;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * An exact amount of one currency, held as an integer count of minor units (fen, cents, yen).
 *
 * Why a JS `number` and not `bigint`: Postgres stores the column as BIGINT, but a double holds
 * every integer up to 2^53 - 1 exactly, which is about 9 × 10^13 yuan in fen — far beyond any
 * single payment, batch or ledger balance this system will see — while `number` stays JSON- and
 * ORM-friendly. Every factory and every operation checks the result is still a safe integer, so
 * precision can never be lost silently; whenever a product or quotient is needed we switch to
 * BigInt for the intermediate value.
 *
 * Instances are immutable: every operation returns a new Money.
 */
export class Money {
  private constructor(
    readonly amountMinor: number,
    readonly currency: CurrencyCode,
  ) {
    Object.freeze(this);
  }

  /** `currency` is re-validated at runtime because it often comes from untyped input. */
  static of(amountMinor: number, currency: CurrencyCode): Money {
    if (typeof amountMinor !== 'number' || !Number.isSafeInteger(amountMinor)) {
      throw new MoneyError(
        'MONEY.INVALID_AMOUNT',
        `Amount must be a safe integer number of minor units, got ${String(amountMinor)}`,
      );
    }
    if (!isCurrencyCode(currency)) {
      throw new MoneyError('MONEY.UNKNOWN_CURRENCY', `Unsupported currency: ${String(currency)}`);
    }
    // `+ 0` turns -0 into 0 so that equality, JSON and string output never show a negative zero.
    return new Money(amountMinor + 0, currency);
  }

  static zero(currency: CurrencyCode): Money {
    return Money.of(0, currency);
  }

  static fromJSON(json: MoneyJSON): Money {
    return Money.of(json.amountMinor, json.currency);
  }

  /**
   * Strict parse of a major-unit decimal string such as '12.34' (CNY) or '100' (JPY), the format
   * many channel protocols use for amounts. Anything ambiguous is rejected rather than
   * "fixed up": no '+', whitespace, exponent, thousands separators, leading zeros or bare '.',
   * and never more decimals than the currency has minor units — silently dropping '12.345' to
   * '12.34' would make the amount we book differ from the amount the channel meant.
   */
  static fromDecimalString(value: string, currency: CurrencyCode): Money {
    const exponent = minorUnitsOf(currency);
    const match = typeof value === 'string' ? DECIMAL_PATTERN.exec(value) : null;
    if (!match) {
      throw new MoneyError('MONEY.INVALID_AMOUNT', `Invalid decimal amount: ${String(value)}`);
    }
    const [, sign, whole, fraction = ''] = match;
    if (fraction.length > exponent) {
      throw new MoneyError(
        'MONEY.TOO_MANY_DECIMALS',
        `${currency} allows at most ${exponent} decimals, got ${value}`,
      );
    }
    const magnitude = BigInt(whole + fraction.padEnd(exponent, '0'));
    if (magnitude > MAX_SAFE) {
      throw new MoneyError('MONEY.INVALID_AMOUNT', `Amount out of safe range: ${value}`);
    }
    const amount = Number(magnitude);
    return Money.of(sign === '-' ? -amount : amount, currency);
  }

  /** Major-unit decimal string with exactly the currency's decimals: '0.01', '-12.30', '100'. */
  toDecimalString(): string {
    const exponent = minorUnitsOf(this.currency);
    const digits = String(Math.abs(this.amountMinor)).padStart(exponent + 1, '0');
    const sign = this.amountMinor < 0 ? '-' : '';
    if (exponent === 0) {
      return sign + digits;
    }
    return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
  }

  add(other: Money): Money {
    this.assertSameCurrency(other);
    return this.withAmount(this.amountMinor + other.amountMinor);
  }

  subtract(other: Money): Money {
    this.assertSameCurrency(other);
    return this.withAmount(this.amountMinor - other.amountMinor);
  }

  negate(): Money {
    return this.withAmount(-this.amountMinor);
  }

  abs(): Money {
    return this.withAmount(Math.abs(this.amountMinor));
  }

  isZero(): boolean {
    return this.amountMinor === 0;
  }

  isPositive(): boolean {
    return this.amountMinor > 0;
  }

  isNegative(): boolean {
    return this.amountMinor < 0;
  }

  /** -1, 0 or 1. Ordering amounts of different currencies is meaningless, so it throws. */
  compare(other: Money): -1 | 0 | 1 {
    this.assertSameCurrency(other);
    if (this.amountMinor === other.amountMinor) return 0;
    return this.amountMinor < other.amountMinor ? -1 : 1;
  }

  /**
   * Value equality. Unlike the ordering methods this does not throw on a currency mismatch:
   * "is 100 CNY the same as 100 USD?" has a well-defined answer, and it is no.
   */
  equals(other: Money): boolean {
    return this.currency === other.currency && this.amountMinor === other.amountMinor;
  }

  greaterThan(other: Money): boolean {
    return this.compare(other) > 0;
  }

  greaterThanOrEqual(other: Money): boolean {
    return this.compare(other) >= 0;
  }

  lessThan(other: Money): boolean {
    return this.compare(other) < 0;
  }

  lessThanOrEqual(other: Money): boolean {
    return this.compare(other) <= 0;
  }

  /**
   * `this × rate`, e.g. a channel fee. The rounding mode is mandatory because who absorbs the
   * sub-fen remainder is a contractual decision, not an implementation detail.
   */
  applyRate(rate: Rate, mode: RoundingMode): Money {
    const result = rate.applyToMinor(BigInt(this.amountMinor), mode);
    // |rate| ≤ 1, so the result is never larger in magnitude than a safe input.
    return this.withAmount(Number(result));
  }

  /**
   * Splits this amount in proportion to integer `weights` using the largest-remainder method:
   * each part first gets its floor share, then the leftover minor units go one each to the parts
   * with the largest discarded fractions (ties to the earlier part). The parts always add up to
   * exactly the original amount, which naive per-part rounding cannot guarantee.
   * Negative amounts are split by magnitude so each part carries the same sign as the whole.
   */
  allocate(weights: number[]): Money[] {
    if (!Array.isArray(weights) || weights.length === 0) {
      throw new MoneyError('MONEY.INVALID_ALLOCATION', 'At least one weight is required');
    }
    for (const weight of weights) {
      // Integer weights only: fractional weights would reintroduce float error into the shares.
      if (!Number.isSafeInteger(weight) || weight < 0) {
        throw new MoneyError(
          'MONEY.INVALID_ALLOCATION',
          `Weights must be non-negative safe integers, got ${String(weight)}`,
        );
      }
    }
    const bigWeights = weights.map((weight) => BigInt(weight));
    const total = bigWeights.reduce((sum, weight) => sum + weight, 0n);
    if (total === 0n) {
      throw new MoneyError('MONEY.INVALID_ALLOCATION', 'Weights must not all be zero');
    }

    const magnitude = BigInt(Math.abs(this.amountMinor));
    const shares = bigWeights.map((weight) => (magnitude * weight) / total);
    const remainders = bigWeights.map((weight) => (magnitude * weight) % total);
    let leftover = magnitude - shares.reduce((sum, share) => sum + share, 0n);

    const order = weights
      .map((_, index) => index)
      .sort((a, b) => {
        const difference = remainders[b] - remainders[a];
        return difference === 0n ? a - b : difference > 0n ? 1 : -1;
      });
    for (const index of order) {
      if (leftover === 0n) break;
      shares[index] += 1n;
      leftover -= 1n;
    }

    const sign = this.amountMinor < 0 ? -1 : 1;
    return shares.map((share) => this.withAmount(sign * Number(share)));
  }

  toJSON(): MoneyJSON {
    return { amountMinor: this.amountMinor, currency: this.currency };
  }

  /** For logs and debugging only; use toDecimalString/toJSON for anything machine-read. */
  toString(): string {
    return `${this.toDecimalString()} ${this.currency}`;
  }

  private withAmount(amountMinor: number): Money {
    if (!Number.isSafeInteger(amountMinor)) {
      // Operands are safe integers, so any sum that lands outside the safe range is detected here
      // before the rounded double could be mistaken for a real amount.
      throw new MoneyError(
        'MONEY.OVERFLOW',
        `Result exceeds the safe integer range for ${this.currency}`,
      );
    }
    return new Money(amountMinor + 0, this.currency);
  }

  private assertSameCurrency(other: Money): void {
    if (this.currency !== other.currency) {
      throw new MoneyError(
        'MONEY.CURRENCY_MISMATCH',
        `Cannot combine ${this.currency} with ${other.currency}`,
      );
    }
  }
}
