/**
 * A merchant reads its money through the signed Open API (商户结算查询), on real Postgres, Redis and
 * Kafka: settlement answers SettlementQuery from batches, items, payouts and ledger lines the test
 * writes with SQL (the batch builder is not what is tested here), and cashier serves the four
 * endpoints to requests signed like a merchant's SDK signs them. A SettlementBatchPaid event on
 * the real topic becomes a signed settlement.paid webhook delivered to a local receiver.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { Client } from 'pg';
import {
  SettlementBatchCreated,
  SettlementBatchPaid,
  type EventContract,
  type PayloadOf,
} from '@paylab/contracts';
import { newId } from '@paylab/ids';
import { publishEvent } from '@paylab/messaging';
import { startService, type RunningService } from '@paylab/platform';
import { freePort, waitFor } from '@paylab/testing';
import { cashierService } from '../../../services/cashier/src/service';
import type { CashierConfig } from '../../../services/cashier/src/config';
import { verifyWebhookSignature } from '../../../services/cashier/src/notifications/domain/webhook-signature';
import { localEnvOf } from '../../../tools/local/env-files';
import { buildAuthorizationHeader } from '../../../services/cashier/src/merchant-auth/domain/request-signature';
import {
  MerchantApiClient,
  nowSeconds,
  randomNonce,
  send,
  type ApiResponse,
} from '../../e2e/support/merchant-api-client';
import {
  consumerFromLatest,
  startSettlementUnderTest,
  type SettlementUnderTest,
} from './settlement-under-test';

/** PAYLAB_TEST_PORT_BASE pins the ports (shared machines hand out ranges); else any free port. */
async function testPort(offset: number): Promise<number> {
  const base = Number(process.env.PAYLAB_TEST_PORT_BASE);
  return Number.isInteger(base) && base > 0 ? base + offset : freePort();
}

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

interface SettlementJson {
  id: string;
  state: string;
  settlementDate: string;
  itemCount: number;
  totals: Record<string, { amountMinor: number; currency: string }>;
  payout: {
    id: string;
    state: string;
    amount: { amountMinor: number };
    bankTxnNo: string | null;
  } | null;
  items?: Array<{ kind: string; paymentId: string; net: { amountMinor: number } }>;
  itemsTruncated?: boolean;
}

interface ListJson {
  object: string;
  data: SettlementJson[];
  hasMore: boolean;
  nextCursor: string | null;
}

const cny = (amountMinor: number) => ({ amountMinor, currency: 'CNY' as const });

