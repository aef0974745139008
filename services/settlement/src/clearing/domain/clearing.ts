import { divideRounded, isRoundingMode, Money, Rate, RoundingMode } from '@paylab/money';
import { isId, newId } from '@paylab/ids';
import { ClearingError } from './clearing-error';
import {
  CLEARING_ROUNDING_POLICY,
  ClearingRoundingPolicy,
  FeeSchedule,
  quoteChannelCost,
  quoteMerchantFee,
} from './fee-schedule';

/**
 * The clearing (清分) of one successful payment: how its gross amount divides between the
 * merchant, the platform and the channel. Every amount is in the payment's currency, in minor
 * units. Immutable.
 */
export interface ClearingResult {
  /** `clr_…` */
  readonly clearingId: string;
  /** What the payer paid (交易金额). */
  readonly gross: Money;
  /** What we charge the merchant (商户手续费). 0 ≤ merchantFee ≤ gross. */
  readonly merchantFee: Money;
  /** What the channel charges us (渠道成本). */
  readonly channelCost: Money;
  /** merchantFee − channelCost (平台毛利). Negative when the platform subsidises the merchant. */
  readonly platformMargin: Money;
  /** gross − merchantFee: what we owe the merchant (商户应结金额). */
  readonly merchantNet: Money;
  /** True when platformMargin < 0. Allowed (a promotion, a strategic merchant), but flagged. */
  readonly marginNegative: boolean;
  readonly minimumFeeApplied: boolean;
  /** The minimum fee exceeded the payment, so the fee was capped at gross (merchant nets 0). */
  readonly feeCappedAtGross: boolean;
  readonly merchantFeeRate: Rate;
  readonly channelCostRate: Rate;
  /** The policy used; refunds of this payment must round the same way. */
  readonly rounding: ClearingRoundingPolicy;
}

export interface ClearPaymentInput {
  readonly gross: Money;
  readonly schedule: FeeSchedule;
  /** Defaults to CLEARING_ROUNDING_POLICY. */
  readonly rounding?: ClearingRoundingPolicy;
  /** A `clr_` id to use, e.g. one already reserved for idempotency; a new one otherwise. */
  readonly clearingId?: string;
}

/** Clears one successful payment (支付清分). Throws ClearingError on any bad input. */
export function clearPayment(input: ClearPaymentInput): ClearingResult {
  if (input === null || typeof input !== 'object') {
    throw new ClearingError('CLEARING.INVALID_AMOUNT', 'Clearing input is required');
  }
  const { gross, schedule } = input;
  const rounding = input.rounding ?? CLEARING_ROUNDING_POLICY;
  const clearingId = resolveClearingId(input.clearingId);

  // The quote functions validate gross, schedule and policy.
  const merchantFee = quoteMerchantFee(gross, schedule, rounding);
  const channelCost = quoteChannelCost(gross, schedule, rounding);
  const platformMargin = merchantFee.fee.subtract(channelCost);

  const result: ClearingResult = Object.freeze({
    clearingId,
    gross,
    merchantFee: merchantFee.fee,
    channelCost,
    platformMargin,
    merchantNet: gross.subtract(merchantFee.fee),
    marginNegative: platformMargin.isNegative(),
    minimumFeeApplied: merchantFee.minimumFeeApplied,
    feeCappedAtGross: merchantFee.cappedAtGross,
    merchantFeeRate: schedule.merchantFeeRate,
    channelCostRate: schedule.channelCostRate,
    rounding: Object.freeze({
      merchantFee: rounding.merchantFee,
      channelCost: rounding.channelCost,
    }),
  });
  // Belt and braces: the arithmetic above cannot break these today, but a future edit could, and
  // a wrong clearing silently posted to the ledger is far costlier than an exception here.
  assertClearingInvariants(result);
  return result;
}

/**
 * Checks the invariants every clearing must satisfy. Called on every result we build, and
 * exported so that a clearing rehydrated from a database row or an event can be checked before
 * anything (a refund, a journal) is derived from it.
 */
export function assertClearingInvariants(result: ClearingResult): void {
  const fail = (why: string): never => {
    throw new ClearingError('CLEARING.INVARIANT_VIOLATED', `Clearing invariant violated: ${why}`);
  };
  if (result === null || typeof result !== 'object') fail('result is missing');
  if (!isId(result.clearingId, 'clr')) fail(`clearingId is not a clr_ id: ${result.clearingId}`);
  const amounts = {
    gross: result.gross,
    merchantFee: result.merchantFee,
    channelCost: result.channelCost,
    platformMargin: result.platformMargin,
    merchantNet: result.merchantNet,
  };
  for (const [name, amount] of Object.entries(amounts)) {
    if (!(amount instanceof Money)) fail(`${name} is not Money`);
    if (amount.currency !== result.gross.currency) {
      fail(`${name} is in ${amount.currency}, gross in ${result.gross.currency}`);
    }
  }
  if (!result.gross.isPositive()) fail('gross must be positive');
  if (result.merchantFee.isNegative()) fail('merchantFee must not be negative');
  if (result.merchantFee.greaterThan(result.gross)) fail('merchantFee exceeds gross');
  if (result.channelCost.isNegative()) fail('channelCost must not be negative');
  if (result.channelCost.greaterThan(result.gross)) fail('channelCost exceeds gross');
  if (!result.merchantNet.add(result.merchantFee).equals(result.gross)) {
    fail('merchantNet + merchantFee must equal gross');
  }
  if (!result.merchantFee.subtract(result.channelCost).equals(result.platformMargin)) {
    fail('platformMargin must equal merchantFee − channelCost');
  }
  if (result.marginNegative !== result.platformMargin.isNegative()) {
    fail('marginNegative must say whether platformMargin < 0');
  }
  if (
    result.rounding === null ||
    typeof result.rounding !== 'object' ||
    !isRoundingMode(result.rounding.merchantFee) ||
    !isRoundingMode(result.rounding.channelCost)
  ) {
    fail('rounding policy is missing or invalid');
  }
}

