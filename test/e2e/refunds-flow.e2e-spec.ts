import iconv from 'iconv-lite';
import { waitFor } from '@paylab/testing';
import { DEMO_MERCHANT } from '../../services/cashier/src/merchants/demo-merchant';
import { asOperator } from './support/operator-credentials';
import { PaymentDriver, type PaymentView } from './support/payment-driver';
import {
  awayFromCutOff,
  shanghaiDate,
  startPaymentSystem,
  type PaymentSystem,
} from './support/payment-system';

interface RefundView {
  id: string;
  paymentId: string;
  kind: 'MERCHANT_REFUND' | 'LATE_PAYMENT_RETURN';
  amount: { amountMinor: number; currency: string };
  state: 'PENDING' | 'SUCCEEDED' | 'FAILED';
  channelRefundNo: string | null;
}

interface PaymentWithRefunds extends PaymentView {
  refundedAmount: { amountMinor: number };
  refundStatus: string;
  latePayments: Array<{ transactionId: string; status: string; refundId: string }>;
}

interface ReconRunView {
  id: string;
  counts: Record<string, number>;
}

/**
 * Refunds (退款) and late payments (迟到支付) through all six services as processes, on real
 * Postgres, Redis and Kafka: the merchant's signed refund API → cashier → acquiring → the channel
 * sandbox → back → settlement's ledger → reconciliation of the day's statement. The run ends with
 * `check:invariants` (startPaymentSystem's stop).
 */
