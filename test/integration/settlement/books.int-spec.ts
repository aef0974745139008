/**
 * The books (账务) on real Postgres: the accounting date the database gives every journal entry,
 * closing business dates (in order, idempotently, under a lock that waits for posters), daily
 * balance snapshots and trial balances per date, the accounting identity checks (each one holding
 * on real clearings and failing on a deliberately broken ledger), a payment's ledger story and the
 * endpoints' inputs and roles. The real settlement service runs in-process on a database of its
 * own; clearings are made by its own services, the sub-ledger rows the batch builder will write
 * (settlement items, batches, payouts) are inserted here.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import {
  PaymentOrderSucceededV2,
  RefundSucceeded,
  type EnvelopeOf,
  type EventContract,
  type PayloadOf,
} from '@paylab/contracts';
import { newId } from '@paylab/ids';
import { Money } from '@paylab/money';
import {
  BOOKS_CLOSER,
  type BooksCloser,
  type BooksCloseReport,
} from '../../../services/settlement/src/books/books.port';
import type {
  BalanceSnapshotView,
  BooksReportView,
  DatedTrialBalanceView,
  PaymentStoryView,
} from '../../../services/settlement/src/books/books.views';
import { Clearings } from '../../../services/settlement/src/clearing/clearings.service';
import { RefundClearings } from '../../../services/settlement/src/refunds/refund-clearings.service';
import { Ledger } from '../../../services/settlement/src/ledger/ledger.service';
import { ledgerAccount, postJournal } from '../../../services/settlement/src/ledger/domain';
import {
  startSettlementUnderTest,
  type RequestOptions,
  type SettlementUnderTest,
} from './settlement-under-test';
/** Reconciliation's demo credential: role service, which may not read the books. */
const SERVICE_TOKEN = 'paylab-demo-reconciliation-service-token';

type Side = 'DEBIT' | 'CREDIT';
type RawLine = [account: string, side: Side, amountMinor: number];

