import { ZERO_SUBLEDGERS, type SubLedgerTotals } from './domain/accounting-identities';

/**
 * The sub-ledger totals (明细账合计) the accounting identities compare the merchant accounts with,
 * each summed from its own settlement table. One statement, shared by the books' close and by
 * `npm run check:invariants`, so the two can never check different things.
 */
export const SUBLEDGER_TOTALS_SQL = `
  SELECT currency, total, SUM(amount)::text AS amount FROM (
    SELECT currency, 'unbatchedItemsNetMinor' AS total, net_minor AS amount
      FROM "settlement"."unbatched_settlement_items"
    UNION ALL
    SELECT currency, CASE WHEN released_on IS NULL THEN 'heldReserveMinor' ELSE 'releasedReserveMinor' END,
           amount_minor
      FROM "settlement"."reserve_holds"
    UNION ALL
    SELECT currency, 'batchedNetLessReserveMinor', items_net_minor - reserve_held_minor
      FROM "settlement"."settlement_batches"
    UNION ALL
    SELECT currency, 'inFlightPayoutsMinor', amount_minor
      FROM "settlement"."payouts" WHERE state IN ('SUBMITTING', 'SENT', 'UNKNOWN')
    UNION ALL
    SELECT currency, 'paidPayoutsMinor', amount_minor FROM "settlement"."payouts" WHERE state = 'PAID'
    UNION ALL
    SELECT currency, 'unfailedPayoutsMinor', amount_minor FROM "settlement"."payouts" WHERE state <> 'FAILED'
  ) totals
  GROUP BY currency, total`;

export interface SubLedgerTotalRow {
  currency: string;
  total: keyof Omit<SubLedgerTotals, 'currency'>;
  amount: string;
}

export function foldSubLedgerTotals(rows: readonly SubLedgerTotalRow[]): SubLedgerTotals[] {
  const byCurrency = new Map<string, SubLedgerTotals>();
  for (const row of rows) {
    const currency = row.currency.trim();
    const current = byCurrency.get(currency) ?? ZERO_SUBLEDGERS(currency);
    byCurrency.set(currency, { ...current, [row.total]: BigInt(row.amount) });
  }
  return [...byCurrency.values()];
}
