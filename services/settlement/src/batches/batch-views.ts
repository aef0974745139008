import type { PayloadOf, SettlementBatchCreated } from '@paylab/contracts';

type Totals = PayloadOf<typeof SettlementBatchCreated>['totals'];

interface TotalsSource {
  readonly currency: string;
  readonly grossMinor: number;
  readonly feeMinor: number;
  readonly refundMinor: number;
  readonly itemsNetMinor: number;
  readonly reserveHeldMinor: number;
  readonly reserveReleasedMinor: number;
  readonly carriedInMinor: number;
  readonly netMinor: number;
}

/** A batch's totals as the contracts carry them (money objects in the batch currency). */
export function settlementTotalsOf(batch: TotalsSource): Totals {
  const money = (amountMinor: number) => ({
    amountMinor,
    currency: batch.currency.trim() as Totals['net']['currency'],
  });
  return {
    gross: money(batch.grossMinor),
    fees: money(batch.feeMinor),
    refunds: money(batch.refundMinor),
    itemsNet: money(batch.itemsNetMinor),
    reserveHeld: money(batch.reserveHeldMinor),
    reserveReleased: money(batch.reserveReleasedMinor),
    carriedIn: money(batch.carriedInMinor),
    net: money(batch.netMinor),
  };
}