/**
 * The clearing of one (partial) refund (退款清分): how much of the original merchant fee and
 * channel cost goes back. Immutable.
 */
export interface RefundClearing {
  /** `clr_…`: a refund clearing is a clearing record of its own. */
  readonly clearingId: string;
  /** The payment's clearing this refund reverses part of. */
  readonly originalClearingId: string;
  readonly refundAmount: Money;
  /** Merchant fee returned to the merchant (退还商户手续费). */
  readonly merchantFeeRefund: Money;
  /** Channel cost the channel returns to us (渠道退还手续费). */
  readonly channelCostRefund: Money;
  /** merchantFeeRefund − channelCostRefund: margin the platform gives back. */
  readonly platformMarginRefund: Money;
  /** refundAmount − merchantFeeRefund: what the merchant's payable is reduced by. */
  readonly merchantNetRefund: Money;
  /** Gross refunded so far, this refund included. */
  readonly refundedToDate: Money;
  /** True when this refund brings the total refunded to the full gross amount. */
  readonly finalRefund: boolean;
}

export interface ClearRefundOptions {
  /** A `clr_` id to use for the refund clearing; a new one otherwise. */
  readonly clearingId?: string;
}

/**
 * Clears a (partial) refund of a cleared payment, returning the proportional share of the
 * original merchant fee and channel cost, rounded with the original clearing's policy.
 *
 * Why the "remaining" (cumulative) method rather than rounding each refund on its own: rounded
 * shares do not add up. ¥4.00 at a 2-fen fee refunded in four ¥1.00 parts is 0.5 fen each, which
 * HALF_UP makes 1 fen each, 4 fen in all: twice the fee we took. Instead each refund gets
 *
 *     round(refundedToDate × fee / gross) − (fee refunds already made)
 *
 * i.e. the rounded share of everything refunded so far, minus what was already given back. The
 * refund that completes the gross amount therefore takes exactly the remainder, `fee − previous`,
 * so the fee refunds always sum to exactly the original fee; and because rounding is monotone no
 * refund's share is ever negative (the naive "round each, last takes the rest" can go negative:
 * 1 + 1 + 1 then 2 − 3 = −1 in the example above).
 *
 * `previousRefunds` are the refund clearings already made for this payment, in any order (none
 * for the first refund). They are checked: each must belong to `originalClearing`, appear once,
 * and their fee refunds must be what this method would have produced, otherwise the history is
 * corrupt and deriving anything more from it would spread the damage.
 */