const cny = (amountMinor: number) => ({ amountMinor, currency: 'CNY' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const failingNames = (report: BooksCloseReport) =>
  report.checks.filter((check) => !check.holds).map((check) => check.name);

describe('settlement books: business dates, closing, snapshots, identities, payment story (real Postgres)', () => {
  let settlement: SettlementUnderTest;
  let closer: BooksCloser;

  beforeAll(async () => {
    settlement = await startSettlementUnderTest('books', {
      // No Kafka consumer: the clearings here are made by calling the service's own classes.
      consumer: 'none',
      env: { LOG_LEVEL: process.env.PAYLAB_TEST_LOG_LEVEL ?? 'fatal' },
    });
    closer = settlement.service.app.get<BooksCloser>(BOOKS_CLOSER);
  });

  afterAll(() => settlement?.stop());

  // ---- helpers -------------------------------------------------------------------------

  /** As a viewer unless told otherwise: the books are read-only to every operator role. */
  const get = <T>(path: string, options: RequestOptions = { role: 'viewer' }) =>
    settlement.get<T>(path, options);

  /** Posts through the Ledger service, as clearing does; returns the date the database gave. */
  const postThroughLedger = async (
    lines: RawLine[],
    options: { postedAt?: Date; businessDate?: string } = {},
  ) => {
    const entry = postJournal({
      description: 'books test entry',
      lines: lines.map(([account, side, amountMinor]) => ({
        account,
        side,
        amount: Money.of(amountMinor, 'CNY'),
      })),
      ...options,
    });
    await settlement.dataSource.transaction((manager) =>
      settlement.service.app.get(Ledger).post(manager, entry),
    );
    return { id: entry.id, businessDate: await businessDateOf(entry.id) };
  };

  const businessDateOf = async (entryId: string): Promise<string> =>
    (
      await settlement.db.query(
        `SELECT business_date::text AS d FROM journal_entries WHERE id = $1`,
        [entryId],
      )
    ).rows[0].d;

  /** Posts with plain SQL, the way the batch builder bulk-inserts: no business_date given. */
  const insertRaw = async (
    client: Client,
    lines: RawLine[],
    options: { postedAt?: Date; businessDate?: string; refs?: Record<string, string> } = {},
  ): Promise<string> => {
    const id = newId('jnl');
    await client.query(
      `INSERT INTO journal_entries (id, posted_at, description, refs, business_date)
       VALUES ($1, $2, 'raw SQL entry', $3, $4)`,
      [
        id,
        options.postedAt ?? new Date(),
        JSON.stringify(options.refs ?? {}),
        options.businessDate ?? null,
      ],
    );
    let lineNo = 0;
    for (const [account, side, amountMinor] of lines) {
      await client.query(
        `INSERT INTO journal_lines (id, entry_id, line_no, account, side, amount_minor, currency)
         VALUES ($1, $2, $3, $4, $5, $6, 'CNY')`,
        [newId('led'), id, ++lineNo, account, side, amountMinor],
      );
    }
    return id;
  };
  const postRaw = async (lines: RawLine[], options: Parameters<typeof insertRaw>[2] = {}) => {
    await settlement.db.query('BEGIN');
    try {
      const id = await insertRaw(settlement.db, lines, options);
      await settlement.db.query('COMMIT');
      return id;
    } catch (error) {
      await settlement.db.query('ROLLBACK');
      throw error;
    }
  };

  /** An entry that leaves every identity as it was: margin (fee − cost) and payables unchanged. */
  const neutral = (amountMinor: number): RawLine[] => [
    ['CHANNEL_COST', 'DEBIT', amountMinor],
    ['FEE_REVENUE', 'CREDIT', amountMinor],
  ];

  const envelope = <C extends EventContract>(contract: C, payload: PayloadOf<C>) =>
    ({
      id: newId('evt'),
      type: contract.type,
      version: contract.version,
      topic: contract.topic,
      key: (payload as { paymentId: string }).paymentId,
      occurredAt: new Date().toISOString(),
      correlationId: `it-books-${randomBytes(4).toString('hex')}`,
      producer: 'it-books',
      payload,
    }) as EnvelopeOf<C>;

  const insertItem = async (item: {
    kind: 'PAYMENT' | 'REFUND';
    sourceId: string;
    merchantId: string;
    transactionId: string;
    paymentId: string;
    refundId?: string;
    gross: number;
    fee: number;
    refund: number;
    net: number;
    businessDate: string;
  }): Promise<number> =>
    Number(
      (
        await settlement.db.query(
          `INSERT INTO settlement_items (kind, source_id, merchant_id, transaction_id, payment_id, refund_id,
             currency, gross_minor, fee_minor, refund_minor, net_minor, occurred_at, business_date)
           VALUES ($1, $2, $3, $4, $5, $6, 'CNY', $7, $8, $9, $10, now(), $11) RETURNING seq`,
          [
            item.kind,
            item.sourceId,
            item.merchantId,
            item.transactionId,
            item.paymentId,
            item.refundId ?? null,
            item.gross,
            item.fee,
            item.refund,
            item.net,
            item.businessDate,
          ],
        )
      ).rows[0].seq,
    );

  const insertBatch = async (batch: {
    merchantId: string;
    settlementDate: string;
    state: string;
    itemsThroughSeq: number;
    dueThrough: string;
    itemsNet: number;
    reserveHeld?: number;
    journalEntryId?: string;
    id?: string;
  }): Promise<string> => {
    const id = batch.id ?? newId('stb');
    const held = batch.reserveHeld ?? 0;
    await settlement.db.query(
      `INSERT INTO settlement_batches (id, merchant_id, settlement_date, currency, state, terms_version, cycle,
         items_through_seq, due_through, prev_items_through_seq, item_count, payment_count, refund_count,
         late_payment_return_count, gross_minor, fee_minor, refund_minor, items_net_minor, reserve_held_minor,
         reserve_released_minor, carried_in_minor, net_minor, minimum_payout_minor, journal_entry_id)
       VALUES ($1, $2, $3, 'CNY', $4, 1, 'T1', $5, $6, 0, 0, 0, 0, 0, 0, 0, 0, $7, $8, 0, 0, $9, 0, $10)`,
      [
        id,
        batch.merchantId,
        batch.settlementDate,
        batch.state,
        batch.itemsThroughSeq,
        batch.dueThrough,
        batch.itemsNet,
        held,
        batch.itemsNet - held,
        batch.journalEntryId ?? null,
      ],
    );
    return id;
  };

  const insertPayout = async (payout: {
    batchId: string;
    merchantId: string;
    amount: number;
    state: string;
    sentEntryId?: string;
    id?: string;
  }): Promise<string> => {
    const id = payout.id ?? newId('po');
    await settlement.db.query(
      `INSERT INTO payouts (id, batch_id, merchant_id, attempt, request_no, currency, amount_minor,
         payee_bank_code, payee_account_no, payee_account_name, state, sent_journal_entry_id, requested_by)
       VALUES ($1, $2, $3, 1, $4, 'CNY', $5, 'PLBANK', '6222020000000001', '上海演示咖啡有限公司', $6, $7, 'it-books')`,
      [
        id,
        payout.batchId,
        payout.merchantId,
        `REQ${randomBytes(8).toString('hex')}`,
        payout.amount,
        payout.state,
        payout.sentEntryId ?? newId('jnl'),
      ],
    );
    return id;
  };

  // ---- the accounting date --------------------------------------------------------------

  it('dates every entry: the Shanghai date of posted_at, or the date asked for, through the service and plain SQL', async () => {
    // 16:30 UTC on 1 March is 00:30 on 2 March in Shanghai.
    expect(
      (await postThroughLedger(neutral(100), { postedAt: new Date('2024-03-01T16:30:00Z') }))
        .businessDate,
    ).toBe('2024-03-02');
    expect(
      (await postThroughLedger(neutral(10), { postedAt: new Date('2024-03-01T15:59:59Z') }))
        .businessDate,
    ).toBe('2024-03-01');
    expect(
      (
        await postThroughLedger(neutral(1), {
          postedAt: new Date('2024-03-01T01:00:00Z'),
          businessDate: '2024-03-03',
        })
      ).businessDate,
    ).toBe('2024-03-03');
    const raw = await postRaw(neutral(1_000), { postedAt: new Date('2024-03-02T02:00:00Z') });
    expect(await businessDateOf(raw)).toBe('2024-03-02');
  });

  // ---- closing ---------------------------------------------------------------------------

  it('closes a date once: snapshot and trial balance of its lines, the same report when asked again', async () => {
    const report = await closer.closeBusinessDate('2024-03-01');
    expect(report).toMatchObject({
      businessDate: '2024-03-01',
      accountsSnapshotted: 2,
      trialBalanceBalanced: true,
      healthy: true,
    });
    expect(report.checks.every((check) => check.holds)).toBe(true);
    expect(report.checks.map((check) => check.name)).toEqual([
      'TRIAL_BALANCE',
      'ACCOUNTING_EQUATION',
      'PENDING_SUBLEDGER',
      'RESERVE_SUBLEDGER',
      'IN_TRANSIT_SUBLEDGER',
      'PAID_SUBLEDGER',
      'AVAILABLE_SUBLEDGER',
    ]);

    const counts = async () =>
      (
        await settlement.db.query(
          `SELECT (SELECT count(*) FROM business_days)::int AS days,
                  (SELECT count(*) FROM daily_balance_snapshots)::int AS snapshots,
                  (SELECT count(*) FROM accounting_checks)::int AS checks`,
        )
      ).rows[0];
    const before = await counts();
    expect(before).toEqual({ days: 1, snapshots: 2, checks: 7 });
    expect(await closer.closeBusinessDate('2024-03-01')).toEqual(report);
    expect(await counts()).toEqual(before);

    const snapshot = await get<BalanceSnapshotView>('/v1/ledger/snapshots/2024-03-01');
    expect(snapshot.status).toBe(200);
    expect(snapshot.body.accounts).toEqual([
      {
        account: 'CHANNEL_COST',
        nameZh: '渠道成本',
        normalSide: 'DEBIT',
        currency: 'CNY',
        debits: cny(10),
        credits: cny(0),
        balance: cny(10),
      },
      {
        account: 'FEE_REVENUE',
        nameZh: '手续费收入',
        normalSide: 'CREDIT',
        currency: 'CNY',
        debits: cny(0),
        credits: cny(10),
        balance: cny(10),
      },
    ]);
  });

  it('puts an entry posted into a closed date on the first open date, whoever posts it', async () => {
    const inClosedDay = new Date('2024-03-01T05:00:00Z'); // 13:00 on 1 March in Shanghai
    expect(
      (await postThroughLedger(neutral(2), { postedAt: inClosedDay, businessDate: '2024-03-01' }))
        .businessDate,
    ).toBe('2024-03-02');
    expect(await businessDateOf(await postRaw(neutral(3), { postedAt: inClosedDay }))).toBe(
      '2024-03-02',
    );
    expect(
      await businessDateOf(
        await postRaw(neutral(4), { postedAt: inClosedDay, businessDate: '2024-02-01' }),
      ),
    ).toBe('2024-03-02');
    // A later open date asked for is kept.
    expect(
      await businessDateOf(
        await postRaw(neutral(5), { postedAt: inClosedDay, businessDate: '2024-03-03' }),
      ),
    ).toBe('2024-03-03');

    await closer.closeBusinessDate('2024-03-02');
    const trialBalance = async (date: string) =>
      (await get<DatedTrialBalanceView>(`/v1/ledger/trial-balance?businessDate=${date}`)).body;
    // 1 March: the 10 fen entry; 2 March adds 100 + 1 000 + 2 + 3 + 4.
    expect(await trialBalance('2024-03-01')).toMatchObject({
      businessDate: '2024-03-01',
      balanced: true,
      entryCount: 1,
      currencies: [
        { currency: 'CNY', totalDebits: cny(10), totalCredits: cny(10), balanced: true },
      ],
      unbalancedEntryIds: [],
    });
    expect(await trialBalance('2024-03-02')).toMatchObject({
      businessDate: '2024-03-02',
      balanced: true,
      entryCount: 6,
      currencies: [{ currency: 'CNY', totalDebits: cny(1_119), totalCredits: cny(1_119) }],
    });
    const snapshot = (await get<BalanceSnapshotView>('/v1/ledger/snapshots/2024-03-02')).body;
    expect(snapshot.accounts.map((a) => [a.account, a.balance.amountMinor])).toEqual([
      ['CHANNEL_COST', 1_119],
      ['FEE_REVENUE', 1_119],
    ]);
    const live = await get<DatedTrialBalanceView>('/v1/ledger/trial-balance');
    expect(live.body).toMatchObject({ balanced: true });
    expect(live.body).not.toHaveProperty('businessDate');
    expect(live.body.currencies[0].totalDebits.amountMinor).toBe(1_125); // the 3 March ones too
  });

  it('closes dates in order only, never one far in the future', async () => {
    await expect(closer.closeBusinessDate('2024-03-05')).rejects.toMatchObject({
      code: 'BOOKS.OUT_OF_ORDER',
    });
    await expect(closer.closeBusinessDate('2024-02-20')).rejects.toMatchObject({
      code: 'BOOKS.OUT_OF_ORDER',
    });
    await expect(closer.closeBusinessDate('2999-01-01')).rejects.toMatchObject({
      code: 'BOOKS.DATE_IN_FUTURE',
    });
    for (const bad of ['2024-02-30', '2024-3-03', '', '2024-03-03\u0000', 20240303]) {
      await expect(closer.closeBusinessDate(bad as never)).rejects.toMatchObject({
        code: 'BOOKS.INVALID_DATE',
      });
    }
    const [{ n }] = (await settlement.db.query(`SELECT count(*)::int AS n FROM business_days`))
      .rows;
    expect(n).toBe(2);
  });

  it('waits for a posting transaction in flight, and a post that comes during the close lands on the next date', async () => {
    const poster = new Client({
      connectionString: settlement.databaseUrl,
      options: '-c search_path=settlement',
    });
    const latecomer = new Client({
      connectionString: settlement.databaseUrl,
      options: '-c search_path=settlement',
    });
    await poster.connect();
    await latecomer.connect();
    try {
      await poster.query('BEGIN');
      const inFlight = await insertRaw(poster, neutral(7_000), { businessDate: '2024-03-03' });

      let closed = false;
      const closing = closer.closeBusinessDate('2024-03-03').then((report) => {
        closed = true;
        return report;
      });
      await sleep(400);
      expect(closed).toBe(false); // waiting for the poster's transaction

      // Queued behind the close's lock request: it runs once the close has committed.
      const late = (async () => {
        await latecomer.query('BEGIN');
        const id = await insertRaw(latecomer, neutral(9), {
          businessDate: '2024-03-03',
          postedAt: new Date('2024-03-03T04:00:00Z'),
        });
        await latecomer.query('COMMIT');
        return id;
      })();
      await sleep(200);

      await poster.query('COMMIT');
      const report = await closing;
      const lateId = await late;
      expect(report.healthy).toBe(true);
      expect(await businessDateOf(inFlight)).toBe('2024-03-03');
      expect(await businessDateOf(lateId)).toBe('2024-03-04');
      const snapshot = (await get<BalanceSnapshotView>('/v1/ledger/snapshots/2024-03-03')).body;
      // 1 119 through 2 March, + 1 and 5 asked for 3 March, + 7 000 in flight; not the late 9.
      expect(snapshot.accounts.find((a) => a.account === 'FEE_REVENUE')?.credits).toEqual(
        cny(1_119 + 1 + 5 + 7_000),
      );
    } finally {
      await poster.end();
      await latecomer.end();
    }
  });

  // ---- real clearings, the pending identity and the story ----------------------------------

  const merchantId = newId('mch');
  const order: PayloadOf<typeof PaymentOrderSucceededV2> = {
    transactionId: newId('txn'),
    paymentId: newId('pay'),
    merchantId,
    channel: 'ALIPAY',
    channelTradeNo: `2024030422001${randomBytes(5).toString('hex')}`,
    amount: { amountMinor: 10_000, currency: 'CNY' },
    // Paid on 4 March (Shanghai): clearing gives its settlement item that business date.
    paidAt: '2024-03-04T02:00:00.000Z',
    succeededAt: '2024-03-04T02:00:01.000Z',
    businessDate: '2024-03-04',
  };
  const refundId = newId('ref');

  it('keeps the pending identity on real clearings (payment and partial refund) with their settlement items', async () => {
    const clearings = settlement.service.app.get(Clearings);
    const refunds = settlement.service.app.get(RefundClearings);
    const cleared = await settlement.dataSource.transaction((manager) =>
      clearings.clearPaidOrder(manager, envelope(PaymentOrderSucceededV2, order)),
    );
    expect(cleared.kind).toBe('cleared');
    const clearing = (
      await settlement.db.query(`SELECT id FROM clearings WHERE transaction_id = $1`, [
        order.transactionId,
      ])
    ).rows[0].id as string;
    // Clearing wrote the payment's settlement item in its own transaction.
    expect(
      (
        await settlement.db.query(
          `SELECT business_date::text AS d, net_minor::int AS net FROM settlement_items WHERE source_id = $1`,
          [clearing],
        )
      ).rows,
    ).toEqual([{ d: '2024-03-04', net: 9_940 }]);
    expect(failingNames(await closer.closeBusinessDate('2024-03-04'))).toEqual([]);

    await settlement.dataSource.transaction((manager) =>
      refunds.clearRefundSucceeded(
        manager,
        envelope(RefundSucceeded, {
          refundId,
          paymentId: order.paymentId,
          merchantId,
          transactionId: order.transactionId,
          kind: 'MERCHANT_REFUND',
          channel: 'ALIPAY',
          amount: cny(3_000) as { amountMinor: number; currency: 'CNY' },
          channelRefundNo: `RF${randomBytes(6).toString('hex')}`,
          succeededAt: '2024-03-04T03:00:00.000Z',
          businessDate: '2024-03-04',
        } as PayloadOf<typeof RefundSucceeded>),
      ),
    );
    const refundClearing = (
      await settlement.db.query(`SELECT id FROM refund_clearings WHERE refund_id = $1`, [refundId])
    ).rows[0].id as string;
    // A refund item lost (deleted here on purpose): the pending payable and the unbatched items
    // then disagree by the refund's net.
    await settlement.db.query(`DELETE FROM settlement_items WHERE source_id = $1`, [
      refundClearing,
    ]);
    const broken = await closer.closeBusinessDate('2024-03-05');
    expect(failingNames(broken)).toEqual(['PENDING_SUBLEDGER']);
    expect(broken.checks.find((c) => c.name === 'PENDING_SUBLEDGER')).toMatchObject({
      leftMinor: 9_940 - 2_982,
      rightMinor: 9_940,
      differenceMinor: -2_982,
    });
    await insertItem({
      kind: 'REFUND',
      sourceId: refundClearing,
      merchantId,
      transactionId: order.transactionId,
      paymentId: order.paymentId,
      refundId,
      gross: 0,
      fee: -18,
      refund: 3_000,
      net: -2_982,
      businessDate: '2024-03-04',
    });
    expect(failingNames(await closer.closeBusinessDate('2024-03-06'))).toEqual([]);

    const story = await get<PaymentStoryView>(`/v1/ledger/payments/${order.paymentId}/story`);
    expect(story.status).toBe(200);
    expect(story.body.entries.map((entry) => entry.kind)).toEqual(['CLEARING', 'REFUND']);
    expect(story.body.entries[0].lines).toContainEqual({
      account: ledgerAccount('MERCHANT_PAYABLE_PENDING', merchantId),
      side: 'CREDIT',
      amount: cny(9_940),
    });
    expect(story.body.settlementItems.map((i) => [i.kind, i.net.amountMinor, i.batchId])).toEqual([
      ['PAYMENT', 9_940, null],
      ['REFUND', -2_982, null],
    ]);
    expect(story.body.batches).toEqual([]);
  });

  it('tells the story on to the batch that took its items and the payout that paid it, the identities holding', async () => {
    const pending = ledgerAccount('MERCHANT_PAYABLE_PENDING', merchantId);
    const available = ledgerAccount('MERCHANT_PAYABLE_AVAILABLE', merchantId);
    const inTransit = ledgerAccount('MERCHANT_PAYABLE_IN_TRANSIT', merchantId);
    const [{ seq }] = (
      await settlement.db.query(
        `SELECT max(seq)::int AS seq FROM settlement_items WHERE merchant_id = $1`,
        [merchantId],
      )
    ).rows;
    const net = 9_940 - 2_982;
    const batchId = newId('stb');
    // The batch's entry is per merchant (aggregated over its items) and references the batch.
    const batchEntry = await postRaw(
      [
        [pending, 'DEBIT', net],
        [available, 'CREDIT', net],
      ],
      { refs: { batchId, merchantId } },
    );
    await insertBatch({
      id: batchId,
      merchantId,
      settlementDate: '2024-03-05',
      state: 'PAID',
      itemsThroughSeq: seq,
      dueThrough: '2024-03-04',
      itemsNet: net,
      journalEntryId: batchEntry,
    });
    const payoutId = newId('po');
    const sent = await postRaw(
      [
        [available, 'DEBIT', net],
        [inTransit, 'CREDIT', net],
      ],
      { refs: { batchId, payoutId } },
    );
    const paid = await postRaw(
      [
        [inTransit, 'DEBIT', net],
        ['PLATFORM_BANK', 'CREDIT', net],
      ],
      { refs: { batchId, payoutId } },
    );
    await insertPayout({
      id: payoutId,
      batchId,
      merchantId,
      amount: net,
      state: 'PAID',
      sentEntryId: sent,
    });

    expect(failingNames(await closer.closeBusinessDate('2024-03-07'))).toEqual([]);

    const story = (await get<PaymentStoryView>(`/v1/ledger/payments/${order.paymentId}/story`))
      .body;
    expect(story.settlementItems.map((i) => i.batchId)).toEqual([batchId, batchId]);
    expect(story.batches).toHaveLength(1);
    expect(story.batches[0]).toMatchObject({
      batchId,
      settlementDate: '2024-03-05',
      state: 'PAID',
      entryId: batchEntry,
      paymentShare: cny(net),
      payouts: [{ payoutId, attempt: 1, state: 'PAID', amount: cny(net) }],
    });
    expect(story.batches[0].entries.map((e) => [e.kind, e.entryId])).toEqual([
      ['SETTLEMENT_BATCH', batchEntry],
      ['PAYOUT_SENT', sent],
      ['PAYOUT_PAID', paid],
    ]);
  });

  // ---- each identity failing -----------------------------------------------------------------

  it('fails each identity on a deliberately broken sub-ledger or ledger, loudly, and keeps the result', async () => {
    const other = newId('mch');
    let date = '2024-03-07';
    const nextDate = () => {
      const next = new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000)
        .toISOString()
        .slice(0, 10);
      date = next;
      return next;
    };
    const closeBroken = async (
      breakIt: () => Promise<() => Promise<void>>,
      expected: string[],
    ): Promise<BooksCloseReport> => {
      const repair = await breakIt();
      const report = await closer.closeBusinessDate(nextDate());
      expect(failingNames(report)).toEqual(expected);
      expect(report.healthy).toBe(false);
      await repair();
      return report;
    };
    const deleteBatch = (id: string) => async () => {
      await settlement.db.query(`DELETE FROM payouts WHERE batch_id = $1`, [id]);
      await settlement.db.query(`DELETE FROM reserve_holds WHERE held_in_batch_id = $1`, [id]);
      await settlement.db.query(`DELETE FROM settlement_batches WHERE id = $1`, [id]);
    };
    const emptyBatch = (itemsNet = 0, reserveHeld = 0) =>
      insertBatch({
        merchantId: other,
        settlementDate: '2024-03-05',
        state: 'CREATED',
        itemsThroughSeq: 0,
        dueThrough: '2024-03-04',
        itemsNet,
        reserveHeld,
      });

    await closeBroken(async () => {
      const seq = await insertItem({
        kind: 'PAYMENT',
        sourceId: newId('clr'),
        merchantId: other,
        transactionId: newId('txn'),
        paymentId: newId('pay'),
        gross: 500,
        fee: 0,
        refund: 0,
        net: 500,
        businessDate: '2024-03-04',
      });
      return async () => {
        await settlement.db.query(`DELETE FROM settlement_items WHERE seq = $1`, [seq]);
      };
    }, ['PENDING_SUBLEDGER']);

    await closeBroken(async () => {
      const batchId = await emptyBatch(300, 300);
      await settlement.db.query(
        `INSERT INTO reserve_holds (id, merchant_id, currency, amount_minor, held_in_batch_id, release_date)
         VALUES ($1, $2, 'CNY', 300, $3, '2024-04-05')`,
        [newId('rsv'), other, batchId],
      );
      return deleteBatch(batchId);
    }, ['RESERVE_SUBLEDGER']);

    await closeBroken(async () => {
      const batchId = await emptyBatch();
      await insertPayout({ batchId, merchantId: other, amount: 400, state: 'SENT' });
      return deleteBatch(batchId);
    }, ['IN_TRANSIT_SUBLEDGER', 'AVAILABLE_SUBLEDGER']);

    await closeBroken(async () => {
      const batchId = await emptyBatch();
      await insertPayout({ batchId, merchantId: other, amount: 400, state: 'PAID' });
      return deleteBatch(batchId);
    }, ['PAID_SUBLEDGER', 'AVAILABLE_SUBLEDGER']);

    const availableBroken = await closeBroken(async () => {
      const batchId = await emptyBatch(700);
      return deleteBatch(batchId);
    }, ['AVAILABLE_SUBLEDGER']);
    expect(availableBroken.checks.find((c) => c.name === 'AVAILABLE_SUBLEDGER')).toMatchObject({
      leftMinor: 0,
      rightMinor: 700,
      differenceMinor: -700,
      holds: false,
    });

    await closeBroken(async () => {
      // Balanced, but booked to an account the chart does not have.
      await postRaw([
        ['CASH', 'DEBIT', 100],
        ['FEE_REVENUE', 'CREDIT', 100],
      ]);
      return async () => {
        await postRaw([
          ['FEE_REVENUE', 'DEBIT', 100],
          ['CASH', 'CREDIT', 100],
        ]);
      };
    }, ['ACCOUNTING_EQUATION']);

    // Back in order after each repair.
    expect(failingNames(await closer.closeBusinessDate(nextDate()))).toEqual([]);

    // The report and the checks are kept; the counter counted every failing check.
    const stored = await get<BooksReportView>(`/v1/books/${availableBroken.businessDate}`);
    expect(stored.status).toBe(200);
    expect(stored.body).toMatchObject({ healthy: false, trialBalanceBalanced: true });
    expect(stored.body.checks).toEqual(availableBroken.checks);
    const kept = await settlement.db.query(
      `SELECT name, left_minor::int AS l, right_minor::int AS r, holds FROM accounting_checks
        WHERE business_date = $1 AND NOT holds`,
      [availableBroken.businessDate],
    );
    expect(kept.rows).toEqual([{ name: 'AVAILABLE_SUBLEDGER', l: 0, r: 700, holds: false }]);
    const metrics = await (await fetch(`${settlement.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /books_accounting_check_failures_total\{check="AVAILABLE_SUBLEDGER",currency="CNY"\} 3/,
    );

    // Last, as it cannot be undone: an entry whose lines do not balance, stored past the
    // database's own balance check.
    await settlement.db.query(`ALTER TABLE journal_lines DISABLE TRIGGER journal_lines_balanced`);
    await settlement.db.query(
      `ALTER TABLE journal_entries DISABLE TRIGGER journal_entries_balanced`,
    );
    let unbalanced: string;
    const closing = nextDate();
    try {
      unbalanced = await postRaw([['CHANNEL_COST', 'DEBIT', 7]], { businessDate: closing });
    } finally {
      await settlement.db.query(`ALTER TABLE journal_lines ENABLE TRIGGER journal_lines_balanced`);
      await settlement.db.query(
        `ALTER TABLE journal_entries ENABLE TRIGGER journal_entries_balanced`,
      );
    }
    const report = await closer.closeBusinessDate(closing);
    expect(failingNames(report)).toEqual(['TRIAL_BALANCE', 'ACCOUNTING_EQUATION']);
    expect(report.trialBalanceBalanced).toBe(false);
    const trialBalance = (
      await get<DatedTrialBalanceView>(`/v1/ledger/trial-balance?businessDate=${date}`)
    ).body;
    expect(trialBalance.balanced).toBe(false);
    expect(trialBalance.unbalancedEntryIds).toEqual([unbalanced]);
  });

  // ---- endpoints: inputs and roles ---------------------------------------------------------

  it.each<[string, string | undefined, string?]>([
    ['/v1/ledger/trial-balance?businessDate=2024-02-30', 'businessDate'],
    ['/v1/ledger/trial-balance?businessDate=yesterday', 'businessDate'],
    [
      '/v1/ledger/trial-balance?businessDate=2024-03-01%00',
      'businessDate',
      'REQUEST.INVALID_CHARACTERS',
    ],
    ['/v1/ledger/trial-balance?businessDate=2024-03-01&businessDate=2024-03-02', 'businessDate'],
    ['/v1/ledger/trial-balance?date=2024-03-01', 'date'],
    ['/v1/ledger/snapshots/2024-13-01', 'businessDate'],
    ['/v1/ledger/snapshots/%E4%BB%8A%E5%A4%A9', 'businessDate'],
    ['/v1/books/20240301', 'businessDate'],
    ['/v1/books/2024-03-01%00', undefined, 'REQUEST.INVALID_CHARACTERS'],
    [`/v1/ledger/payments/pay_123/story`, 'paymentId'],
    [`/v1/ledger/payments/${newId('mch')}/story`, 'paymentId'],
    [`/v1/ledger/payments/${'x'.repeat(5_000)}/story`, 'paymentId'],
  ])(
    'refuses %s with 400 in the error shape',
    async (path, param, code = 'REQUEST.VALIDATION_FAILED') => {
      const { status, body } = await get<{ error: { type: string; code: string; param: string } }>(
        path,
      );
      expect(status).toBe(400);
      expect(body.error).toMatchObject({
        type: 'invalid_request_error',
        code,
        ...(param === undefined ? {} : { param }),
      });
    },
  );

  it.each([
    ['/v1/ledger/trial-balance?businessDate=2024-02-01'],
    ['/v1/ledger/snapshots/2024-02-01'],
    ['/v1/books/2025-01-01'],
  ])('answers 404 BOOKS.NOT_CLOSED for a date never closed: %s', async (path) => {
    const { status, body } = await get<{ error: { type: string; code: string } }>(path);
    expect(status).toBe(404);
    expect(body.error).toMatchObject({ type: 'not_found_error', code: 'BOOKS.NOT_CLOSED' });
  });

  it('answers 404 BOOKS.PAYMENT_NOT_FOUND for a payment no entry mentions', async () => {
    const { status, body } = await get<{ error: { code: string } }>(
      `/v1/ledger/payments/${newId('pay')}/story`,
    );
    expect(status).toBe(404);
    expect(body.error.code).toBe('BOOKS.PAYMENT_NOT_FOUND');
  });

  it('lets viewers, operators, instructors and admins read the books; not services, not strangers', async () => {
    const paths = [
      '/v1/ledger/trial-balance',
      '/v1/ledger/trial-balance?businessDate=2024-03-01',
      '/v1/ledger/snapshots/2024-03-01',
      '/v1/books/2024-03-01',
      `/v1/ledger/payments/${order.paymentId}/story`,
    ];
    for (const path of paths) {
      for (const role of ['viewer', 'operator', 'instructor', 'admin'] as const) {
        expect([path, role, (await get(path, { role })).status]).toEqual([path, role, 200]);
      }
      const asService = await get<{ error: { code: string } }>(path, {
        headers: { authorization: `Bearer ${SERVICE_TOKEN}` },
      });
      expect([path, asService.status, asService.body.error?.code]).toEqual([
        path,
        403,
        'AUTH.ROLE_NOT_ALLOWED',
      ]);
      expect([path, (await get(path, { role: null })).status]).toEqual([path, 401]);
      expect([
        path,
        (await get(path, { headers: { authorization: 'Bearer nope' } })).status,
      ]).toEqual([path, 401]);
    }
  });
});
