import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { waitFor } from '@paylab/testing';
import { verifyWebhookSignature } from '../../services/cashier/src/notifications/domain/webhook-signature';
import { addDays } from '../../services/settlement/src/calendar/domain/business-date';
import {
  DEMO_BOOKS_MERCHANT,
  DEMO_MERCHANT,
} from '../../services/cashier/src/merchants/demo-merchant';
import { asOperator } from './support/operator-credentials';
import { PaymentDriver } from './support/payment-driver';
import {
  awayFromCutOff,
  shanghaiDate,
  startPaymentSystem,
  type PaymentSystem,
} from './support/payment-system';
import {
  merchantBalance,
  settlementStatement,
  SettlementDriver,
  type BatchView,
} from './support/settlement-driver';

jest.setTimeout(300_000);

const COFFEE = DEMO_MERCHANT.merchantId;
const COFFEE_ACCOUNT = '6222020000000001';
const BOOKS = DEMO_BOOKS_MERCHANT.merchantId;

/**
 * A T+1 merchant through a whole cycle on the real stack (six services as processes, Postgres,
 * Redis, Kafka, the sandbox bank): payments and a partial refund on day D, the end of day of D+1
 * run by an instructor, one batch with the right net, paid by the bank, and the merchant's
 * balance and settlement file agreeing to the fen. Then the bank's faults: a frozen account
 * (FAILED, money back to available, paid by the next cycle), a result unknown (queried, paid
 * exactly once) and an operator's retry. The run ends with check:invariants.
 */
