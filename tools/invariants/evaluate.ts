/**
 * The invariant checks of `npm run check:invariants`, as pure functions of the rows the tool reads
 * (so they are unit-tested without a database). Amounts are bigint minor units: sums over many
 * rows may leave the range where a double is exact.
 */

export type CheckStatus = 'OK' | 'BREACH' | 'NOT_PRESENT';

export interface Breach {
  /** The offending id: txn_…, pay_…, clr_…, jnl_…, or a currency. */
  readonly id: string;
  readonly reason: string;
}

export interface CheckResult {
  /** (a) … (e), as the tool prints them. */
  readonly key: string;
  readonly title: string;
  readonly status: CheckStatus;
  /** How many things were checked. */
  readonly checked: number;
  /** Named counts printed beside the result, e.g. late payments still being returned. */
  readonly counts: Readonly<Record<string, number>>;
  readonly breaches: readonly Breach[];
  /** Remarks, e.g. a table that does not exist yet. */
  readonly notes: readonly string[];
}

function result(
  key: string,
  title: string,
  checked: number,
  counts: Record<string, number>,
  breaches: Breach[],
  notes: string[] = [],
): CheckResult {
  return {
    key,
    title,
    status: breaches.length > 0 ? 'BREACH' : 'OK',
    checked,
    counts,
    breaches,
    notes,
  };
}

/** A check the tool cannot run because what it reads does not exist on this database (yet). */
export function notPresent(key: string, title: string, what: string): CheckResult {
  return {
    key,
    title,
    status: 'NOT_PRESENT',
    checked: 0,
    counts: {},
    breaches: [],
    notes: [`${what} not present`],
  };
}

// ---- (a) every paid channel transaction has a verdict --------------------------------------

export interface PaidTransaction {
  readonly transactionId: string;
  readonly paidAt: Date;
}

export type ReturnState = 'SUCCEEDED' | 'PENDING' | 'FAILED';

export interface LatePaymentRow {
  readonly transactionId: string;
  /** The state of its return refund, as cashier knows it. */
  readonly returnState: ReturnState;
  readonly recordedAt: Date;
}

export type Verdict = 'ORDER' | 'LATE_RETURNED' | 'LATE_RETURN_PENDING';

export interface VerdictCheck {
  readonly result: CheckResult;
  /** What each transaction without a breach turned out to be; (b) builds on it. */
  readonly verdicts: ReadonlyMap<string, Verdict>;
}

/**
 * (a) Every SUCCEEDED channel transaction is the transaction of a SUCCEEDED order, or a late
 * payment whose return refund succeeded (or is PENDING and younger than the grace period, counted
 * apart). Anything else is money we took with no order to show for it.
 */
export function checkVerdicts(
  transactions: readonly PaidTransaction[],
  succeededOrderTransactions: ReadonlySet<string>,
  latePayments: ReadonlyMap<string, LatePaymentRow>,
  now: Date,
  graceMs: number,
): VerdictCheck {
  const verdicts = new Map<string, Verdict>();
  const breaches: Breach[] = [];
  const counts = { succeededOrders: 0, latePaymentsReturned: 0, latePaymentReturnsPending: 0 };
  for (const { transactionId } of transactions) {
    const isOrder = succeededOrderTransactions.has(transactionId);
    const late = latePayments.get(transactionId);
    if (isOrder && late) {
      breaches.push({
        id: transactionId,
        reason: 'both the transaction of a SUCCEEDED order and a late payment',
      });
    } else if (isOrder) {
      verdicts.set(transactionId, 'ORDER');
      counts.succeededOrders += 1;
    } else if (!late) {
      breaches.push({
        id: transactionId,
        reason: 'paid at the channel, but no SUCCEEDED order and no late payment',
      });
    } else if (late.returnState === 'SUCCEEDED') {
      verdicts.set(transactionId, 'LATE_RETURNED');
      counts.latePaymentsReturned += 1;
    } else if (
      late.returnState === 'PENDING' &&
      now.getTime() - late.recordedAt.getTime() <= graceMs
    ) {
      verdicts.set(transactionId, 'LATE_RETURN_PENDING');
      counts.latePaymentReturnsPending += 1;
    } else {
      breaches.push({
        id: transactionId,
        reason:
          late.returnState === 'FAILED'
            ? 'late payment whose return refund FAILED'
            : `late payment whose return is still PENDING after the ${Math.round(graceMs / 60_000)} min grace period`,
      });
    }
  }
  return {
    verdicts,
    result: result(
      '(a)',
      'every SUCCEEDED channel transaction is a SUCCEEDED order or a returned late payment',
      transactions.length,
      counts,
      breaches,
    ),
  };
}

