import { Client } from 'pg';
import { checkAccountingIdentities } from '../services/settlement/src/books/domain/accounting-identities';
import {
  foldSubLedgerTotals,
  SUBLEDGER_TOTALS_SQL,
} from '../services/settlement/src/books/subledger-totals';
import {
  checkBatches,
  checkPayouts,
  checkMerchantAccounts,
  checkSettlementItems,
  identityResult,
  type BatchRow,
  checkClearedOnce,
  checkLedger,
  checkRefundLimits,
  checkSuspense,
  checkVerdicts,
  exitCodeOf,
  formatReport,
  notPresent,
  type CheckResult,
  type ClearingCount,
  type LatePaymentRow,
  type ReturnState,
} from './invariants/evaluate';
import { localEnvOf } from './local/env-files';

/**
 * `npm run check:invariants [-- --from ISO --to ISO --grace-minutes N]`: reads the acquiring,
 * cashier and settlement schemas directly (an audit tool may read every schema; services never
 * do) and checks, for the channel transactions paid in the window (default: the last 24 h):
 * (a) each is a SUCCEEDED order or a returned late payment, (b) each is cleared exactly once,
 * (c) refunds never exceed payments, and over the whole ledger (d) every entry and the trial
 * balance balance, (e) LATE_PAYMENT_SUSPENSE holds exactly the late payments not yet returned,
 * and over all of settlement (f) every clearing has exactly one settlement item with its net,
 * (g) every batch's totals are its items' and each merchant's batches chain, (h) payouts agree
 * with their batches (paid at most once, for the batch's net), (i) the accounting identities,
 * (j) each merchant's accounts against its own settlement records.
 * Prints each check with counts and every breach by id; exits 1 on any breach.
 *
 * A table a check needs that does not exist (yet) on this database is reported as "not present";
 * a check with data is never passed silently.
 */

interface Options {
  readonly from: Date;
  readonly to: Date;
  readonly graceMs: number;
  readonly databaseUrl: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** How long a late payment's return refund may stay PENDING before it counts as a breach. */
const DEFAULT_GRACE_MINUTES = 30;

export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): Options {
  const value = (flag: string): string | undefined => {
    const at = argv.indexOf(flag);
    if (at === -1) return undefined;
    const found = argv[at + 1];
    if (found === undefined || found.startsWith('--')) throw new Error(`${flag} needs a value`);
    return found;
  };
  const known = new Set(['--from', '--to', '--grace-minutes']);
  argv.forEach((arg, index) => {
    if (arg.startsWith('--') && !known.has(arg)) throw new Error(`unknown option ${arg}`);
    if (!arg.startsWith('--') && !known.has(argv[index - 1] ?? '')) {
      throw new Error(`unexpected argument ${arg}`);
    }
  });
  const instant = (flag: string, fallback: Date): Date => {
    const text = value(flag);
    if (text === undefined) return fallback;
    const parsed = new Date(text);
    if (Number.isNaN(parsed.getTime())) throw new Error(`${flag} is not an ISO instant: ${text}`);
    return parsed;
  };
  const to = instant('--to', new Date());
  const from = instant('--from', new Date(to.getTime() - DAY_MS));
  if (from >= to) throw new Error('--from must be before --to');
  const graceText = value('--grace-minutes');
  const graceMinutes = graceText === undefined ? DEFAULT_GRACE_MINUTES : Number(graceText);
  if (!Number.isInteger(graceMinutes) || graceMinutes < 0) {
    throw new Error(`--grace-minutes must be a non-negative integer, got ${graceText}`);
  }
  return {
    from,
    to,
    graceMs: graceMinutes * 60_000,
    databaseUrl: env.DATABASE_URL ?? localEnvOf('settlement').DATABASE_URL,
  };
}

export async function checkInvariants(options: Options): Promise<CheckResult[]> {
  const db = new Client({
    connectionString: options.databaseUrl,
    application_name: 'check-invariants',
  });
  await db.connect();
  try {
    return await runChecks(db, options);
  } finally {
    await db.end();
  }
}