describe('settlement cycle: T+1, payouts through the bank, faults (e2e)', () => {
  let system: PaymentSystem;
  let driver: PaymentDriver;
  /** Demo Books (演示书店), on D+0. */
  let books: PaymentDriver;
  let booksFirstPaymentId: string;
  let settlement: SettlementDriver;
  let today: string;
  /** The merchant's webhook endpoint: every settlement.* webhook Demo Coffee's app receives. */
  let receiver: Server;
  const webhooks: Array<{ headers: IncomingHttpHeaders; body: string }> = [];

  beforeAll(async () => {
    await awayFromCutOff();
    system = await startPaymentSystem('settlement', {
      acquiring: { REFUND_QUERY_AFTER_MS: '1000', REFUND_WORKER_INTERVAL_MS: '200' },
      // Short, so that the timeout-unknown fault is over in seconds.
      settlement: { BANK_REQUEST_TIMEOUT_MS: '2000' },
    });
    driver = new PaymentDriver(system);
    books = new PaymentDriver(system, undefined, DEMO_BOOKS_MERCHANT);
    settlement = new SettlementDriver(system);
    today = shanghaiDate();

    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        webhooks.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
        response.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    // Demo Coffee's app gets its webhooks here (settlement webhooks go to the app's URL).
    const db = new Client({ connectionString: system.databaseUrl });
    await db.connect();
    await db.query(`UPDATE cashier.merchant_apps SET webhook_url = $1 WHERE id = $2`, [
      `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/paylab-hooks`,
      DEMO_MERCHANT.appId,
    ]);
    await db.end();
  });

  afterAll(async () => {
    await system?.stop();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  /** The signed webhook of one type about one batch, verified with the app's secret. */
  async function settlementWebhook(type: string, batchId: string) {
    const found = await waitFor(
      `${type} webhook for ${batchId}`,
      async () =>
        webhooks.find((hook) => {
          const body = JSON.parse(hook.body) as { type: string; data: { id: string } };
          return body.type === type && body.data.id === batchId;
        }),
      (hook) => hook !== undefined,
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    const verification = verifyWebhookSignature(
      DEMO_MERCHANT.signingSecret,
      found!.headers['paylab-signature'] as string,
      found!.body,
      new Date(),
    );
    expect(verification).toMatchObject({ ok: true });
    return JSON.parse(found!.body) as {
      type: string;
      data: {
        state: string;
        totals: { net: { amountMinor: number } };
        payout: Record<string, unknown>;
      };
    };
  }

  async function merchantNetOf(transactionId: string): Promise<number> {
    const clearing = (await driver.clearing(transactionId)) as {
      merchantNet: { amountMinor: number };
    };
    return clearing.merchantNet.amountMinor;
  }

  async function refund(
    paymentId: string,
    amountMinor: number,
    as: PaymentDriver = driver,
  ): Promise<number> {
    const response = await as.merchant.request({
      method: 'POST',
      path: `/v1/payments/${paymentId}/refunds`,
      idempotencyKey: `stl-rf-${Date.now()}-${Math.random()}`,
      body: JSON.stringify({ amount: { amountMinor, currency: 'CNY' }, reason: '退货 returned' }),
    });
    if (response.status !== 201) throw new Error(`refund: ${response.status} ${response.text}`);
    const refundId = (response.json as { id: string }).id;
    const cleared = await waitFor(
      `refund clearing of ${refundId}`,
      () =>
        settlement.get<{ merchantNetRefund?: { amountMinor: number } }>(
          `/v1/refund-clearings/${refundId}`,
        ),
      (found) => found.status === 200,
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    return cleared.body.merchantNetRefund!.amountMinor;
  }

  async function payAndClear(
    amountMinor: number,
    as: PaymentDriver = driver,
  ): Promise<{ paymentId: string; net: number }> {
    const paid = await as.payOnce(amountMinor);
    return { paymentId: paid.id, net: await merchantNetOf(paid.transactionId!) };
  }

  async function putCoffeeTerms(accountName: string, reason: string): Promise<number> {
    const response = await fetch(
      `${system.urls.settlement}/v1/admin/merchants/${COFFEE}/settlement-terms`,
      {
        method: 'PUT',
        headers: { ...asOperator('operator'), 'content-type': 'application/json' },
        body: JSON.stringify({
          cycle: { kind: 'T_PLUS_N', days: 1 },
          cutoff: '00:00',
          minimumPayoutMinor: 0,
          reserve: null,
          payoutAccount: { bankCode: 'PLBANK', accountNo: COFFEE_ACCOUNT, accountName },
          reason,
        }),
      },
    );
    if (response.status !== 200 && response.status !== 201) {
      throw new Error(`terms: ${response.status} ${await response.text()}`);
    }
    return ((await response.json()) as { terms: { version: number } }).terms.version;
  }

  /** Runs the end of day as an instructor, then proves the identities hold for that date. */
  async function endOfDay(date: string) {
    const report = await settlement.runEndOfDay(date);
    await expectBooksHealthy(date);
    return report;
  }

  /** The books of a date closed with every accounting identity holding (会计恒等式). */
  async function expectBooksHealthy(date: string): Promise<void> {
    const books = await settlement.get<{
      healthy: boolean;
      checks: Array<{ name: string; holds: boolean }>;
    }>(`/v1/books/${date}`);
    expect(books.status).toBe(200);
    expect(books.body.checks.filter((check) => !check.holds)).toEqual([]);
    expect(books.body.healthy).toBe(true);
  }

  function parseCsvTotals(text: string): Record<string, string> {
    const totals: Record<string, string> = {};
    const lines = text.replace(/^\uFEFF/, '').split('\r\n');
    const start = lines.indexOf('汇总 Totals');
    for (const line of lines.slice(start + 1)) {
      if (line === '') continue;
      const [label, value] = line.split(',');
      totals[label] = value;
    }
    return totals;
  }

  const yuan = (minor: number) =>
    `${minor < 0 ? '-' : ''}${Math.floor(Math.abs(minor) / 100)}.${String(Math.abs(minor) % 100).padStart(2, '0')}`;

  let tPlus1Batch: BatchView;
  let firstPaymentId: string;

  it('pays a D+0 merchant out on the day of its payments', async () => {
    const first = await payAndClear(8_000, books);
    const second = await payAndClear(4_000, books);
    const dayD = await endOfDay(today);
    expect(dayD.processed).toEqual([today]);
    const batch = await settlement.onlyBatch(BOOKS, today);
    expect(batch).toMatchObject({
      settlementDate: today,
      cycle: 'D+0',
      itemCount: 2,
      totals: { net: { amountMinor: first.net + second.net } },
    });
    const paid = await settlement.batchReaches(batch.id, 'PAID');
    expect(paid.payouts![0]).toMatchObject({ state: 'PAID', amountMinor: first.net + second.net });
    booksFirstPaymentId = first.paymentId;
  });

  it('pays a T+1 merchant for day D on the end of day of D+1, to the fen', async () => {
    const first = await payAndClear(10_000);
    const second = await payAndClear(5_000);
    const third = await payAndClear(2_000);
    firstPaymentId = first.paymentId;
    const refundNet = await refund(first.paymentId, 3_000);
    const expectedNet = first.net + second.net + third.net - refundNet;

    // The end of day of D (run by the D+0 test) settled nothing for this T+1 merchant: D's
    // items are due on D+1.
    expect(await settlement.batches(COFFEE, today)).toEqual([]);

    const dayD1 = await endOfDay(addDays(today, 1));
    expect(dayD1.processed).toEqual([addDays(today, 1)]);
    expect(dayD1.runs.map((run) => `${run.businessDate} ${run.job} ${run.status}`)).toEqual([
      `${addDays(today, 1)} RELEASE_RESERVES SUCCEEDED`,
      `${addDays(today, 1)} BUILD_BATCHES SUCCEEDED`,
      `${addDays(today, 1)} PAY_OUT SUCCEEDED`,
      `${addDays(today, 1)} CLOSE_BOOKS SUCCEEDED`,
    ]);

    const batch = await settlement.onlyBatch(COFFEE, addDays(today, 1));
    expect(batch).toMatchObject({
      cycle: 'T+1',
      itemCount: 4,
      paymentCount: 3,
      refundCount: 1,
      totals: {
        gross: { amountMinor: 17_000 },
        refunds: { amountMinor: 3_000 },
        itemsNet: { amountMinor: expectedNet },
        carriedIn: { amountMinor: 0 },
        net: { amountMinor: expectedNet },
      },
    });
    const paid = await settlement.batchReaches(batch.id, 'PAID');
    expect(paid.payouts).toHaveLength(1);
    expect(paid.payouts![0]).toMatchObject({
      state: 'PAID',
      amountMinor: expectedNet,
      submitAttempts: 1,
    });
    tPlus1Batch = paid;
    const paidHook = await settlementWebhook('settlement.paid', batch.id);
    expect(paidHook.data).toMatchObject({
      state: 'PAID',
      totals: { net: { amountMinor: expectedNet } },
      payout: { amount: { amountMinor: expectedNet, currency: 'CNY' } },
    });

    // The merchant's own view: nothing pending, available, reserved or in transit any more.
    const balance = await merchantBalance(driver.merchant);
    expect(balance.balances).toEqual([
      expect.objectContaining({
        currency: 'CNY',
        pending: { amountMinor: 0, currency: 'CNY' },
        available: { amountMinor: 0, currency: 'CNY' },
        reserved: { amountMinor: 0, currency: 'CNY' },
        inTransit: { amountMinor: 0, currency: 'CNY' },
      }),
    ]);

    // The settlement file (结算单): UTF-8 with a BOM, its totals equal to the batch's.
    const file = await settlementStatement(driver.merchant, batch.id);
    expect(file.status).toBe(200);
    expect(file.contentType).toMatch(/^text\/csv; charset=utf-8/);
    expect([...file.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const totals = parseCsvTotals(file.text);
    expect(totals['结算净额 Net']).toBe(yuan(expectedNet));
    expect(totals['退款合计 Refunds']).toBe(yuan(3_000));
    expect(totals['交易金额合计 Gross']).toBe(yuan(17_000));
    const itemRows = file.text
      .split('\r\n')
      .filter((line) => /^(支付 Payment|退款 Refund),/.test(line));
    expect(itemRows).toHaveLength(4);

    // The bank's own statement shows one payment for this batch, whatever its request number
    // (the memo 附言 carries the batch id).
    const statement = await settlement.bankStatement(shanghaiDate());
    expect(statement.split('\n').filter((line) => line.includes(batch.id))).toHaveLength(1);
  });

  it("tells the payment's ledger story from clearing to the bank, and the books of D+1 balance", async () => {
    const { status, body } = await settlement.get<{
      entries: Array<{ kind: string }>;
      batches: Array<{ batchId: string }>;
    }>(`/v1/ledger/payments/${firstPaymentId}/story`);
    expect(status).toBe(200);
    const kinds = body.entries.map((entry) => entry.kind);
    expect(kinds.slice(0, 2)).toEqual(['CLEARING', 'REFUND']);
    expect(body.batches.map((batch) => batch.batchId)).toEqual([tPlus1Batch.id]);
    expect(JSON.stringify(body)).toContain(tPlus1Batch.payouts![0].id);

    const books = await settlement.get<{
      healthy: boolean;
      checks: Array<{ name: string; holds: boolean }>;
    }>(`/v1/books/${addDays(today, 1)}`);
    expect(books.status).toBe(200);
    expect(books.body.checks.filter((check) => !check.holds)).toEqual([]);
    expect(books.body.healthy).toBe(true);
  });

  it('runs the end of day twice for one date and changes nothing the second time', async () => {
    const before = await settlement.batches(COFFEE);
    const again = await endOfDay(addDays(today, 1));
    expect(again.processed).toEqual([]);
    expect(again.runs.every((run) => run.status === 'SUCCEEDED' && run.attempts === 1)).toBe(true);
    expect(await settlement.batches(COFFEE)).toEqual(before);
  });

  it('deducts a refund after settlement from the next batch and carries a negative net forward', async () => {
    // D's batch is paid; the refund and a small payment come after it.
    const refundNet = await refund(booksFirstPaymentId, 2_000, books);
    const small = await payAndClear(1_000, books);
    await endOfDay(addDays(today, 2));
    const afterRefund = await settlement.onlyBatch(BOOKS, addDays(today, 2));
    // The refund outweighs the payment: nothing is paid, the negative net stays in available.
    expect(small.net - refundNet).toBeLessThan(0);
    expect(afterRefund).toMatchObject({
      state: 'CARRIED_FORWARD',
      itemCount: 2,
      refundCount: 1,
      totals: {
        itemsNet: { amountMinor: small.net - refundNet },
        net: { amountMinor: small.net - refundNet },
      },
    });
    expect(afterRefund.payouts).toEqual([]);
    const balance = await merchantBalance(books.merchant);
    expect(balance.balances[0].available.amountMinor).toBe(small.net - refundNet);

    // The next batch starts from the negative balance and pays only what is left.
    const later = await payAndClear(5_000, books);
    await endOfDay(addDays(today, 3));
    const next = await settlement.onlyBatch(BOOKS, addDays(today, 3));
    expect(next).toMatchObject({
      totals: {
        carriedIn: { amountMinor: small.net - refundNet },
        net: { amountMinor: small.net - refundNet + later.net },
      },
    });
    const paid = await settlement.batchReaches(next.id, 'PAID');
    expect(paid.payouts![0].amountMinor).toBe(small.net - refundNet + later.net);
  });

  it('refuses nonsense, far-ahead dates and the wrong roles in the error shape', async () => {
    for (const bad of ['2026-02-30', 'tomorrow', '', null, 20260301, { date: 1 }, '2026-03-01 ']) {
      const { status, body } = await settlement.endOfDay(bad);
      expect({ bad, status, code: body.error?.code }).toEqual({
        bad,
        status: 400,
        code: 'END_OF_DAY.INVALID_DATE',
      });
    }
    // A NUL byte is refused by the platform before any handler sees it.
    const nul = await settlement.endOfDay('2026-03-01\u0000');
    expect(nul).toMatchObject({
      status: 400,
      body: { error: { code: 'REQUEST.INVALID_CHARACTERS' } },
    });
    const far = await settlement.endOfDay(addDays(today, 30));
    expect(far).toMatchObject({
      status: 400,
      body: { error: { code: 'END_OF_DAY.TOO_FAR_AHEAD' } },
    });
    expect((await settlement.endOfDay(addDays(today, 1), 'viewer')).status).toBe(403);
    const anonymous = await fetch(`${system.urls.settlement}/v1/admin/end-of-day`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ businessDate: today }),
    });
    expect(anonymous.status).toBe(401);
    const extra = await fetch(`${system.urls.settlement}/v1/admin/end-of-day`, {
      method: 'POST',
      headers: { ...asOperator('instructor'), 'content-type': 'application/json' },
      body: JSON.stringify({ businessDate: today, force: true }),
    });
    expect(extra.status).toBe(400);
  });

  it('fails a payout to a frozen account, returns the money to available, and pays it next cycle', async () => {
    const { net } = await payAndClear(3_000);
    await settlement.stageBankFault('BANK_ACCOUNT_FROZEN', { accountNo: COFFEE_ACCOUNT });
    await endOfDay(addDays(today, 4));
    const batch = await settlement.onlyBatch(COFFEE, addDays(today, 4));
    const failed = await settlement.batchReaches(batch.id, 'FAILED');
    expect(failed.payouts![0]).toMatchObject({ state: 'FAILED', failureCode: 'ACCOUNT_FROZEN' });
    const failedHook = await settlementWebhook('settlement.failed', batch.id);
    expect(failedHook.data).toMatchObject({
      state: 'FAILED',
      payout: { failureCode: 'ACCOUNT_FROZEN' },
    });
    const balance = await merchantBalance(driver.merchant);
    expect(balance.balances[0]).toMatchObject({
      available: { amountMinor: net },
      inTransit: { amountMinor: 0 },
    });

    // The next cycle carries the money in, pays it, and the failed batch can never pay again.
    await endOfDay(addDays(today, 5));
    const next = await settlement.onlyBatch(COFFEE, addDays(today, 5));
    expect(next).toMatchObject({
      itemCount: 0,
      totals: { carriedIn: { amountMinor: net }, net: { amountMinor: net } },
    });
    await settlement.batchReaches(next.id, 'PAID');
    expect((await settlement.batch(batch.id)).state).toBe('SUPERSEDED');
    const retry = await fetch(
      `${system.urls.settlement}/v1/admin/settlement-batches/${batch.id}/retry-payout`,
      {
        method: 'POST',
        headers: { ...asOperator('operator'), 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'paid already by the next batch' }),
      },
    );
    expect(retry.status).toBe(409);
    expect(((await retry.json()) as { error: { code: string } }).error.code).toBe(
      'SETTLEMENT_BATCH.NOT_RETRYABLE',
    );
  });

  it('queries a payout whose result is unknown and pays it exactly once', async () => {
    const { net } = await payAndClear(4_000);
    await settlement.stageBankFault('BANK_TIMEOUT_UNKNOWN', { holdSeconds: 6 });
    await endOfDay(addDays(today, 6));
    const batch = await settlement.onlyBatch(COFFEE, addDays(today, 6));
    const paid = await settlement.batchReaches(batch.id, 'PAID', 90_000);
    expect(paid.payouts).toHaveLength(1);
    expect(paid.payouts![0]).toMatchObject({ state: 'PAID', amountMinor: net, submitAttempts: 1 });
    expect(paid.payouts![0].queryAttempts).toBeGreaterThanOrEqual(1);
    // Paid once: one line for this batch in the bank's statement, whatever the request number.
    const statement = await settlement.bankStatement(shanghaiDate());
    expect(statement.split('\n').filter((line) => line.includes(batch.id))).toHaveLength(1);
  });

  it('lets an operator retry a failed payout to the corrected account, and only an operator', async () => {
    const { net } = await payAndClear(2_500);
    // The account name on file is wrong (户名不符): the bank refuses the payout.
    await putCoffeeTerms('上海演示咖啡有限公司（旧名）', 'name changed at the bank (demo)');
    await endOfDay(addDays(today, 7));
    const batch = await settlement.onlyBatch(COFFEE, addDays(today, 7));
    const failed = await settlement.batchReaches(batch.id, 'FAILED');
    expect(failed.payouts![0]).toMatchObject({ state: 'FAILED', failureCode: 'NAME_MISMATCH' });
    await expectBooksHealthy(addDays(today, 7));

    // The operator corrects the name. Terms apply from the next cycle; to pay now, the retry
    // names the corrected version, and someone other than the operator who saved it sends it.
    const corrected = await putCoffeeTerms('上海演示咖啡有限公司', '户名已更正 name corrected');
    const url = `${system.urls.settlement}/v1/admin/settlement-batches/${batch.id}/retry-payout`;
    const post = (role: 'viewer' | 'operator' | 'admin', body: unknown) =>
      fetch(url, {
        method: 'POST',
        headers: { ...asOperator(role), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post('viewer', { reason: 'try again' })).status).toBe(403);
    expect((await post('operator', { reason: '' })).status).toBe(400);
    expect((await post('operator', { reason: 'x'.repeat(501) })).status).toBe(400);
    expect((await post('operator', { reason: 'ok', extra: 1 })).status).toBe(400);
    expect((await post('operator', { reason: 'ok', termsVersion: '2' })).status).toBe(400);
    const sameHands = await post('operator', { reason: 'mine', termsVersion: corrected });
    expect(sameHands.status).toBe(403);
    expect(((await sameHands.json()) as { error: { code: string } }).error.code).toBe(
      'SETTLEMENT_BATCH.SAME_OPERATOR',
    );
    expect((await post('admin', { reason: 'stale', termsVersion: corrected - 1 })).status).toBe(
      409,
    );
    const retried = await post('admin', {
      reason: '户名已更正 name corrected at the bank',
      termsVersion: corrected,
    });
    expect(retried.status).toBe(200);
    const paid = await settlement.batchReaches(batch.id, 'PAID');
    expect(paid.payouts!.map((payout) => [payout.attempt, payout.state])).toEqual([
      [1, 'FAILED'],
      [2, 'PAID'],
    ]);
    expect(paid.payouts![1].amountMinor).toBe(net);
    expect((await post('operator', { reason: 'again' })).status).toBe(409);
    const balance = await merchantBalance(driver.merchant);
    expect(balance.balances[0]).toMatchObject({
      available: { amountMinor: 0 },
      inTransit: { amountMinor: 0 },
    });
  });
});