// ---- (b) cleared exactly once ---------------------------------------------------------------

export interface ClearingCount {
  readonly paymentClearings: number;
  readonly suspenseClearings: number;
}

/**
 * (b) Each paid transaction is cleared exactly once in settlement: an order's as one payment
 * clearing (the merchant's money), a late payment's as one suspense clearing, never both.
 */
export function checkClearedOnce(
  transactions: readonly PaidTransaction[],
  verdicts: ReadonlyMap<string, Verdict>,
  clearings: ReadonlyMap<string, ClearingCount>,
): CheckResult {
  const breaches: Breach[] = [];
  const counts = { paymentClearings: 0, suspenseClearings: 0 };
  for (const { transactionId } of transactions) {
    const found = clearings.get(transactionId) ?? { paymentClearings: 0, suspenseClearings: 0 };
    counts.paymentClearings += found.paymentClearings;
    counts.suspenseClearings += found.suspenseClearings;
    const verdict = verdicts.get(transactionId);
    const described = `${found.paymentClearings} payment clearing(s), ${found.suspenseClearings} suspense clearing(s)`;
    const total = found.paymentClearings + found.suspenseClearings;
    if (total !== 1) {
      breaches.push({
        id: transactionId,
        reason:
          total === 0 ? `not cleared (${described})` : `cleared ${total} times (${described})`,
      });
    } else if (verdict === 'ORDER' && found.paymentClearings !== 1) {
      breaches.push({
        id: transactionId,
        reason: `a paid order cleared into suspense (${described})`,
      });
    } else if (
      (verdict === 'LATE_RETURNED' || verdict === 'LATE_RETURN_PENDING') &&
      found.suspenseClearings !== 1
    ) {
      breaches.push({
        id: transactionId,
        reason: `a late payment cleared as the merchant's money (${described})`,
      });
    }
  }
  return result(
    '(b)',
    'each paid channel transaction is cleared exactly once (payment or suspense)',
    transactions.length,
    counts,
    breaches,
  );
}

// ---- (c) refunds never exceed payments ------------------------------------------------------

export interface RefundTotal {
  /** What the limit is about: pay_…, txn_… or clr_…. */
  readonly id: string;
  readonly paidMinor: bigint;
  readonly refundedMinor: bigint;
}

/** (c) One level of "refunds ≤ payment": cashier's orders, acquiring's transactions or settlement's clearings. */
export function checkRefundLimits(
  key: string,
  title: string,
  totals: readonly RefundTotal[],
): CheckResult {
  const breaches = totals
    .filter((total) => total.refundedMinor > total.paidMinor)
    .map((total) => ({
      id: total.id,
      reason: `refunds ${total.refundedMinor} exceed the ${total.paidMinor} paid`,
    }));
  return result(
    key,
    title,
    totals.length,
    { withRefunds: totals.filter((total) => total.refundedMinor > 0n).length },
    breaches,
  );
}

// ---- (d) the ledger balances ----------------------------------------------------------------

export interface EntryTotals {
  readonly entryId: string;
  readonly lines: number;
  readonly currencies: number;
  readonly debits: bigint;
  readonly credits: bigint;
}