export function clearRefund(
  refundAmount: Money,
  originalClearing: ClearingResult,
  previousRefunds: readonly RefundClearing[] = [],
  options: ClearRefundOptions = {},
): RefundClearing {
  assertClearingInvariants(originalClearing);
  const { gross, merchantFee, channelCost, rounding } = originalClearing;
  if (!(refundAmount instanceof Money)) {
    throw new ClearingError('CLEARING.INVALID_AMOUNT', 'refundAmount must be Money');
  }
  if (refundAmount.currency !== gross.currency) {
    throw new ClearingError(
      'CLEARING.CURRENCY_MISMATCH',
      `Refund is in ${refundAmount.currency} but the payment is in ${gross.currency}`,
    );
  }
  if (!refundAmount.isPositive()) {
    throw new ClearingError(
      'CLEARING.NON_POSITIVE_REFUND',
      `refundAmount must be positive, got ${refundAmount.toString()}`,
    );
  }
  if (!Array.isArray(previousRefunds)) {
    throw new ClearingError(
      'CLEARING.INCONSISTENT_REFUND_HISTORY',
      'previousRefunds must be a list',
    );
  }
  const clearingId = resolveClearingId(options.clearingId);

  const seen = new Set<string>([originalClearing.clearingId]);
  let refundedBefore = Money.zero(gross.currency);
  let feeRefundedBefore = Money.zero(gross.currency);
  let costRefundedBefore = Money.zero(gross.currency);
  for (const previous of previousRefunds) {
    if (previous.originalClearingId !== originalClearing.clearingId) {
      throw new ClearingError(
        'CLEARING.FOREIGN_REFUND',
        `Refund clearing ${previous.clearingId} belongs to ${previous.originalClearingId}, ` +
          `not ${originalClearing.clearingId}`,
      );
    }
    if (seen.has(previous.clearingId)) {
      throw new ClearingError(
        'CLEARING.DUPLICATE_REFUND',
        `Refund clearing ${previous.clearingId} appears more than once`,
      );
    }
    seen.add(previous.clearingId);
    for (const amount of [
      previous.refundAmount,
      previous.merchantFeeRefund,
      previous.channelCostRefund,
    ]) {
      if (!(amount instanceof Money) || amount.currency !== gross.currency) {
        throw new ClearingError(
          'CLEARING.INCONSISTENT_REFUND_HISTORY',
          `Refund clearing ${previous.clearingId} has an amount that is not ${gross.currency} Money`,
        );
      }
    }
    refundedBefore = refundedBefore.add(previous.refundAmount);
    feeRefundedBefore = feeRefundedBefore.add(previous.merchantFeeRefund);
    costRefundedBefore = costRefundedBefore.add(previous.channelCostRefund);
  }

  if (seen.has(clearingId)) {
    // A reused id would make the new refund indistinguishable from an earlier record.
    throw new ClearingError(
      'CLEARING.DUPLICATE_REFUND',
      `Clearing id ${clearingId} is already used by this payment or one of its refunds`,
    );
  }
  if (refundedBefore.greaterThan(gross)) {
    throw new ClearingError(
      'CLEARING.INCONSISTENT_REFUND_HISTORY',
      `Previous refunds total ${refundedBefore.toString()}, more than the ${gross.toString()} paid`,
    );
  }
  const refundedToDate = refundedBefore.add(refundAmount);
  if (refundedToDate.greaterThan(gross)) {
    throw new ClearingError(
      'CLEARING.REFUND_EXCEEDS_GROSS',
      `Refunding ${refundAmount.toString()} would bring refunds to ${refundedToDate.toString()}, ` +
        `more than the ${gross.toString()} paid (already refunded ${refundedBefore.toString()})`,
    );
  }

  const feeShare = (refunded: Money) =>
    proportionalShare(merchantFee, refunded, gross, rounding.merchantFee);
  const costShare = (refunded: Money) =>
    proportionalShare(channelCost, refunded, gross, rounding.channelCost);
  if (
    !feeShare(refundedBefore).equals(feeRefundedBefore) ||
    !costShare(refundedBefore).equals(costRefundedBefore)
  ) {
    throw new ClearingError(
      'CLEARING.INCONSISTENT_REFUND_HISTORY',
      `Previous refund clearings of ${originalClearing.clearingId} returned fees that do not ` +
        `match ${refundedBefore.toString()} refunded so far`,
    );
  }

  const merchantFeeRefund = feeShare(refundedToDate).subtract(feeRefundedBefore);
  const channelCostRefund = costShare(refundedToDate).subtract(costRefundedBefore);
  const result: RefundClearing = Object.freeze({
    clearingId,
    originalClearingId: originalClearing.clearingId,
    refundAmount,
    merchantFeeRefund,
    channelCostRefund,
    platformMarginRefund: merchantFeeRefund.subtract(channelCostRefund),
    merchantNetRefund: refundAmount.subtract(merchantFeeRefund),
    refundedToDate,
    finalRefund: refundedToDate.equals(gross),
  });
  assertRefundInvariants(result);
  return result;
}

/**
 * `total × part / whole`, rounded with `mode`. BigInt because amount × amount leaves the range
 * where doubles are exact long before either amount does. With part = whole the result is exactly
 * `total` whatever the mode, which is what makes the last refund take the remainder.
 */
function proportionalShare(total: Money, part: Money, whole: Money, mode: RoundingMode): Money {
  const share = divideRounded(
    BigInt(total.amountMinor) * BigInt(part.amountMinor),
    BigInt(whole.amountMinor),
    mode,
  );
  return Money.of(Number(share), total.currency);
}

function assertRefundInvariants(refund: RefundClearing): void {
  const fail = (why: string): never => {
    throw new ClearingError('CLEARING.INVARIANT_VIOLATED', `Refund clearing invariant: ${why}`);
  };
  if (refund.merchantFeeRefund.isNegative()) fail('merchantFeeRefund is negative');
  if (refund.channelCostRefund.isNegative()) fail('channelCostRefund is negative');
  if (refund.merchantFeeRefund.greaterThan(refund.refundAmount)) {
    fail('merchantFeeRefund exceeds refundAmount');
  }
  if (refund.channelCostRefund.greaterThan(refund.refundAmount)) {
    fail('channelCostRefund exceeds refundAmount');
  }
}

function resolveClearingId(candidate: string | undefined): string {
  if (candidate === undefined) return newId('clr');
  if (!isId(candidate, 'clr')) {
    throw new ClearingError('CLEARING.INVALID_ID', `Not a clr_ id: ${String(candidate)}`);
  }
  return candidate;
}
