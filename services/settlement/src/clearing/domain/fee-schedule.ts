import { isRoundingMode, Money, Rate, RoundingMode } from '@paylab/money';
import { ClearingError } from './clearing-error';

/**
 * Which way the sub-fen remainder goes for each amount clearing (清分) computes. Stored on every
 * clearing result so that refunds of that payment are cleared with the same rules, even if the
 * policy below is changed later.
 */
export interface ClearingRoundingPolicy {
  /** Merchant fee (商户手续费): what we charge the merchant. */
  readonly merchantFee: RoundingMode;
  /** Channel cost (渠道成本): what the channel charges us. */
  readonly channelCost: RoundingMode;
}

/**
 * PayLab's clearing rounding policy (清分舍入规则).
 *
 * - merchantFee HALF_UP (四舍五入) to the fen: this is the figure merchants see on their
 *   statements and check against their contract, and 四舍五入 is what a contract rate means to
 *   them. ¥1.00 at 0.60 % = 0.6 fen → 1 fen; ¥0.01 at 0.60 % = 0.006 fen → 0 fen.
 * - channelCost HALF_UP too: Alipay and WeChat Pay statements show the per-transaction 手续费
 *   rounded half-up to the fen. Our channel cost must equal their figure exactly, line by line,
 *   or reconciliation would report a FEE_MISMATCH for every transaction whose cost ends in a
 *   half fen or more. Matching the channel beats any preference of ours here.
 *
 * Both amounts are rounded per transaction, never accumulated and rounded at the end, because
 * statements on both sides are per transaction.
 */
export const CLEARING_ROUNDING_POLICY: ClearingRoundingPolicy = Object.freeze({
  merchantFee: 'HALF_UP',
  channelCost: 'HALF_UP',
});

/**
 * The rates that apply to one payment (费率表): the merchant's contracted rate, our cost at the
 * channel that carried the payment, and an optional minimum merchant fee per transaction (保底
 * 手续费). Rates are integer ppm (`Rate`), never floats: 0.60 % is `Rate.ppm(6000)`.
 */
export interface FeeSchedule {
  readonly merchantFeeRate: Rate;
  readonly channelCostRate: Rate;
  readonly minimumMerchantFee?: Money;
}

/** Validates and freezes a fee schedule; use it where schedules come from config or a DB row. */
export function feeSchedule(input: FeeSchedule): FeeSchedule {
  assertFeeSchedule(input);
  return Object.freeze({
    merchantFeeRate: input.merchantFeeRate,
    channelCostRate: input.channelCostRate,
    ...(input.minimumMerchantFee === undefined
      ? {}
      : { minimumMerchantFee: input.minimumMerchantFee }),
  });
}

/** Runtime checks, because schedules are assembled from untyped sources (config, rows, JSON). */
export function assertFeeSchedule(schedule: FeeSchedule): void {
  if (schedule === null || typeof schedule !== 'object') {
    throw new ClearingError('CLEARING.INVALID_FEE_SCHEDULE', 'Fee schedule is required');
  }
  if (!(schedule.merchantFeeRate instanceof Rate)) {
    throw new ClearingError('CLEARING.INVALID_FEE_SCHEDULE', 'merchantFeeRate must be a Rate');
  }
  if (!(schedule.channelCostRate instanceof Rate)) {
    throw new ClearingError('CLEARING.INVALID_FEE_SCHEDULE', 'channelCostRate must be a Rate');
  }
  const minimum = schedule.minimumMerchantFee;
  if (minimum !== undefined) {
    if (!(minimum instanceof Money)) {
      throw new ClearingError(
        'CLEARING.INVALID_FEE_SCHEDULE',
        'minimumMerchantFee must be Money when given',
      );
    }
    if (minimum.isNegative()) {
      throw new ClearingError(
        'CLEARING.INVALID_FEE_SCHEDULE',
        `minimumMerchantFee must not be negative, got ${minimum.toString()}`,
      );
    }
  }
}

