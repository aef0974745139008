import { addDays } from '../../calendar/domain/business-date';
import {
  cycleDays,
  describeCycle,
  type SettlementTerms,
} from '../../terms/domain/settlement-terms';

/** A merchant's not-yet-batched items of one business date, summed (one row of the aggregate). */
export interface DayTotals {
  readonly businessDate: string;
  readonly itemCount: number;
  readonly paymentCount: number;
  readonly refundCount: number;
  readonly latePaymentReturnCount: number;
  readonly grossMinor: number;
  readonly feeMinor: number;
  readonly refundMinor: number;
  readonly netMinor: number;
}

/** Where the merchant's previous batch left off: the bounds of what it (and all before it) owned. */
export interface PreviousBounds {
  readonly itemsThroughSeq: number;
  readonly dueThrough: string | null;
}

export interface BatchPlanInput {
  readonly merchantId: string;
  readonly currency: string;
  readonly settlementDate: string;
  readonly terms: SettlementTerms;
  /** The highest item seq committed when the run started: items after it wait for the next run. */
  readonly watermarkSeq: number;
  readonly previous: PreviousBounds;
  /** Unowned items per business date, all of them (due or not): the plan picks the due ones. */
  readonly days: readonly DayTotals[];
  /** The merchant's available balance (可结算余额) before this batch, released reserves included. */
  readonly availableMinor: number;
  /** Reserve holds already released to available and not yet reported in a batch. */
  readonly releasedReserveMinor: number;
  /** True if an earlier batch failed (or was never paid) and its money waits in available. */
  readonly hasUnpaidBatch: boolean;
}

export interface BatchPlan {
  readonly merchantId: string;
  readonly currency: string;
  readonly settlementDate: string;
  readonly cycle: string;
  readonly termsVersion: number;
  readonly itemsThroughSeq: number;
  readonly dueThrough: string;
  readonly previous: PreviousBounds;
  readonly itemCount: number;
  readonly paymentCount: number;
  readonly refundCount: number;
  readonly latePaymentReturnCount: number;
  readonly grossMinor: number;
  readonly feeMinor: number;
  readonly refundMinor: number;
  readonly itemsNetMinor: number;
  readonly reserveHeldMinor: number;
  readonly reserveReleasedMinor: number;
  readonly carriedInMinor: number;
  readonly netMinor: number;
  readonly minimumPayoutMinor: number;
  /** Release date of the reserve held, if any. */
  readonly reserveReleaseDate: string | null;
  readonly state: 'CREATED' | 'CARRIED_FORWARD';
  /** Why the batch is carried forward rather than paid, in words. */
  readonly carriedForwardReason: string | null;
}

const BASIS_POINTS = 10_000;

/**
 * Plans one merchant's batch for a settlement date, or returns null when there is nothing to
 * settle (no due items, no released reserve, no failed payout to carry). Pure arithmetic in
 * integer fen; the caller writes the plan, its journal entry and its reserve hold in one
 * transaction.
 *
 * - Due items: business date ≤ settlementDate − N for T+N (≤ settlementDate for D+0). The due
 *   bound never moves back, so terms changed from T+1 to T+3 do not strand items already due.
 * - Reserve (滚动保证金): percentBp of a positive items net, rounded down to the fen (the merchant
 *   is never held more than the percentage), released holdDays later.
 * - Net = carriedIn + itemsNet − reserveHeld + reserveReleased, where carriedIn is the available
 *   balance before this batch's own release. A net ≤ 0 or below the minimum payout is carried
 *   forward (留存): it stays in available and the next batch starts from it; never paid negative.
 */
export function planBatch(input: BatchPlanInput): BatchPlan | null {
  const { terms, settlementDate, previous } = input;
  const dueLimit = addDays(settlementDate, -cycleDays(terms.cycle));
  const dueThrough =
    previous.dueThrough !== null && previous.dueThrough > dueLimit ? previous.dueThrough : dueLimit;
  const due = input.days.filter((day) => day.businessDate <= dueThrough);
  const sum = (pick: (day: DayTotals) => number) =>
    due.reduce((total, day) => total + pick(day), 0);

  const itemCount = sum((day) => day.itemCount);
  if (itemCount === 0 && input.releasedReserveMinor === 0 && !input.hasUnpaidBatch) return null;

  const itemsNetMinor = sum((day) => day.netMinor);
  const reserveHeldMinor =
    terms.reserve && itemsNetMinor > 0
      ? Math.floor((itemsNetMinor * terms.reserve.percentBp) / BASIS_POINTS)
      : 0;
  const carriedInMinor = input.availableMinor - input.releasedReserveMinor;
  const netMinor = carriedInMinor + itemsNetMinor - reserveHeldMinor + input.releasedReserveMinor;
  const payable = Math.max(terms.minimumPayoutMinor, 1);
  const carriedForwardReason =
    netMinor <= 0
      ? netMinor < 0
        ? 'negative net carried forward (负数结转)'
        : 'nothing to pay'
      : netMinor < payable
        ? `net below the minimum payout of ${terms.minimumPayoutMinor} fen (未达最低结算金额)`
        : null;

  for (const value of [itemsNetMinor, netMinor, carriedInMinor]) {
    if (!Number.isSafeInteger(value)) throw new RangeError(`batch total out of range: ${value}`);
  }

  return {
    merchantId: input.merchantId,
    currency: input.currency,
    settlementDate,
    cycle: describeCycle(terms.cycle),
    termsVersion: terms.version,
    itemsThroughSeq: Math.max(input.watermarkSeq, previous.itemsThroughSeq),
    dueThrough,
    previous,
    itemCount,
    paymentCount: sum((day) => day.paymentCount),
    refundCount: sum((day) => day.refundCount),
    latePaymentReturnCount: sum((day) => day.latePaymentReturnCount),
    grossMinor: sum((day) => day.grossMinor),
    feeMinor: sum((day) => day.feeMinor),
    refundMinor: sum((day) => day.refundMinor),
    itemsNetMinor,
    reserveHeldMinor,
    reserveReleasedMinor: input.releasedReserveMinor,
    carriedInMinor,
    netMinor,
    minimumPayoutMinor: terms.minimumPayoutMinor,
    reserveReleaseDate:
      reserveHeldMinor > 0 && terms.reserve
        ? addDays(settlementDate, terms.reserve.holdDays)
        : null,
    state: carriedForwardReason === null ? 'CREATED' : 'CARRIED_FORWARD',
    carriedForwardReason,
  };
}