async function runChecks(db: Client, options: Options): Promise<CheckResult[]> {
  const exists = async (table: string): Promise<boolean> =>
    (await db.query<{ ok: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS ok`, [table])).rows[0]
      .ok;
  const hasColumn = async (schema: string, table: string, column: string): Promise<boolean> =>
    (
      await db.query(
        `SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 AND column_name = $3`,
        [schema, table, column],
      )
    ).rowCount === 1;
  const present = {
    transactions: await exists('acquiring.channel_transactions'),
    orders: await exists('cashier.payment_orders'),
    latePayments: await exists('cashier.late_payments'),
    refunds: await exists('cashier.refunds'),
    lateRefundId: await hasColumn('cashier', 'late_payments', 'refund_id'),
    channelRefunds: await exists('acquiring.channel_refunds'),
    clearings: await exists('settlement.clearings'),
    suspenseClearings: await exists('settlement.late_payment_clearings'),
    refundClearings: await exists('settlement.refund_clearings'),
    ledger: await exists('settlement.journal_lines'),
    items: await exists('settlement.settlement_items'),
    batches: await exists('settlement.settlement_batches'),
    payouts: await exists('settlement.payouts'),
  };
  const results: CheckResult[] = [];

  // ---- (a) and (b): the channel transactions paid in the window ----
  const titleA =
    'every SUCCEEDED channel transaction is a SUCCEEDED order or a returned late payment';
  const titleB = 'each paid channel transaction is cleared exactly once (payment or suspense)';
  const transactions = present.transactions
    ? (
        await db.query<{ id: string; paid_at: Date }>(
          `SELECT id, paid_at FROM acquiring.channel_transactions
            WHERE status = 'SUCCEEDED' AND paid_at >= $1 AND paid_at < $2 ORDER BY paid_at, id`,
          [options.from, options.to],
        )
      ).rows.map((row) => ({ transactionId: row.id, paidAt: row.paid_at }))
    : [];
  const ids = transactions.map((transaction) => transaction.transactionId);

  if (!present.transactions || !present.orders) {
    results.push(
      notPresent('(a)', titleA, 'acquiring.channel_transactions or cashier.payment_orders'),
    );
    results.push(notPresent('(b)', titleB, 'acquiring.channel_transactions'));
  } else {
    const orderTransactions = new Set(
      (
        await db.query<{ transaction_id: string }>(
          `SELECT transaction_id FROM cashier.payment_orders WHERE state = 'SUCCEEDED' AND transaction_id = ANY($1)`,
          [ids],
        )
      ).rows.map((row) => row.transaction_id),
    );
    const notes: string[] = [];
    const latePayments = new Map<string, LatePaymentRow>();
    if (present.latePayments) {
      // The return's state from cashier's refund when the tables link them; before that, from
      // the late payment's own status (REFUNDED or not), which is all there is to go on.
      const viaRefunds = present.refunds && present.lateRefundId;
      if (!viaRefunds) {
        notes.push(
          'cashier.refunds / cashier.late_payments.refund_id not present: return state read from late_payments.status',
        );
      }
      const rows = (
        await db.query<{ transaction_id: string; recorded_at: Date; return_state: ReturnState }>(
          viaRefunds
            ? `SELECT l.transaction_id, l.recorded_at,
                      COALESCE(r.state, CASE WHEN l.status = 'REFUNDED' THEN 'SUCCEEDED' ELSE 'PENDING' END) AS return_state
                 FROM cashier.late_payments l LEFT JOIN cashier.refunds r ON r.id = l.refund_id
                WHERE l.transaction_id = ANY($1)`
            : `SELECT transaction_id, recorded_at,
                      CASE WHEN status = 'REFUNDED' THEN 'SUCCEEDED' ELSE 'PENDING' END AS return_state
                 FROM cashier.late_payments WHERE transaction_id = ANY($1)`,
          [ids],
        )
      ).rows;
      for (const row of rows) {
        latePayments.set(row.transaction_id, {
          transactionId: row.transaction_id,
          recordedAt: row.recorded_at,
          returnState: row.return_state,
        });
      }
    } else {
      notes.push('cashier.late_payments not present: no transaction can be a late payment');
    }
    const verdicts = checkVerdicts(
      transactions,
      orderTransactions,
      latePayments,
      new Date(),
      options.graceMs,
    );
    results.push({ ...verdicts.result, notes: [...verdicts.result.notes, ...notes] });

    if (!present.clearings) {
      results.push(notPresent('(b)', titleB, 'settlement.clearings'));
    } else {
      const clearings = new Map<string, ClearingCount>();
      const add = (id: string, field: keyof ClearingCount, n: number) => {
        const current = clearings.get(id) ?? { paymentClearings: 0, suspenseClearings: 0 };
        clearings.set(id, { ...current, [field]: current[field] + n });
      };
      const counted = async (table: string) =>
        (
          await db.query<{ transaction_id: string; n: number }>(
            `SELECT transaction_id, COUNT(*)::int AS n FROM ${table} WHERE transaction_id = ANY($1) GROUP BY transaction_id`,
            [ids],
          )
        ).rows;
      for (const row of await counted('settlement.clearings')) {
        add(row.transaction_id, 'paymentClearings', row.n);
      }
      if (present.suspenseClearings) {
        for (const row of await counted('settlement.late_payment_clearings')) {
          add(row.transaction_id, 'suspenseClearings', row.n);
        }
      }
      const cleared = checkClearedOnce(transactions, verdicts.verdicts, clearings);
      results.push(
        present.suspenseClearings
          ? cleared
          : { ...cleared, notes: ['settlement.late_payment_clearings not present'] },
      );
    }
  }

  // ---- (c) refunds never exceed payments ----
  const totals = async (sql: string) =>
    (await db.query<{ id: string; paid: string; refunded: string }>(sql, [ids])).rows.map(
      (row) => ({
        id: row.id,
        paidMinor: BigInt(row.paid),
        refundedMinor: BigInt(row.refunded),
      }),
    );
  const titleOrders = 'per order, SUCCEEDED + PENDING merchant refunds ≤ the amount paid (cashier)';
  results.push(
    present.refunds && present.orders
      ? checkRefundLimits(
          '(c1)',
          titleOrders,
          await totals(
            `SELECT o.id, o.amount_minor::text AS paid,
                    COALESCE(SUM(r.amount_minor) FILTER (WHERE r.state IN ('SUCCEEDED', 'PENDING') AND r.kind = 'MERCHANT_REFUND'), 0)::text AS refunded
               FROM cashier.payment_orders o JOIN cashier.refunds r ON r.payment_id = o.id
              WHERE o.transaction_id = ANY($1) GROUP BY o.id, o.amount_minor ORDER BY o.id`,
          ),
        )
      : notPresent('(c1)', titleOrders, 'cashier.refunds'),
  );
  const titleChannel =
    'per channel transaction, SUCCEEDED + PENDING channel refunds ≤ its amount (acquiring)';
  results.push(
    present.channelRefunds && present.transactions
      ? checkRefundLimits(
          '(c2)',
          titleChannel,
          await totals(
            `SELECT t.id, t.amount_minor::text AS paid,
                    COALESCE(SUM(cr.amount_minor) FILTER (WHERE cr.status IN ('SUCCEEDED', 'PENDING')), 0)::text AS refunded
               FROM acquiring.channel_transactions t JOIN acquiring.channel_refunds cr ON cr.transaction_id = t.id
              WHERE t.id = ANY($1) GROUP BY t.id, t.amount_minor ORDER BY t.id`,
          ),
        )
      : notPresent('(c2)', titleChannel, 'acquiring.channel_refunds'),
  );
  const titleClearing = 'per payment clearing, refund clearings ≤ its gross (settlement)';
  if (!present.refundClearings || !present.clearings) {
    results.push(notPresent('(c3)', titleClearing, 'settlement.refund_clearings'));
  } else {
    const limits = checkRefundLimits(
      '(c3)',
      titleClearing,
      await totals(
        `SELECT c.id, c.gross_minor::text AS paid, COALESCE(SUM(rc.refund_minor), 0)::text AS refunded
           FROM settlement.clearings c JOIN settlement.refund_clearings rc ON rc.payment_clearing_id = c.id
          WHERE c.transaction_id = ANY($1) GROUP BY c.id, c.gross_minor ORDER BY c.id`,
      ),
    );
    // A refund that reached the payer but could not be booked (parked, then refused: it would
    // exceed the payment, or contradicts the payment's verdict) is money the books do not show.
    const parked = (await exists('settlement.parked_refunds'))
      ? (
          await db.query<{ refund_id: string; failure_reason: string | null }>(
            `SELECT refund_id, failure_reason FROM settlement.parked_refunds ORDER BY parked_at`,
          )
        ).rows
      : [];
    const failed = parked.filter((row) => row.failure_reason !== null);
    results.push({
      ...limits,
      status: limits.status === 'OK' && failed.length === 0 ? 'OK' : 'BREACH',
      counts: { ...limits.counts, refundsAwaitingPayment: parked.length - failed.length },
      breaches: [
        ...limits.breaches,
        ...failed.map((row) => ({
          id: row.refund_id,
          reason: `refund succeeded but could not be cleared: ${row.failure_reason}`,
        })),
      ],
    });
  }

  // ---- (d) the ledger balances (all of it: balances are not per window) ----
  const titleLedger = 'every journal entry balances, and so does the trial balance';
  if (!present.ledger) {
    results.push(notPresent('(d)', titleLedger, 'settlement.journal_lines'));
  } else {
    const entries = (
      await db.query<{
        id: string;
        lines: number;
        currencies: number;
        debits: string;
        credits: string;
      }>(
        `SELECT e.id, COUNT(l.id)::int AS lines, COUNT(DISTINCT l.currency)::int AS currencies,
                COALESCE(SUM(l.amount_minor) FILTER (WHERE l.side = 'DEBIT'), 0)::text AS debits,
                COALESCE(SUM(l.amount_minor) FILTER (WHERE l.side = 'CREDIT'), 0)::text AS credits
           FROM settlement.journal_entries e LEFT JOIN settlement.journal_lines l ON l.entry_id = e.id
          GROUP BY e.id ORDER BY e.id`,
      )
    ).rows.map((row) => ({
      entryId: row.id,
      lines: row.lines,
      currencies: row.currencies,
      debits: BigInt(row.debits),
      credits: BigInt(row.credits),
    }));
    const trial = (
      await db.query<{ currency: string; debits: string; credits: string }>(
        `SELECT currency,
                COALESCE(SUM(amount_minor) FILTER (WHERE side = 'DEBIT'), 0)::text AS debits,
                COALESCE(SUM(amount_minor) FILTER (WHERE side = 'CREDIT'), 0)::text AS credits
           FROM settlement.journal_lines GROUP BY currency ORDER BY currency`,
      )
    ).rows.map((row) => ({
      currency: row.currency,
      debits: BigInt(row.debits),
      credits: BigInt(row.credits),
    }));
    results.push(checkLedger(entries, trial));
  }

  // ---- (e) suspense = late payments not yet returned (all of them, not per window) ----
  const titleSuspense = 'LATE_PAYMENT_SUSPENSE equals the late payments not yet returned';
  if (!present.ledger || !present.latePayments) {
    results.push(
      notPresent('(e)', titleSuspense, 'settlement.journal_lines or cashier.late_payments'),
    );
  } else {
    const balance = new Map(
      (
        await db.query<{ currency: string; balance: string }>(
          `SELECT currency,
                  (COALESCE(SUM(amount_minor) FILTER (WHERE side = 'CREDIT'), 0)
                   - COALESCE(SUM(amount_minor) FILTER (WHERE side = 'DEBIT'), 0))::text AS balance
             FROM settlement.journal_lines WHERE account = 'LATE_PAYMENT_SUSPENSE' GROUP BY currency`,
        )
      ).rows.map((row) => [row.currency, BigInt(row.balance)] as const),
    );
    const viaRefunds = present.refunds && present.lateRefundId;
    const unreturned = (
      await db.query<{ currency: string; total: string; n: number }>(
        viaRefunds
          ? `SELECT l.currency, SUM(l.amount_minor)::text AS total, COUNT(*)::int AS n
               FROM cashier.late_payments l LEFT JOIN cashier.refunds r ON r.id = l.refund_id
              WHERE COALESCE(r.state, CASE WHEN l.status = 'REFUNDED' THEN 'SUCCEEDED' ELSE 'PENDING' END) <> 'SUCCEEDED'
              GROUP BY l.currency`
          : `SELECT currency, SUM(amount_minor)::text AS total, COUNT(*)::int AS n
               FROM cashier.late_payments WHERE status <> 'REFUNDED' GROUP BY currency`,
      )
    ).rows;
    results.push(
      checkSuspense(
        balance,
        new Map(unreturned.map((row) => [row.currency, BigInt(row.total)] as const)),
        unreturned.reduce((sum, row) => sum + row.n, 0),
      ),
    );
  }
  results.push(...(await settlementChecks(db, present)));
  return results;
}

/** (f) … (i): settlement items, batches, payouts and the accounting identities, over everything. */
async function settlementChecks(
  db: Client,
  present: {
    clearings: boolean;
    refundClearings: boolean;
    ledger: boolean;
    items: boolean;
    batches: boolean;
    payouts: boolean;
  },
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const titleItems =
    'each clearing of merchant money has exactly one settlement item, with its net';
  if (!present.items || !present.clearings || !present.refundClearings) {
    results.push(notPresent('(f)', titleItems, 'settlement.settlement_items'));
  } else {
    const expected = (
      await db.query<{
        source_id: string;
        kind: 'PAYMENT' | 'REFUND' | 'LATE_PAYMENT_RETURN';
        merchant_id: string;
        net: string;
      }>(
        `SELECT id AS source_id, 'PAYMENT' AS kind, merchant_id, merchant_net_minor::text AS net
           FROM settlement.clearings
         UNION ALL
         SELECT id, CASE kind WHEN 'MERCHANT_REFUND' THEN 'REFUND' ELSE 'LATE_PAYMENT_RETURN' END, merchant_id,
                CASE kind WHEN 'MERCHANT_REFUND' THEN (-merchant_net_refund_minor)::text ELSE '0' END
           FROM settlement.refund_clearings`,
      )
    ).rows.map((row) => ({
      sourceId: row.source_id,
      kind: row.kind,
      merchantId: row.merchant_id,
      netMinor: BigInt(row.net),
    }));
    const items = (
      await db.query<{ source_id: string; n: number; merchant_id: string; net: string }>(
        `SELECT source_id, count(*)::int AS n, min(merchant_id) AS merchant_id, sum(net_minor)::text AS net
           FROM settlement.settlement_items GROUP BY source_id`,
      )
    ).rows;
    const known = new Set(expected.map((row) => row.sourceId));
    results.push(
      checkSettlementItems(
        expected,
        new Map(
          items.map((row) => [
            row.source_id,
            { count: row.n, merchantId: row.merchant_id, netMinor: BigInt(row.net) },
          ]),
        ),
        items.filter((row) => !known.has(row.source_id)).map((row) => row.source_id),
      ),
    );
  }

  const titleBatches =
    "every batch's totals are its items', its net follows, and each merchant's batches chain";
  const titlePayouts =
    'payouts agree with their batches: each batch paid at most once, for its net';
  if (!present.batches || !present.items || !present.payouts) {
    results.push(notPresent('(g)', titleBatches, 'settlement.settlement_batches'));
    results.push(notPresent('(h)', titlePayouts, 'settlement.payouts'));
  } else {
    const rows = (
      await db.query<Record<string, string | null>>(
        `SELECT b.id, b.merchant_id, b.currency, b.settlement_date::text AS settlement_date, b.state,
                b.items_through_seq::text AS items_through_seq, b.due_through::text AS due_through,
                b.prev_items_through_seq::text AS prev_items_through_seq, b.prev_due_through::text AS prev_due_through,
                b.item_count::text AS item_count, b.gross_minor::text AS gross, b.fee_minor::text AS fee,
                b.refund_minor::text AS refund, b.items_net_minor::text AS items_net,
                b.reserve_held_minor::text AS held, b.reserve_released_minor::text AS released,
                b.carried_in_minor::text AS carried_in, b.net_minor::text AS net,
                o.count AS owned_count,
                o.gross AS owned_gross, o.fee AS owned_fee, o.refund AS owned_refund, o.net AS owned_net,
                (SELECT COALESCE(json_agg(json_build_object('id', p.id, 'state', p.state, 'amount', p.amount_minor::text)), '[]')::text
                   FROM settlement.payouts p WHERE p.batch_id = b.id) AS payouts
           FROM settlement.settlement_batches b
           CROSS JOIN LATERAL (
             SELECT count(*)::text AS count, COALESCE(sum(i.gross_minor), 0)::text AS gross, COALESCE(sum(i.fee_minor), 0)::text AS fee,
                    COALESCE(sum(i.refund_minor), 0)::text AS refund, COALESCE(sum(i.net_minor), 0)::text AS net
               FROM settlement.settlement_items i
              WHERE i.merchant_id = b.merchant_id AND i.currency = b.currency
                AND i.seq <= b.items_through_seq AND i.business_date <= b.due_through
                AND NOT (i.seq <= b.prev_items_through_seq
                         AND i.business_date <= COALESCE(b.prev_due_through, '-infinity'::date))) o`,
      )
    ).rows;
    const batches: BatchRow[] = rows.map((row) => ({
      id: row.id!,
      merchantId: row.merchant_id!,
      currency: row.currency!.trim(),
      settlementDate: row.settlement_date!,
      state: row.state!,
      itemsThroughSeq: BigInt(row.items_through_seq!),
      dueThrough: row.due_through!,
      prevItemsThroughSeq: BigInt(row.prev_items_through_seq!),
      prevDueThrough: row.prev_due_through,
      stored: {
        count: Number(row.item_count),
        grossMinor: BigInt(row.gross!),
        feeMinor: BigInt(row.fee!),
        refundMinor: BigInt(row.refund!),
        netMinor: BigInt(row.items_net!),
        reserveHeldMinor: BigInt(row.held!),
        reserveReleasedMinor: BigInt(row.released!),
        carriedInMinor: BigInt(row.carried_in!),
        totalNetMinor: BigInt(row.net!),
      },
      owned: {
        count: Number(row.owned_count),
        grossMinor: BigInt(row.owned_gross!),
        feeMinor: BigInt(row.owned_fee!),
        refundMinor: BigInt(row.owned_refund!),
        netMinor: BigInt(row.owned_net!),
      },
      payouts: (
        JSON.parse(row.payouts!) as Array<{ id: string; state: string; amount: string }>
      ).map((p) => ({
        id: p.id,
        state: p.state,
        amountMinor: BigInt(p.amount),
      })),
    }));
    results.push(checkBatches(batches), checkPayouts(batches));
  }

  const titleIdentities =
    'the accounting identities hold: merchant accounts = their sub-ledgers; assets = liabilities + margin';
  if (!present.ledger || !present.batches || !present.payouts) {
    results.push(notPresent('(i)', titleIdentities, 'settlement.payouts'));
    results.push(
      notPresent(
        '(j)',
        "each merchant's pending, available, reserve and in-transit balances match its settlement records",
        'settlement.payouts',
      ),
    );
  } else {
    const accounts = (
      await db.query<{ account: string; currency: string; debits: string; credits: string }>(
        `SELECT account, currency,
                COALESCE(SUM(amount_minor) FILTER (WHERE side = 'DEBIT'), 0)::text AS debits,
                COALESCE(SUM(amount_minor) FILTER (WHERE side = 'CREDIT'), 0)::text AS credits
           FROM settlement.journal_lines GROUP BY account, currency`,
      )
    ).rows.map((row) => ({
      account: row.account,
      currency: row.currency.trim(),
      debitsMinor: BigInt(row.debits),
      creditsMinor: BigInt(row.credits),
    }));
    const subLedgers = foldSubLedgerTotals((await db.query(SUBLEDGER_TOTALS_SQL)).rows);
    results.push(identityResult(checkAccountingIdentities(accounts, subLedgers)));
    const perMerchant = (
      await db.query<{
        code: string;
        merchant_id: string;
        currency: string;
        ledger: string;
        expected: string;
      }>(
        `WITH ledger AS (
           SELECT split_part(account, ':', 1) AS code, split_part(account, ':', 2) AS merchant_id, currency,
                  SUM(CASE side WHEN 'CREDIT' THEN amount_minor ELSE -amount_minor END) AS amount
             FROM settlement.journal_lines
            WHERE split_part(account, ':', 1) IN ('MERCHANT_PAYABLE_PENDING', 'MERCHANT_PAYABLE_AVAILABLE',
                                                 'MERCHANT_RESERVE', 'MERCHANT_PAYABLE_IN_TRANSIT')
            GROUP BY 1, 2, 3),
         latest AS (
           SELECT DISTINCT ON (merchant_id, currency) merchant_id, currency, state, net_minor
             FROM settlement.settlement_batches ORDER BY merchant_id, currency, settlement_date DESC),
         expected AS (
           SELECT 'MERCHANT_PAYABLE_PENDING' AS code, merchant_id, currency, net_minor AS amount
             FROM settlement.unbatched_settlement_items
           UNION ALL
           SELECT 'MERCHANT_RESERVE', merchant_id, currency, amount_minor
             FROM settlement.reserve_holds WHERE released_on IS NULL
           UNION ALL
           SELECT 'MERCHANT_PAYABLE_IN_TRANSIT', merchant_id, currency, amount_minor
             FROM settlement.payouts WHERE state IN ('SUBMITTING', 'SENT', 'UNKNOWN')
           UNION ALL
           SELECT 'MERCHANT_PAYABLE_AVAILABLE', merchant_id, currency, net_minor
             FROM settlement.settlement_batches WHERE state = 'FAILED'
           UNION ALL
           SELECT 'MERCHANT_PAYABLE_AVAILABLE', merchant_id, currency, net_minor
             FROM latest WHERE state IN ('CARRIED_FORWARD', 'CREATED')
           UNION ALL
           SELECT 'MERCHANT_PAYABLE_AVAILABLE', merchant_id, currency, amount_minor
             FROM settlement.reserve_holds WHERE released_on IS NOT NULL AND released_in_batch_id IS NULL),
         expected_totals AS (
           SELECT code, merchant_id, currency, SUM(amount) AS amount FROM expected GROUP BY 1, 2, 3)
         SELECT COALESCE(l.code, e.code) AS code, COALESCE(l.merchant_id, e.merchant_id) AS merchant_id,
                COALESCE(l.currency, e.currency) AS currency,
                COALESCE(l.amount, 0)::text AS ledger, COALESCE(e.amount, 0)::text AS expected
           FROM ledger l FULL OUTER JOIN expected_totals e
             ON e.code = l.code AND e.merchant_id = l.merchant_id AND e.currency = l.currency
          ORDER BY 2, 1, 3`,
      )
    ).rows;
    results.push(
      checkMerchantAccounts(
        perMerchant.map((row) => ({
          code: row.code,
          merchantId: row.merchant_id,
          currency: row.currency.trim(),
          ledgerMinor: BigInt(row.ledger),
          expectedMinor: BigInt(row.expected),
        })),
      ),
    );
  }
  return results;
}

if (require.main === module) {
  (async () => {
    let options: Options;
    try {
      options = parseOptions(process.argv.slice(2), process.env);
    } catch (error) {
      console.error(`check:invariants: ${error instanceof Error ? error.message : String(error)}`);
      console.error(
        'usage: npm run check:invariants -- [--from ISO] [--to ISO] [--grace-minutes N]',
      );
      process.exit(2);
    }
    const results = await checkInvariants(options);
    console.log(formatReport(options, results));
    process.exit(exitCodeOf(results));
  })().catch((error: unknown) => {
    console.error(
      `check:invariants failed: ${error instanceof Error ? error.stack : String(error)}`,
    );
    process.exit(2);
  });
}