describe('merchant settlement API (balance, settlements, statement, webhooks) on real infrastructure', () => {
  const suffix = randomBytes(4).toString('hex');
  let settlement: SettlementUnderTest;
  let cashier: RunningService<CashierConfig>;
  let db: Client;
  let receiver: Server;
  const received: Received[] = [];
  let coffee: MerchantApiClient;
  let books: MerchantApiClient;

  const merchantA = {
    id: newId('mch'),
    appId: newId('app'),
    secret: `sk_it_a_${randomBytes(20).toString('hex')}`,
  };
  const merchantB = {
    id: newId('mch'),
    appId: newId('app'),
    secret: `sk_it_b_${randomBytes(20).toString('hex')}`,
  };
  /** A's batches, newest first once listed. */
  const batchesA: Array<{ id: string; date: string; state: string }> = [];
  let batchB: string;
  /** The batch whose statement is checked: payments, a refund, reserve and a carried-in amount. */
  let statementBatch: {
    id: string;
    totals: { gross: number; fees: number; refunds: number; itemsNet: number; net: number };
    paymentIds: string[];
  };

  beforeAll(async () => {
    const [settlementPort, cashierPort, receiverPort] = await Promise.all([
      testPort(0),
      testPort(1),
      testPort(2),
    ]);

    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
        response.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(receiverPort, '127.0.0.1', resolve));

    settlement = await startSettlementUnderTest('mch-settlement', {
      consumer: 'latest',
      port: settlementPort,
    });
    const { infrastructure } = settlement;
    // Cashier shares settlement's database (each service keeps to its own schema).
    const cashierGroup = `it-mch-cashier-${suffix}`;
    cashier = await startService(
      { ...cashierService, consumer: consumerFromLatest<CashierConfig>(cashierGroup) },
      localEnvOf('cashier', {
        HTTP_HOST: '127.0.0.1',
        DATABASE_URL: settlement.databaseUrl,
        REDIS_URL: infrastructure.redisUrl,
        KAFKA_BROKERS: infrastructure.kafkaBrokers.join(','),
        LOG_LEVEL: process.env.PAYLAB_TEST_LOG_LEVEL ?? 'warn',
        OUTBOX_POLL_INTERVAL_MS: '50',
        HTTP_PORT: String(cashierPort),
        PUBLIC_BASE_URL: `http://127.0.0.1:${cashierPort}`,
        KAFKA_CONSUMER_GROUP: cashierGroup,
        WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
        WEBHOOK_POLL_INTERVAL_MS: '50',
        WEBHOOK_TIME_SCALE: '0.001',
      }),
    );

    db = settlement.db;
    for (const [merchant, name, webhook] of [
      [merchantA, 'IT Coffee (测试咖啡)', `http://127.0.0.1:${receiverPort}/webhooks`],
      [merchantB, 'IT Books (测试书店)', null],
    ] as const) {
      await db.query(`INSERT INTO cashier.merchants (id, name, status) VALUES ($1, $2, 'ACTIVE')`, [
        merchant.id,
        name,
      ]);
      await db.query(
        `INSERT INTO cashier.merchant_apps (id, merchant_id, name, signing_secret, webhook_url, status)
         VALUES ($1, $2, 'web', $3, $4, 'ACTIVE')`,
        [merchant.appId, merchant.id, merchant.secret, webhook],
      );
    }
    const baseUrl = `http://127.0.0.1:${cashierPort}`;
    coffee = new MerchantApiClient(baseUrl, { appId: merchantA.appId, secret: merchantA.secret });
    books = new MerchantApiClient(baseUrl, { appId: merchantB.appId, secret: merchantB.secret });

    await seedSettlement();
    // The request client joins its reply group in the background: wait until settlement answers.
    await waitFor(
      'cashier to reach settlement',
      () => coffee.request({ method: 'GET', path: '/v1/balance' }),
      (response) => response.status === 200,
      { timeoutMs: 60_000, intervalMs: 500 },
    );
  });

  afterAll(async () => {
    await cashier?.stop();
    await new Promise((resolve) => receiver?.close(resolve));
    await settlement?.stop();
  });

  // ---- seeding -----------------------------------------------------------------------------

  interface ItemSpec {
    kind: 'PAYMENT' | 'REFUND';
    amount: number;
    fee: number;
    businessDate: string;
    paymentId?: string;
  }

  async function insertItem(
    merchantId: string,
    spec: ItemSpec,
  ): Promise<{ seq: number; paymentId: string }> {
    const paymentId = spec.paymentId ?? newId('pay');
    const refund = spec.kind === 'REFUND';
    const row = await db.query<{ seq: string }>(
      `INSERT INTO settlement.settlement_items
         (kind, source_id, merchant_id, transaction_id, payment_id, refund_id, currency,
          gross_minor, fee_minor, refund_minor, net_minor, occurred_at, business_date)
       VALUES ($1, $2, $3, $4, $5, $6, 'CNY', $7, $8, $9, $10, $11, $12) RETURNING seq`,
      [
        spec.kind,
        refund ? newId('ref') : newId('clr'),
        merchantId,
        newId('txn'),
        paymentId,
        refund ? newId('ref') : null,
        refund ? 0 : spec.amount,
        refund ? -spec.fee : spec.fee,
        refund ? spec.amount : 0,
        refund ? -(spec.amount - spec.fee) : spec.amount - spec.fee,
        `${spec.businessDate}T03:00:00Z`,
        spec.businessDate,
      ],
    );
    return { seq: Number(row.rows[0].seq), paymentId };
  }

  const previous = new Map<string, { seq: number; due: string | null }>();

  /** A batch owning every item of the merchant up to now with business date <= dueThrough. */
  async function insertBatch(
    merchantId: string,
    settlementDate: string,
    dueThrough: string,
    state: string,
    extra: { reserveHeld?: number; reserveReleased?: number; carriedIn?: number } = {},
  ): Promise<{
    id: string;
    totals: { gross: number; fees: number; refunds: number; itemsNet: number; net: number };
  }> {
    const prev = previous.get(merchantId) ?? { seq: 0, due: null };
    const through = await db.query<{ seq: string | null }>(
      `SELECT max(seq)::text AS seq FROM settlement.settlement_items WHERE merchant_id = $1`,
      [merchantId],
    );
    const itemsThrough = Number(through.rows[0].seq ?? 0);
    const sums = await db.query<{
      n: number;
      gross: string;
      fees: string;
      refunds: string;
      net: string;
    }>(
      `SELECT count(*)::int AS n, COALESCE(sum(gross_minor), 0)::text AS gross,
              COALESCE(sum(fee_minor), 0)::text AS fees, COALESCE(sum(refund_minor), 0)::text AS refunds,
              COALESCE(sum(net_minor), 0)::text AS net
         FROM settlement.settlement_items
        WHERE merchant_id = $1 AND seq <= $2 AND business_date <= $3
          AND NOT (seq <= $4 AND business_date <= COALESCE($5::date, '-infinity'::date))`,
      [merchantId, itemsThrough, dueThrough, prev.seq, prev.due],
    );
    const s = sums.rows[0];
    const itemsNet = Number(s.net);
    const reserveHeld = extra.reserveHeld ?? 0;
    const reserveReleased = extra.reserveReleased ?? 0;
    const carriedIn = extra.carriedIn ?? 0;
    const net = carriedIn + itemsNet - reserveHeld + reserveReleased;
    const id = newId('stb');
    await db.query(
      `INSERT INTO settlement.settlement_batches
         (id, merchant_id, settlement_date, currency, state, terms_version, cycle, items_through_seq,
          due_through, prev_items_through_seq, prev_due_through, item_count, payment_count,
          refund_count, late_payment_return_count, gross_minor, fee_minor, refund_minor,
          items_net_minor, reserve_held_minor, reserve_released_minor, carried_in_minor, net_minor,
          minimum_payout_minor, paid_at)
       VALUES ($1, $2, $3, 'CNY', $4, 1, 'T+1', $5, $6, $7, $8, $9, 0, 0, 0, $10, $11, $12, $13,
               $14, $15, $16, $17, 100, $18)`,
      [
        id,
        merchantId,
        settlementDate,
        state,
        itemsThrough,
        dueThrough,
        prev.seq,
        prev.due,
        s.n,
        s.gross,
        s.fees,
        s.refunds,
        itemsNet,
        reserveHeld,
        reserveReleased,
        carriedIn,
        net,
        state === 'PAID' ? `${settlementDate}T02:00:00Z` : null,
      ],
    );
    previous.set(merchantId, { seq: itemsThrough, due: dueThrough });
    return {
      id,
      totals: {
        gross: Number(s.gross),
        fees: Number(s.fees),
        refunds: Number(s.refunds),
        itemsNet,
        net,
      },
    };
  }

  async function insertPayout(
    batchId: string,
    merchantId: string,
    attempt: number,
    amount: number,
    state: string,
    bankTxnNo: string | null,
  ): Promise<string> {
    const id = newId('po');
    await db.query(
      `INSERT INTO settlement.payouts
         (id, batch_id, merchant_id, attempt, request_no, currency, amount_minor, payee_bank_code,
          payee_account_no, payee_account_name, state, bank_txn_no, failure_code, failure_message,
          sent_journal_entry_id, requested_by)
       VALUES ($1, $2, $3, $4, $5, 'CNY', $6, 'PLBANK', '6222020000000001', '上海演示咖啡有限公司',
               $7, $8, $9, $10, $11, 'system')`,
      [
        id,
        batchId,
        merchantId,
        attempt,
        `PO${randomBytes(8).toString('hex')}`,
        amount,
        state,
        bankTxnNo,
        state === 'FAILED' ? 'ACCOUNT_FROZEN' : null,
        state === 'FAILED' ? 'The payee account is frozen.' : null,
        newId('jnl'),
      ],
    );
    return id;
  }

  /** A balanced journal entry: debit one account, credit another (same amount, CNY). */
  async function post(debit: string, credit: string, amount: number): Promise<void> {
    const entryId = newId('jnl');
    await db.query('BEGIN');
    await db.query(
      `INSERT INTO settlement.journal_entries (id, posted_at, description) VALUES ($1, now(), 'it')`,
      [entryId],
    );
    await db.query(
      `INSERT INTO settlement.journal_lines (id, entry_id, line_no, account, side, amount_minor, currency)
       VALUES ($1, $3, 1, $4, 'DEBIT', $6, 'CNY'), ($2, $3, 2, $5, 'CREDIT', $6, 'CNY')`,
      [newId('led'), newId('led'), entryId, debit, credit, amount],
    );
    await db.query('COMMIT');
  }

  async function seedSettlement(): Promise<void> {
    const a = merchantA.id;
    // Batch 1 (2026-12-02, due through 12-01): two payments. An item numbered before the batch
    // but dated 12-02 is not due yet: it belongs to batch 2 (the ownership predicate).
    await insertItem(a, { kind: 'PAYMENT', amount: 10_000, fee: 60, businessDate: '2026-12-01' });
    const lateDated = await insertItem(a, {
      kind: 'PAYMENT',
      amount: 777,
      fee: 5,
      businessDate: '2026-12-02',
    });
    await insertItem(a, { kind: 'PAYMENT', amount: 2_000, fee: 12, businessDate: '2026-12-01' });
    const b1 = await insertBatch(a, '2026-12-02', '2026-12-01', 'PAID');
    await insertPayout(b1.id, a, 1, b1.totals.net, 'FAILED', null);
    await insertPayout(b1.id, a, 2, b1.totals.net, 'PAID', 'PLB000001');
    batchesA.push({ id: b1.id, date: '2026-12-02', state: 'PAID' });

    // Batch 2 (12-03): payments and a refund, reserve held and released, a carried-in amount.
    const paid = await insertItem(a, {
      kind: 'PAYMENT',
      amount: 50_000,
      fee: 300,
      businessDate: '2026-12-02',
    });
    await insertItem(a, {
      kind: 'REFUND',
      amount: 20_000,
      fee: 120,
      businessDate: '2026-12-02',
      paymentId: paid.paymentId,
    });
    const b2 = await insertBatch(a, '2026-12-03', '2026-12-02', 'PAID', {
      reserveHeld: 1_500,
      reserveReleased: 400,
      carriedIn: -250,
    });
    await insertPayout(b2.id, a, 1, b2.totals.net, 'PAID', 'PLB000002');
    batchesA.push({ id: b2.id, date: '2026-12-03', state: 'PAID' });
    statementBatch = {
      id: b2.id,
      totals: b2.totals,
      paymentIds: [lateDated.paymentId, paid.paymentId],
    };

    // Batches 3..7 on later dates; 12-05 fails, 12-06 is carried forward (nothing due).
    const states = ['PAID', 'FAILED', 'CARRIED_FORWARD', 'PAID', 'CREATED'];
    for (const [index, state] of states.entries()) {
      const date = `2026-12-${String(4 + index).padStart(2, '0')}`;
      const due = `2026-12-${String(3 + index).padStart(2, '0')}`;
      if (state !== 'CARRIED_FORWARD') {
        await insertItem(a, {
          kind: 'PAYMENT',
          amount: 1_000 * (index + 1),
          fee: 6,
          businessDate: due,
        });
      }
      const batch = await insertBatch(a, date, due, state);
      if (state === 'PAID')
        await insertPayout(batch.id, a, 1, batch.totals.net, 'PAID', `PLB1${index}`);
      if (state === 'FAILED') await insertPayout(batch.id, a, 1, batch.totals.net, 'FAILED', null);
      batchesA.push({ id: batch.id, date, state });
    }
    // Not yet due: in nobody's batch.
    await insertItem(a, { kind: 'PAYMENT', amount: 999, fee: 6, businessDate: '2026-12-09' });

    await insertItem(merchantB.id, {
      kind: 'PAYMENT',
      amount: 3_000,
      fee: 18,
      businessDate: '2026-12-01',
    });
    batchB = (await insertBatch(merchantB.id, '2026-12-02', '2026-12-01', 'CREATED')).id;

    // A's ledger: 9,940 cleared to pending; 5,000 of it due; 1,000 held; 2,000 sent to the bank.
    await post('CHANNEL_RECEIVABLE:ALIPAY', `MERCHANT_PAYABLE_PENDING:${a}`, 9_940);
    await post(`MERCHANT_PAYABLE_PENDING:${a}`, `MERCHANT_PAYABLE_AVAILABLE:${a}`, 5_000);
    await post(`MERCHANT_PAYABLE_AVAILABLE:${a}`, `MERCHANT_RESERVE:${a}`, 1_000);
    await post(`MERCHANT_PAYABLE_AVAILABLE:${a}`, `MERCHANT_PAYABLE_IN_TRANSIT:${a}`, 2_000);
  }

  // ---- helpers -----------------------------------------------------------------------------

  const list = (client: MerchantApiClient, query: Record<string, string> = {}) =>
    client.request({ method: 'GET', path: '/v1/settlements', query });

  function expectError(response: ApiResponse, status: number, code: string, param?: string) {
    expect({
      status: response.status,
      code: (response.json as { error?: { code?: string } })?.error?.code,
    }).toEqual({
      status,
      code,
    });
    const error = (response.json as { error: Record<string, unknown> }).error;
    expect(typeof error.type).toBe('string');
    expect(typeof error.message).toBe('string');
    if (param !== undefined) expect(error.param).toBe(param);
  }

  // ---- balance ---------------------------------------------------------------------------

  it("returns the merchant's balance per currency from the ledger", async () => {
    const response = await coffee.request({ method: 'GET', path: '/v1/balance' });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      object: 'balance',
      merchantId: merchantA.id,
      balances: [
        {
          currency: 'CNY',
          pending: cny(4_940),
          available: cny(2_000),
          reserved: cny(1_000),
          inTransit: cny(2_000),
        },
      ],
    });
  });

  it('a merchant with no postings gets an empty list', async () => {
    const response = await books.request({ method: 'GET', path: '/v1/balance' });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ merchantId: merchantB.id, balances: [] });
  });

  // ---- list --------------------------------------------------------------------------------

  it('pages through every batch newest first, without duplicates or gaps', async () => {
    const seen: SettlementJson[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response = await list(coffee, { limit: '3', ...(cursor ? { cursor } : {}) });
      expect(response.status).toBe(200);
      const page = response.json as ListJson;
      expect(page.object).toBe('list');
      expect(page.data.length).toBeLessThanOrEqual(3);
      seen.push(...page.data);
      cursor = page.nextCursor;
      expect(page.hasMore).toBe(cursor !== null);
      pages += 1;
    } while (cursor !== null && pages < 10);
    expect(pages).toBe(3);
    const expected = [...batchesA].sort((x, y) => (x.date < y.date ? 1 : -1)).map((b) => b.id);
    expect(seen.map((s) => s.id)).toEqual(expected);
    expect(seen.some((s) => s.id === batchB)).toBe(false);
    // The latest payout attempt is the one shown.
    const first = seen.find((s) => s.id === batchesA[0].id)!;
    expect(first.payout).toMatchObject({ state: 'PAID', bankTxnNo: 'PLB000001' });
    const carried = seen.find((s) => s.state === 'CARRIED_FORWARD')!;
    expect(carried.payout).toBeNull();
  });

  it('filters by state and by settlement date range', async () => {
    const paid = (await list(coffee, { state: 'PAID' })).json as ListJson;
    expect(paid.data.map((s) => s.state)).toEqual(['PAID', 'PAID', 'PAID', 'PAID']);
    const range = (await list(coffee, { from_date: '2026-12-03', to_date: '2026-12-05' }))
      .json as ListJson;
    expect(range.data.map((s) => s.settlementDate)).toEqual([
      '2026-12-05',
      '2026-12-04',
      '2026-12-03',
    ]);
    const none = (await list(coffee, { state: 'SUPERSEDED' })).json as ListJson;
    expect(none).toEqual({ object: 'list', data: [], hasMore: false, nextCursor: null });
  });

  it("refuses another merchant's cursor and an altered one with SETTLEMENT.INVALID_CURSOR", async () => {
    const page = (await list(coffee, { limit: '1' })).json as ListJson;
    expect(page.nextCursor).not.toBeNull();
    expectError(
      await list(books, { cursor: page.nextCursor! }),
      400,
      'SETTLEMENT.INVALID_CURSOR',
      'cursor',
    );
    const altered = `${page.nextCursor!.slice(0, -2)}${page.nextCursor!.endsWith('A') ? 'BB' : 'AA'}`;
    expectError(
      await list(coffee, { cursor: altered }),
      400,
      'SETTLEMENT.INVALID_CURSOR',
      'cursor',
    );
  });

  it.each([
    [{ limit: '0' }, 'limit'],
    [{ limit: '101' }, 'limit'],
    [{ limit: 'ten' }, 'limit'],
    [{ limit: '9'.repeat(40) }, 'limit'],
    [{ state: 'DONE' }, 'state'],
    [{ from_date: '2026-13-01' }, 'from_date'],
    [{ from_date: '2026-12-05', to_date: '2026-12-01' }, 'from_date'],
    [{ cursor: 'x'.repeat(201) }, 'cursor'],
    [{ merchant_id: 'mch_01M85DMB00EHTE541GQYE3T4V0' }, 'merchant_id'],
  ])('refuses bad query %j with 400 in the error shape', async (query, param) => {
    expectError(await list(coffee, query), 400, 'REQUEST.VALIDATION_FAILED', param);
  });

  it('refuses NUL bytes in the query or the path before anything reads them', async () => {
    // The HTTP pipeline refuses control characters in the URL for every route.
    expectError(
      await list(coffee, { to_date: '2026-12-01\u0000' }),
      400,
      'REQUEST.INVALID_CHARACTERS',
    );
    expectError(
      await coffee.request({
        method: 'GET',
        path: '/v1/settlements/stb_01M85DMB00EHTE541GQYE3T4TM%00',
      }),
      400,
      'REQUEST.INVALID_CHARACTERS',
    );
  });

  it('refuses a repeated parameter', async () => {
    const query = 'limit=1&limit=2';
    const response = await send({
      method: 'GET',
      url: `${coffee.baseUrl}/v1/settlements?${query}`,
      headers: {
        accept: 'application/json',
        authorization: buildAuthorizationHeader(
          merchantA.appId,
          merchantA.secret,
          { method: 'GET', path: '/v1/settlements', query, body: '' },
          nowSeconds(),
          randomNonce(),
        ),
      },
    });
    expectError(response, 400, 'REQUEST.VALIDATION_FAILED', 'limit');
  });

  // ---- one settlement ------------------------------------------------------------------------

  it('returns one settlement with exactly the items its predicate owns', async () => {
    const response = await coffee.request({
      method: 'GET',
      path: `/v1/settlements/${statementBatch.id}`,
    });
    expect(response.status).toBe(200);
    const body = response.json as SettlementJson;
    expect(body).toMatchObject({
      id: statementBatch.id,
      itemCount: 3,
      itemsTruncated: false,
      totals: {
        gross: cny(statementBatch.totals.gross),
        fees: cny(statementBatch.totals.fees),
        refunds: cny(statementBatch.totals.refunds),
        itemsNet: cny(statementBatch.totals.itemsNet),
        net: cny(statementBatch.totals.net),
      },
    });
    // The late-dated payment from before batch 1 is here, not in batch 1.
    expect(body.items!.map((item) => item.kind)).toEqual(['PAYMENT', 'PAYMENT', 'REFUND']);
    expect(body.items![0].paymentId).toBe(statementBatch.paymentIds[0]);
    const first = (
      await coffee.request({ method: 'GET', path: `/v1/settlements/${batchesA[0].id}` })
    ).json as SettlementJson;
    expect(first.items!.map((item) => item.net.amountMinor)).toEqual([9_940, 1_988]);
  });

  it("answers 404 for another merchant's settlement and for an unknown one", async () => {
    expectError(
      await coffee.request({ method: 'GET', path: `/v1/settlements/${batchB}` }),
      404,
      'SETTLEMENT.NOT_FOUND',
    );
    expectError(
      await books.request({
        method: 'GET',
        path: `/v1/settlements/${batchesA[0].id}/statement.csv`,
      }),
      404,
      'SETTLEMENT.NOT_FOUND',
    );
    expectError(
      await coffee.request({ method: 'GET', path: `/v1/settlements/${newId('stb')}` }),
      404,
      'SETTLEMENT.NOT_FOUND',
    );
  });

  it.each([
    ['a payment id', `/v1/settlements/${'pay_01M85DMB00EHTE541GQYE3T4TM'}`],
    ['garbage', '/v1/settlements/hello'],
    ['a lower-case id', '/v1/settlements/stb_01m85dmb00ehte541gqye3t4tm'],
    ['garbage statement', '/v1/settlements/hello/statement.csv'],
  ])('refuses %s as a settlement id with 400', async (_name, path) => {
    expectError(
      await coffee.request({ method: 'GET', path }),
      400,
      'REQUEST.VALIDATION_FAILED',
      'id',
    );
  });

  // ---- statement -------------------------------------------------------------------------------

  it('serves the statement CSV: BOM, bilingual headers, one row per item, totals equal to the batch', async () => {
    const response = await coffee.request({
      method: 'GET',
      path: `/v1/settlements/${statementBatch.id}/statement.csv`,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="settlement-${statementBatch.id}.csv"`,
    );
    // fetch's text() drops a leading BOM; re-read the raw bytes to see it.
    const raw = Buffer.from(
      await (
        await fetch(
          coffee.prepare({
            method: 'GET',
            path: `/v1/settlements/${statementBatch.id}/statement.csv`,
          }).url,
          {
            headers: coffee.prepare({
              method: 'GET',
              path: `/v1/settlements/${statementBatch.id}/statement.csv`,
            }).headers,
          },
        )
      ).arrayBuffer(),
    );
    expect(raw.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const lines = raw.toString('utf8').slice(1).split('\r\n');
    expect(lines[0]).toBe('结算单 Settlement statement');
    expect(lines).toContain(`结算批次号 Settlement ID,${statementBatch.id}`);
    expect(lines).toContain(`商户号 Merchant ID,${merchantA.id}`);
    const header = lines.findIndex((line) => line.startsWith('交易类型 Type,支付单号 Payment ID'));
    expect(header).toBeGreaterThan(0);
    const rows = lines.slice(header + 1, header + 4).map((line) => line.split(','));
    expect(rows.map((row) => row[0])).toEqual(['支付 Payment', '支付 Payment', '退款 Refund']);
    const yuan = (minor: number) =>
      `${minor < 0 ? '-' : ''}${Math.floor(Math.abs(minor) / 100)}.${String(Math.abs(minor) % 100).padStart(2, '0')}`;
    expect(lines).toContain(`交易金额合计 Gross,${yuan(statementBatch.totals.gross)}`);
    expect(lines).toContain(`手续费合计 Fees,${yuan(statementBatch.totals.fees)}`);
    expect(lines).toContain(`退款合计 Refunds,${yuan(statementBatch.totals.refunds)}`);
    expect(lines).toContain(`明细净额 Items net,${yuan(statementBatch.totals.itemsNet)}`);
    expect(lines).toContain('保证金扣留 Reserve held,15.00');
    expect(lines).toContain('保证金释放 Reserve released,4.00');
    expect(lines).toContain('上期结转 Carried in,-2.50');
    expect(lines).toContain(`结算净额 Net,${yuan(statementBatch.totals.net)}`);
    const fen = (text: string) => Math.round(Number(text) * 100);
    expect(rows.reduce((sum, row) => sum + fen(row[9]), 0)).toBe(statementBatch.totals.itemsNet);
  });

  // ---- authentication ----------------------------------------------------------------------------

  it('refuses a bad signature with 401 on every endpoint', async () => {
    for (const path of [
      '/v1/balance',
      '/v1/settlements',
      `/v1/settlements/${statementBatch.id}`,
      `/v1/settlements/${statementBatch.id}/statement.csv`,
    ]) {
      const response = await coffee.request({ method: 'GET', path, signAs: { path: '/v1/other' } });
      expect(response.status).toBe(401);
      expect((response.json as { error: { type: string } }).error.type).toBe(
        'authentication_error',
      );
    }
    const forged = new MerchantApiClient(coffee.baseUrl, {
      appId: merchantA.appId,
      secret: 'x'.repeat(40),
    });
    expect((await forged.request({ method: 'GET', path: '/v1/balance' })).status).toBe(401);
  });

  // ---- webhooks ----------------------------------------------------------------------------------

  const publish = <C extends EventContract>(
    contract: C,
    payload: PayloadOf<C>,
    messageId?: string,
  ) =>
    publishEvent(settlement.kafka, contract, payload, {
      key: merchantA.id,
      producer: 'it-settlement',
      ...(messageId ? { messageId } : {}),
    });

  it('delivers a signed settlement.paid webhook once for a SettlementBatchPaid event', async () => {
    const facts = {
      batchId: statementBatch.id,
      merchantId: merchantA.id,
      settlementDate: '2026-12-03',
      itemCount: 3,
      totals: {
        gross: cny(statementBatch.totals.gross),
        fees: cny(statementBatch.totals.fees),
        refunds: cny(statementBatch.totals.refunds),
        itemsNet: cny(statementBatch.totals.itemsNet),
        reserveHeld: cny(1_500),
        reserveReleased: cny(400),
        carriedIn: cny(-250),
        net: cny(statementBatch.totals.net),
      },
      occurredAt: new Date().toISOString(),
    };
    // A created batch is no webhook.
    await publish(SettlementBatchCreated, { ...facts, state: 'CREATED' });
    const messageId = newId('evt');
    const paid = {
      ...facts,
      payoutId: newId('po'),
      payoutRequestNo: 'PO-IT-1',
      bankTxnNo: 'PLB000002',
      amount: cny(statementBatch.totals.net),
      paidAt: new Date().toISOString(),
    };
    await publish(SettlementBatchPaid, paid, messageId);
    await publish(SettlementBatchPaid, paid, messageId); // redelivered: the inbox drops it

    const delivered = await waitFor(
      'the settlement.paid webhook',
      () => Promise.resolve(received.filter((r) => r.body.includes('settlement.paid'))),
      (found) => found.length >= 1,
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    const webhook = delivered[0];
    const body = JSON.parse(webhook.body) as {
      id: string;
      type: string;
      data: Record<string, unknown>;
    };
    expect(body.type).toBe('settlement.paid');
    expect(body.id).toMatch(/^ntf_/);
    expect(body.data).toMatchObject({
      id: statementBatch.id,
      object: 'settlement',
      state: 'PAID',
      settlementDate: '2026-12-03',
      totals: facts.totals,
      payout: { amount: cny(statementBatch.totals.net), bankTxnNo: 'PLB000002' },
    });
    expect(webhook.headers['paylab-notification-id']).toBe(body.id);
    expect(
      verifyWebhookSignature(
        merchantA.secret,
        webhook.headers['paylab-signature'] as string,
        webhook.body,
        new Date(),
      ),
    ).toMatchObject({ ok: true });
    expect(
      verifyWebhookSignature(
        merchantB.secret,
        webhook.headers['paylab-signature'] as string,
        webhook.body,
        new Date(),
      ),
    ).toMatchObject({ ok: false });

    // Give a duplicate time to show up, then check exactly one notification, delivered.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const rows = await db.query<{
      event_type: string;
      status: string;
      settlement_id: string;
      payment_id: string | null;
    }>(
      `SELECT event_type, status, settlement_id, payment_id FROM cashier.merchant_notifications WHERE merchant_id = $1`,
      [merchantA.id],
    );
    expect(rows.rows).toEqual([
      {
        event_type: 'settlement.paid',
        status: 'DELIVERED',
        settlement_id: statementBatch.id,
        payment_id: null,
      },
    ]);
    expect(received.filter((r) => r.body.includes('settlement.')).length).toBe(1);
  });

  // Last: it stops settlement.
  it('answers 503 in the error shape while settlement does not answer', async () => {
    await settlement.stopService();
    const response = await coffee.request({ method: 'GET', path: '/v1/balance' });
    expectError(response, 503, 'REQUEST.TIMEOUT');
  });
});