export interface CurrencyTotals {
  readonly currency: string;
  readonly debits: bigint;
  readonly credits: bigint;
}

/** (d) Every journal entry balances on its own (≥ 2 lines, one currency), and so do the totals. */
export function checkLedger(
  entries: readonly EntryTotals[],
  totals: readonly CurrencyTotals[],
): CheckResult {
  const breaches: Breach[] = [];
  for (const entry of entries) {
    if (entry.lines < 2) breaches.push({ id: entry.entryId, reason: `${entry.lines} line(s)` });
    else if (entry.currencies !== 1)
      breaches.push({ id: entry.entryId, reason: 'mixes currencies' });
    else if (entry.debits !== entry.credits) {
      breaches.push({
        id: entry.entryId,
        reason: `unbalanced: debits ${entry.debits} ≠ credits ${entry.credits}`,
      });
    }
  }
  for (const total of totals) {
    if (total.debits !== total.credits) {
      breaches.push({
        id: total.currency,
        reason: `trial balance: debits ${total.debits} ≠ credits ${total.credits}`,
      });
    }
  }
  return result(
    '(d)',
    'every journal entry balances, and so does the trial balance',
    entries.length,
    { currencies: totals.length },
    breaches,
  );
}

// ---- (e) the suspense account ---------------------------------------------------------------

/**
 * (e) LATE_PAYMENT_SUSPENSE holds exactly the late payments not yet returned: its credit balance
 * per currency equals their sum.
 */
export function checkSuspense(
  suspenseBalance: ReadonlyMap<string, bigint>,
  unreturnedLatePayments: ReadonlyMap<string, bigint>,
  unreturnedCount: number,
): CheckResult {
  const breaches: Breach[] = [];
  const currencies = new Set([...suspenseBalance.keys(), ...unreturnedLatePayments.keys()]);
  for (const currency of [...currencies].sort()) {
    const balance = suspenseBalance.get(currency) ?? 0n;
    const expected = unreturnedLatePayments.get(currency) ?? 0n;
    if (balance !== expected) {
      breaches.push({
        id: currency,
        reason: `LATE_PAYMENT_SUSPENSE balance ${balance} ≠ ${expected} of late payments not yet returned`,
      });
    }
  }
  return result(
    '(e)',
    'LATE_PAYMENT_SUSPENSE equals the late payments not yet returned',
    currencies.size,
    { unreturnedLatePayments: unreturnedCount },
    breaches,
  );
}

// ---- (f) … (i) settlement: items, batches, payouts, the merchant accounts ---------------------

export interface ExpectedItem {
  /** The clearing that moved the money (clr_…). */
  readonly sourceId: string;
  readonly kind: 'PAYMENT' | 'REFUND' | 'LATE_PAYMENT_RETURN';
  readonly merchantId: string;
  /** The signed effect on what we owe the merchant, as the clearing booked it. */
  readonly netMinor: bigint;
}

export interface RecordedItem {
  readonly count: number;
  readonly merchantId: string;
  readonly netMinor: bigint;
}

/**
 * (f) Every clearing of a merchant's money has exactly one settlement item, for the same merchant
 * and the same signed net: what a batch settles is what clearing booked, nothing lost or doubled.
 */
export function checkSettlementItems(
  expected: readonly ExpectedItem[],
  recorded: ReadonlyMap<string, RecordedItem>,
  orphanItems: readonly string[],
): CheckResult {
  const breaches: Breach[] = [];
  for (const clearing of expected) {
    const item = recorded.get(clearing.sourceId);
    if (!item) {
      breaches.push({
        id: clearing.sourceId,
        reason: `${clearing.kind} clearing has no settlement item`,
      });
    } else if (item.count !== 1) {
      breaches.push({ id: clearing.sourceId, reason: `${item.count} settlement items` });
    } else if (item.merchantId !== clearing.merchantId || item.netMinor !== clearing.netMinor) {
      breaches.push({
        id: clearing.sourceId,
        reason: `item says ${item.merchantId} ${item.netMinor}, clearing ${clearing.merchantId} ${clearing.netMinor}`,
      });
    }
  }
  for (const id of orphanItems) {
    breaches.push({ id, reason: 'settlement item without a clearing' });
  }
  return result(
    '(f)',
    'each clearing of merchant money has exactly one settlement item, with its net',
    expected.length,
    {},
    breaches,
  );
}