/** A bad mode in a policy read from config must fail at once, not on the first odd amount. */
export function assertRoundingPolicy(policy: ClearingRoundingPolicy): void {
  if (policy === null || typeof policy !== 'object') {
    throw new ClearingError('CLEARING.INVALID_ROUNDING_POLICY', 'Rounding policy is required');
  }
  for (const key of ['merchantFee', 'channelCost'] as const) {
    if (!isRoundingMode(policy[key])) {
      throw new ClearingError(
        'CLEARING.INVALID_ROUNDING_POLICY',
        `Unknown rounding mode for ${key}: ${String(policy[key] as unknown)}`,
      );
    }
  }
}

/** Only a positive amount can have been paid, so only a positive amount can be cleared. */
export function assertPositiveGross(gross: Money): void {
  if (!(gross instanceof Money)) {
    throw new ClearingError('CLEARING.INVALID_AMOUNT', 'gross must be Money');
  }
  if (!gross.isPositive()) {
    throw new ClearingError(
      'CLEARING.NON_POSITIVE_GROSS',
      `gross must be positive, got ${gross.toString()}`,
    );
  }
}

export interface MerchantFeeQuote {
  readonly fee: Money;
  /** The rate-based fee was below the schedule's minimum, so the minimum was charged. */
  readonly minimumFeeApplied: boolean;
  /** The minimum exceeded the payment itself, so the fee was limited to the gross amount. */
  readonly cappedAtGross: boolean;
}

/**
 * Merchant fee (商户手续费) for one payment: `gross × merchantFeeRate`, rounded per `rounding`,
 * then raised to the minimum fee if there is one.
 *
 * Why the minimum is applied after rounding: the contract says "0.60 %, at least ¥0.10", and the
 * 0.60 % part is itself an amount in fen before it is compared with ¥0.10.
 *
 * Why the fee is capped at the gross amount instead of throwing when a minimum fee exceeds a tiny
 * payment: the payer has already paid and the channel holds the money, so the payment must be
 * clearable; refusing would leave real money unbooked and block the consumer forever. Charging
 * more than the payment would make the merchant's net negative for a single payment, which the
 * pending payable (an amount we owe) cannot represent. So the merchant nets zero.
 */
export function quoteMerchantFee(
  gross: Money,
  schedule: FeeSchedule,
  rounding: ClearingRoundingPolicy = CLEARING_ROUNDING_POLICY,
): MerchantFeeQuote {
  assertPositiveGross(gross);
  assertFeeSchedule(schedule);
  assertRoundingPolicy(rounding);

  let fee = gross.applyRate(schedule.merchantFeeRate, rounding.merchantFee);
  let minimumFeeApplied = false;
  const minimum = schedule.minimumMerchantFee;
  if (minimum !== undefined) {
    assertSameCurrency(gross, minimum, 'minimumMerchantFee');
    if (fee.lessThan(minimum)) {
      fee = minimum;
      minimumFeeApplied = true;
    }
  }
  let cappedAtGross = false;
  if (fee.greaterThan(gross)) {
    fee = gross;
    cappedAtGross = true;
  }
  return Object.freeze({ fee, minimumFeeApplied, cappedAtGross });
}

/**
 * Channel cost (渠道成本) for one payment: `gross × channelCostRate`, rounded per `rounding`.
 * No minimum: the sandboxed channels, like Alipay and WeChat Pay, charge a pure percentage.
 */
export function quoteChannelCost(
  gross: Money,
  schedule: FeeSchedule,
  rounding: ClearingRoundingPolicy = CLEARING_ROUNDING_POLICY,
): Money {
  assertPositiveGross(gross);
  assertFeeSchedule(schedule);
  assertRoundingPolicy(rounding);
  return gross.applyRate(schedule.channelCostRate, rounding.channelCost);
}

function assertSameCurrency(expected: Money, actual: Money, what: string): void {
  if (expected.currency !== actual.currency) {
    throw new ClearingError(
      'CLEARING.CURRENCY_MISMATCH',
      `${what} is in ${actual.currency} but the payment is in ${expected.currency}`,
    );
  }
}