describe('refunds and late payments end to end', () => {
  let system: PaymentSystem;
  let driver: PaymentDriver;
  const refundIds: string[] = [];

  beforeAll(async () => {
    system = await startPaymentSystem('refunds', {
      acquiring: { REFUND_QUERY_AFTER_MS: '1000', REFUND_WORKER_INTERVAL_MS: '200' },
    });
    driver = new PaymentDriver(system);
  });

  afterAll(async () => {
    await system?.stop();
  });

  async function requestRefund(paymentId: string, amountMinor: number) {
    return driver.merchant.request({
      method: 'POST',
      path: `/v1/payments/${paymentId}/refunds`,
      idempotencyKey: `rf-${Date.now()}-${Math.random()}`,
      body: JSON.stringify({ amount: { amountMinor, currency: 'CNY' }, reason: '退货 returned' }),
    });
  }

  async function refundReaches(refundId: string, state: RefundView['state']): Promise<RefundView> {
    return waitFor(
      `${refundId} ${state}`,
      async () => {
        const response = await driver.merchant.request({
          method: 'GET',
          path: `/v1/refunds/${refundId}`,
        });
        return response.json as RefundView;
      },
      (refund) => refund.state === state,
      { timeoutMs: 60_000, intervalMs: 100 },
    );
  }

  async function payment(paymentId: string): Promise<PaymentWithRefunds> {
    return (await driver.payment(paymentId)) as PaymentWithRefunds;
  }

  async function settlementGet<T>(path: string): Promise<{ status: number; body: T }> {
    const response = await fetch(`${system.urls.settlement}${path}`, {
      headers: asOperator('viewer'),
    });
    return { status: response.status, body: (await response.json()) as T };
  }

  async function refundCleared(refundId: string): Promise<void> {
    await waitFor(
      `settlement's clearing of ${refundId}`,
      () => settlementGet(`/v1/refund-clearings/${refundId}`),
      (answer) => answer.status === 200,
      { timeoutMs: 30_000, intervalMs: 100 },
    );
  }

  async function expectLedgerBalanced(): Promise<void> {
    const trial = await settlementGet<{ balanced: boolean; unbalancedEntryIds: string[] }>(
      '/v1/ledger/trial-balance',
    );
    expect(trial.body).toMatchObject({ balanced: true, unbalancedEntryIds: [] });
  }

  async function pendingBalance(): Promise<number> {
    const { body } = await settlementGet<{
      balances: Array<{ currency: string; pending: { amountMinor: number } }>;
    }>(`/v1/merchants/${DEMO_MERCHANT.merchantId}/balances`);
    return body.balances.find((row) => row.currency === 'CNY')?.pending.amountMinor ?? 0;
  }

  it('three partial refunds that add up to the amount paid succeed, a fourth is refused, and the ledger balances after each', async () => {
    await awayFromCutOff();
    const before = await pendingBalance();
    const paid = await driver.payOnce(3_000);
    await driver.clearing(paid.transactionId!);
    expect(await pendingBalance()).toBeGreaterThan(before);

    for (const amountMinor of [1_000, 1_200, 800]) {
      const response = await requestRefund(paid.id, amountMinor);
      expect(response.status).toBe(201);
      const pending = response.json as RefundView;
      expect(pending).toMatchObject({ state: 'PENDING', kind: 'MERCHANT_REFUND' });
      const succeeded = await refundReaches(pending.id, 'SUCCEEDED');
      expect(succeeded.channelRefundNo).toBeTruthy();
      refundIds.push(pending.id);
      await refundCleared(pending.id);
      await expectLedgerBalanced();
    }

    const fourth = await requestRefund(paid.id, 1);
    expect(fourth.status).toBe(422);
    expect(fourth.json).toMatchObject({
      error: { code: 'REFUND.EXCEEDS_REFUNDABLE_AMOUNT', type: 'unprocessable_error' },
    });
    expect(await payment(paid.id)).toMatchObject({
      state: 'SUCCEEDED',
      refundStatus: 'REFUNDED',
      refundedAmount: { amountMinor: 3_000 },
    });
    // Fully refunded with the fee returned pro rata: what the merchant is owed is back where it was.
    expect(await pendingBalance()).toBe(before);
    // At the channel: three refunds of this transaction, one each, confirmed synchronously.
    const atChannel = await driver.query<{ amount_minor: string; status: string }>(
      'SELECT amount_minor, status FROM acquiring.channel_refunds WHERE payment_id = $1',
      [paid.id],
    );
    expect(atChannel.map((row) => [Number(row.amount_minor), row.status]).sort()).toEqual(
      [
        [1_000, 'SUCCEEDED'],
        [1_200, 'SUCCEEDED'],
        [800, 'SUCCEEDED'],
      ].sort(),
    );
  });

  it('two concurrent refunds that together exceed the amount paid leave exactly one succeeded', async () => {
    const paid = await driver.payOnce(1_000);
    await driver.clearing(paid.transactionId!);
    const answers = await Promise.all([requestRefund(paid.id, 600), requestRefund(paid.id, 600)]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 422]);
    const accepted = answers.find((answer) => answer.status === 201)!.json as RefundView;
    await refundReaches(accepted.id, 'SUCCEEDED');
    refundIds.push(accepted.id);
    await refundCleared(accepted.id);
    const stored = await driver.query('SELECT id FROM cashier.refunds WHERE payment_id = $1', [
      paid.id,
    ]);
    expect(stored).toHaveLength(1);
    await expectLedgerBalanced();
  });

  it('a WeChat Pay refund whose notification is dropped is settled by active query (主动查询)', async () => {
    const { payment: order } = await driver.createOrder(2_600);
    const { qrPayload } = await driver.checkout(order.id, 'WECHAT_PAY');
    await driver.payAtSandbox(qrPayload);
    const paid = await waitFor(
      `${order.id} SUCCEEDED`,
      () => driver.payment(order.id),
      (view) => view.state === 'SUCCEEDED',
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    await driver.clearing(paid.transactionId!);

    await driver.stageFault('DROP_REFUND_NOTIFICATION', undefined, 'WECHAT_PAY');
    const response = await requestRefund(paid.id, 2_600);
    expect(response.status).toBe(201);
    const refund = response.json as RefundView;
    await refundReaches(refund.id, 'SUCCEEDED');
    const [atChannel] = await driver.query<{ confirmed_by: string }>(
      'SELECT confirmed_by FROM acquiring.channel_refunds WHERE refund_id = $1',
      [refund.id],
    );
    expect(atChannel.confirmed_by).toBe('ACTIVE_QUERY');
    const notifications = await driver.query(
      'SELECT 1 FROM acquiring.raw_callbacks WHERE refund_id = $1',
      [refund.id],
    );
    expect(notifications).toHaveLength(0);
    await refundCleared(refund.id);
    await expectLedgerBalanced();
  });

  it('a payment that crosses the merchant’s close at the channel is returned to the payer; the merchant’s balance is unchanged', async () => {
    const { payment: order } = await driver.createOrder(4_200);
    const { qrPayload, payment: processing } = await driver.checkout(order.id);
    expect(processing.state).toBe('PROCESSING');
    const before = await pendingBalance();

    // The channel acknowledges the close, but the payer's payment was already under way.
    await driver.stageFault('CLOSE_CROSSES_PAYMENT');
    const closed = await driver.merchant.closePayment(order.id);
    expect(closed.status).toBe(200);
    expect(closed.json).toMatchObject({ state: 'CLOSED', closeReason: 'MERCHANT_REQUEST' });
    await driver.payAtSandbox(qrPayload);

    const returned = await waitFor(
      `the late payment of ${order.id} returned`,
      () => payment(order.id),
      (view) => view.latePayments.length === 1 && view.latePayments[0].status === 'REFUNDED',
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    expect(returned.state).toBe('CLOSED');
    const late = returned.latePayments[0];
    const refund = await refundReaches(late.refundId, 'SUCCEEDED');
    expect(refund).toMatchObject({ kind: 'LATE_PAYMENT_RETURN', amount: { amountMinor: 4_200 } });
    refundIds.push(refund.id);

    // Both legs through suspense, never the merchant's payable.
    const clearing = await waitFor(
      'both suspense legs',
      () =>
        settlementGet<{ status: string; returnJournal: unknown }>(
          `/v1/late-payment-clearings/${late.transactionId}`,
        ),
      (answer) => answer.status === 200 && answer.body.status === 'RETURNED',
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(clearing.body.returnJournal).not.toBeNull();
    expect(await pendingBalance()).toBe(before);
    const orderClearings = await driver.query(
      'SELECT 1 FROM settlement.clearings WHERE payment_id = $1',
      [order.id],
    );
    expect(orderClearings).toHaveLength(0);
    await expectLedgerBalanced();
  });

  it('reconciles the day’s Alipay statement: every refund line MATCHED, and a refund missing from an edited statement is REFUND_MISSING_IN_CHANNEL', async () => {
    const businessDate = shanghaiDate();
    const alipayRefunds = await driver.query<{ refund_id: string }>(
      `SELECT refund_id FROM acquiring.channel_refunds WHERE channel = 'ALIPAY' AND status = 'SUCCEEDED'`,
    );
    expect(alipayRefunds.length).toBeGreaterThanOrEqual(5);

    const run = async (statement?: Buffer): Promise<ReconRunView> => {
      const response = await fetch(`${system.urls.reconciliation}/v1/recon-runs`, {
        method: 'POST',
        headers: { ...asOperator('instructor'), 'content-type': 'application/json' },
        body: JSON.stringify({
          channel: 'ALIPAY',
          businessDate,
          ...(statement
            ? { statement: { format: 'ALIPAY_CSV', contentBase64: statement.toString('base64') } }
            : {}),
        }),
      });
      const text = await response.text();
      if (response.status !== 201) throw new Error(`recon run: ${response.status} ${text}`);
      return JSON.parse(text) as ReconRunView;
    };
    const refundOutcomes = (counts: Record<string, number>) =>
      Object.fromEntries(Object.entries(counts).filter(([k, n]) => k.startsWith('REFUND') && n));

    // Reconciliation's projection is fed by events: wait until it has every refund.
    const fetched = await waitFor(
      'a recon run with every refund line matched',
      () => run(),
      (candidate) =>
        Object.values(candidate.counts).reduce((sum, n) => sum + n, 0) > 0 &&
        Object.keys(refundOutcomes(candidate.counts)).length === 0 &&
        (candidate.counts.MATCHED ?? 0) >= alipayRefunds.length,
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
    expect(refundOutcomes(fetched.counts)).toEqual({});
    expect(fetched.counts.STATUS_MISMATCH ?? 0).toBe(0);

    // The instructor edits the statement: one refund line goes missing (the channel "lost" it).
    const statement = await fetch(`${system.urls.acquiring}/v1/statements/ALIPAY/${businessDate}`, {
      headers: asOperator('operator'),
    });
    expect(statement.status).toBe(200);
    const text = iconv.decode(Buffer.from(await statement.arrayBuffer()), 'gbk');
    const dropped = refundIds.find(
      (id) => text.includes(id) && alipayRefunds.some((r) => r.refund_id === id),
    )!;
    expect(dropped).toBeDefined();
    const edited = text
      .split('\n')
      .filter((line) => !line.includes(dropped))
      .join('\n');
    const rerun = await run(iconv.encode(edited, 'gbk'));
    expect(refundOutcomes(rerun.counts)).toEqual({ REFUND_MISSING_IN_CHANNEL: 1 });
    const breaks = (await (
      await fetch(
        `${system.urls.reconciliation}/v1/recon-runs/${rerun.id}/discrepancies?limit=100`,
        {
          headers: asOperator('viewer'),
        },
      )
    ).json()) as { data?: Array<Record<string, unknown>>; items?: Array<Record<string, unknown>> };
    const refundBreak = (breaks.data ?? breaks.items ?? []).find(
      (d) => d.type === 'REFUND_MISSING_IN_CHANNEL',
    );
    expect(JSON.stringify(refundBreak)).toContain(dropped);
  });
});