export interface BatchAmounts {
  readonly count: number;
  readonly grossMinor: bigint;
  readonly feeMinor: bigint;
  readonly refundMinor: bigint;
  readonly netMinor: bigint;
}

export interface BatchRow {
  readonly id: string;
  readonly merchantId: string;
  readonly currency: string;
  readonly settlementDate: string;
  readonly state: string;
  readonly itemsThroughSeq: bigint;
  readonly dueThrough: string;
  readonly prevItemsThroughSeq: bigint;
  readonly prevDueThrough: string | null;
  /** What the batch row says. */
  readonly stored: BatchAmounts & {
    readonly reserveHeldMinor: bigint;
    readonly reserveReleasedMinor: bigint;
    readonly carriedInMinor: bigint;
    readonly totalNetMinor: bigint;
  };
  /** What its items add up to, re-read from settlement_items through the ownership bounds. */
  readonly owned: BatchAmounts;
  readonly payouts: ReadonlyArray<{
    readonly id: string;
    readonly state: string;
    readonly amountMinor: bigint;
  }>;
}

/**
 * (g) Every batch's totals are its items' (re-added through its bounds), its net follows from
 * them, and each merchant's batches chain: a batch starts where the one before it ended, and the
 * bounds only grow, so no item is ever in two batches or in none.
 */
export function checkBatches(batches: readonly BatchRow[]): CheckResult {
  const breaches: Breach[] = [];
  const last = new Map<string, BatchRow>();
  const ordered = [...batches].sort((a, b) =>
    a.merchantId === b.merchantId
      ? a.currency === b.currency
        ? a.settlementDate.localeCompare(b.settlementDate)
        : a.currency.localeCompare(b.currency)
      : a.merchantId.localeCompare(b.merchantId),
  );
  for (const batch of ordered) {
    const { stored, owned } = batch;
    const mismatch = (
      ['count', 'grossMinor', 'feeMinor', 'refundMinor', 'netMinor'] as const
    ).filter((field) => BigInt(stored[field]) !== BigInt(owned[field]));
    if (mismatch.length > 0) {
      breaches.push({
        id: batch.id,
        reason: `totals differ from its items in ${mismatch.map((f) => `${f} (${stored[f]} ≠ ${owned[f]})`).join(', ')}`,
      });
    }
    const net =
      stored.carriedInMinor +
      stored.netMinor -
      stored.reserveHeldMinor +
      stored.reserveReleasedMinor;
    if (net !== stored.totalNetMinor) {
      breaches.push({
        id: batch.id,
        reason: `net ${stored.totalNetMinor} ≠ carried in + items − held + released = ${net}`,
      });
    }
    const key = `${batch.merchantId}|${batch.currency}`;
    const before = last.get(key);
    const expectedSeq = before ? before.itemsThroughSeq : 0n;
    const expectedDue = before ? before.dueThrough : null;
    if (batch.prevItemsThroughSeq !== expectedSeq || batch.prevDueThrough !== expectedDue) {
      breaches.push({
        id: batch.id,
        reason: `starts at (${batch.prevItemsThroughSeq}, ${batch.prevDueThrough}) but the batch before ended at (${expectedSeq}, ${expectedDue})`,
      });
    }
    if (
      batch.itemsThroughSeq < batch.prevItemsThroughSeq ||
      (batch.prevDueThrough !== null && batch.dueThrough < batch.prevDueThrough)
    ) {
      breaches.push({ id: batch.id, reason: 'its bounds move backwards' });
    }
    last.set(key, batch);
  }
  // What each merchant's batches carried in is exactly what earlier batches left behind: the
  // nets of the batches they superseded and of every carried-forward batch but the latest. A
  // carriedIn counted twice (a batch paying out more than was due) breaks this for good.
  const chains = new Map<string, BatchRow[]>();
  for (const batch of ordered) {
    const key = `${batch.merchantId}|${batch.currency}`;
    chains.set(key, [...(chains.get(key) ?? []), batch]);
  }
  for (const [key, chain] of chains) {
    const carriedIn = chain.reduce((total, batch) => total + batch.stored.carriedInMinor, 0n);
    const leftBehind = chain.reduce(
      (total, batch, index) =>
        batch.state === 'SUPERSEDED' ||
        (batch.state === 'CARRIED_FORWARD' && index < chain.length - 1)
          ? total + batch.stored.totalNetMinor
          : total,
      0n,
    );
    if (carriedIn !== leftBehind) {
      breaches.push({
        id: key.replace('|', ' '),
        reason: `its batches carried in ${carriedIn}, but earlier batches left ${leftBehind} behind`,
      });
    }
  }
  return result(
    '(g)',
    "every batch's totals are its items', its net follows, and each merchant's batches chain",
    batches.length,
    { items: batches.reduce((total, batch) => total + batch.owned.count, 0) },
    breaches,
  );
}

