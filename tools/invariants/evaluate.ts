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