const IN_FLIGHT = new Set(['SUBMITTING', 'SENT', 'UNKNOWN']);

/**
 * (h) Payouts agree with their batches: a PAID batch has exactly one PAID payout of its net, a
 * PAYING batch exactly one in flight, a batch never paid has none paid or in flight, and no
 * payout ever pays a different amount than its batch's net. Paid at most once, by construction
 * and by check.
 */
export function checkPayouts(batches: readonly BatchRow[]): CheckResult {
  const breaches: Breach[] = [];
  let payouts = 0;
  for (const batch of batches) {
    payouts += batch.payouts.length;
    const paid = batch.payouts.filter((p) => p.state === 'PAID');
    const inFlight = batch.payouts.filter((p) => IN_FLIGHT.has(p.state));
    const wrongAmount = batch.payouts.filter((p) => p.amountMinor !== batch.stored.totalNetMinor);
    for (const payout of wrongAmount) {
      breaches.push({
        id: payout.id,
        reason: `pays ${payout.amountMinor}, batch ${batch.id} nets ${batch.stored.totalNetMinor}`,
      });
    }
    if (paid.length > 1) breaches.push({ id: batch.id, reason: `paid ${paid.length} times` });
    if (inFlight.length > 1)
      breaches.push({ id: batch.id, reason: `${inFlight.length} payouts in flight` });
    const expect = (condition: boolean, reason: string) => {
      if (!condition) breaches.push({ id: batch.id, reason: `${batch.state}: ${reason}` });
    };
    switch (batch.state) {
      case 'PAID':
        expect(
          paid.length === 1 && inFlight.length === 0,
          'needs exactly one PAID payout and none in flight',
        );
        break;
      case 'PAYING':
        expect(
          inFlight.length === 1 && paid.length === 0,
          'needs exactly one payout in flight and none paid',
        );
        break;
      case 'CREATED':
      case 'CARRIED_FORWARD':
        expect(batch.payouts.length === 0, 'has payouts');
        break;
      default: // FAILED, SUPERSEDED
        expect(paid.length === 0 && inFlight.length === 0, 'has a payout paid or in flight');
    }
  }
  return result(
    '(h)',
    'payouts agree with their batches: each batch paid at most once, for its net',
    batches.length,
    { payouts },
    breaches,
  );
}

/**
 * (i) The accounting identities of the books (the same ones the end of day checks): the merchant
 * accounts against the settlement tables, and the balance-sheet equation.
 */
export function identityResult(
  checks: ReadonlyArray<{
    readonly name: string;
    readonly currency: string;
    readonly statement: string;
    readonly leftMinor: number | string | bigint;
    readonly rightMinor: number | string | bigint;
    readonly holds: boolean;
  }>,
): CheckResult {
  return result(
    '(i)',
    'the accounting identities hold: merchant accounts = their sub-ledgers; assets = liabilities + margin',
    checks.length,
    {},
    checks
      .filter((check) => !check.holds)
      .map((check) => ({
        id: `${check.name} ${check.currency}`,
        reason: `${check.statement}: ${check.leftMinor} ≠ ${check.rightMinor}`,
      })),
  );
}

export interface MerchantAccountRow {
  /** MERCHANT_PAYABLE_PENDING, MERCHANT_PAYABLE_AVAILABLE, MERCHANT_RESERVE or …_IN_TRANSIT. */
  readonly code: string;
  readonly merchantId: string;
  readonly currency: string;
  /** The account's balance in the ledger, on its (credit) normal side. */
  readonly ledgerMinor: bigint;
  /** What the settlement tables say it must be. */
  readonly expectedMinor: bigint;
}

/**
 * (j) Each merchant's accounts, one by one, are what the settlement tables say (so errors of two
 * merchants cannot cancel out in a total): pending = its unbatched items; reserve = its unreleased
 * holds; in transit = its payouts in flight; available = what its batches left unpaid: every
 * FAILED batch's net, its latest batch's net if that was carried forward or is not paid yet, and
 * reserves released since. A batch that paid more than it should (a carriedIn counted twice)
 * leaves available below that and breaks this check.
 */
export function checkMerchantAccounts(rows: readonly MerchantAccountRow[]): CheckResult {
  const breaches: Breach[] = rows
    .filter((row) => row.ledgerMinor !== row.expectedMinor)
    .map((row) => ({
      id: `${row.code}:${row.merchantId} ${row.currency}`,
      reason: `ledger ${row.ledgerMinor} ≠ ${row.expectedMinor} from the settlement tables`,
    }));
  return result(
    '(j)',
    "each merchant's pending, available, reserve and in-transit balances match its settlement records",
    rows.length,
    { merchants: new Set(rows.map((row) => row.merchantId)).size },
    breaches,
  );
}

// ---- report ---------------------------------------------------------------------------------

/** Breaches listed per check before "… and N more". */
const LISTED_BREACHES = 50;

export function formatReport(
  window: { from: Date; to: Date },
  results: readonly CheckResult[],
): string {
  const lines = [
    `check:invariants  window ${window.from.toISOString()} … ${window.to.toISOString()}`,
  ];
  for (const check of results) {
    const counts = Object.entries(check.counts)
      .map(([name, n]) => `${name} ${n}`)
      .join(', ');
    lines.push(
      `[${check.status}] ${check.key} ${check.title}: ${check.checked} checked` +
        (counts ? ` (${counts})` : '') +
        (check.breaches.length > 0 ? `, ${check.breaches.length} breach(es)` : ''),
    );
    for (const note of check.notes) lines.push(`    note: ${note}`);
    for (const breach of check.breaches.slice(0, LISTED_BREACHES)) {
      lines.push(`    BREACH ${breach.id}: ${breach.reason}`);
    }
    if (check.breaches.length > LISTED_BREACHES) {
      lines.push(`    … and ${check.breaches.length - LISTED_BREACHES} more`);
    }
  }
  const breached = results.filter((check) => check.status === 'BREACH').length;
  const absent = results.filter((check) => check.status === 'NOT_PRESENT').length;
  lines.push(
    breached > 0
      ? `${breached} check(s) breached`
      : absent > 0
        ? `no breach (${absent} check(s) not present)`
        : 'all invariants hold',
  );
  return lines.join('\n');
}

export function exitCodeOf(results: readonly CheckResult[]): number {
  return results.some((check) => check.status === 'BREACH') ? 1 : 0;
}
