import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '@paylab/testing';
import { DEMO_MERCHANT } from '../../services/cashier/src/merchants/demo-merchant';
import { verifyWebhookSignature } from '../../services/cashier/src/notifications/domain/webhook-signature';
import { runInvariantCheck } from './support/invariants';
import { breaksOf, PaymentDriver } from './support/payment-driver';
import { awayFromCutOff, startPaymentSystem, type PaymentSystem } from './support/payment-system';
import { asOperator } from './support/operator-credentials';

interface ReceivedWebhook {
  headers: IncomingMessage['headers'];
  body: string;
}

/**
 * The payment walkthrough end to end, every service a real process on real Postgres, Redis and Kafka:
 * merchant order → checkout → routing → channel → callback → SUCCEEDED → signed webhook →
 * clearing → reconciliation; and the lost callback that active query (主动查询) recovers.
 */
describe('one payment through all six services', () => {
  let system: PaymentSystem;
  let driver: PaymentDriver;
  let webhookServer: Server;
  const webhooks: ReceivedWebhook[] = [];
  const timings: Array<{ toSucceededMs: number; toClearedMs: number }> = [];

  beforeAll(async () => {
    webhookServer = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        webhooks.push({ headers: request.headers, body });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => webhookServer.listen(0, '127.0.0.1', resolve));
    const webhookUrl = `http://127.0.0.1:${(webhookServer.address() as AddressInfo).port}/paylab/webhooks`;
    system = await startPaymentSystem('flow');
    driver = new PaymentDriver(system, webhookUrl);
  });

  afterAll(async () => {
    if (timings.length > 0)
      process.stdout.write(`[e2e] payment timings (ms): ${JSON.stringify(timings)}\n`);
    await new Promise((resolve) => webhookServer?.close(resolve));
    await system?.stop();
  });

  it('happy path: order, checkout, pay, callback, SUCCEEDED, signed webhook, cleared, reconciled MATCHED', async () => {
    await awayFromCutOff();
    const { payment, createdAt } = await driver.createOrder(1_800);
    expect(payment.state).toBe('CREATED');
    // The aggregated QR (一码付): the wallet scanning it goes straight to its own method.
    const scan = (userAgent: string) =>
      fetch(`${system.urls.cashier}/qr/${payment.id}`, {
        redirect: 'manual',
        headers: { 'user-agent': userAgent },
      });
    const wechat = await scan(
      'Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 MicroMessenger/8.0.47 NetType/WIFI',
    );
    expect(wechat.status).toBe(302);
    expect(wechat.headers.get('location')).toBe(`/checkout/${payment.id}?method=WECHAT_PAY`);
    const alipay = await scan('Mozilla/5.0 (Linux; Android 14) AlipayClient/10.5.86.8000');
    expect(alipay.headers.get('location')).toBe(`/checkout/${payment.id}?method=ALIPAY`);
    const browser = await scan('Mozilla/5.0 (Macintosh) Safari/605.1.15');
    expect(browser.headers.get('location')).toBe(`/checkout/${payment.id}`);
    const { qrPayload, payment: processing } = await driver.checkout(payment.id);
    expect(processing.state).toBe('PROCESSING');
    expect(qrPayload).toContain('/alipay/qr/');
    await driver.payAtSandbox(qrPayload);
    const paid = await waitFor(
      'SUCCEEDED',
      () => driver.payment(payment.id),
      (view) => view.state === 'SUCCEEDED',
      { timeoutMs: 60_000, intervalMs: 50 },
    );
    const succeededAt = Date.now();
    expect(paid.transactionId).toMatch(/^txn_/);

    const clearing = await driver.clearing(paid.transactionId!);
    timings.push({ toSucceededMs: succeededAt - createdAt, toClearedMs: Date.now() - succeededAt });
    // ¥18.00 at the demo 0.60%: fee 10.8 fen rounds HALF_UP to 11.
    expect(clearing).toMatchObject({
      merchantFee: { amountMinor: 11 },
      merchantNet: { amountMinor: 1_789 },
    });
    const trial = (await (
      await fetch(`${system.urls.settlement}/v1/ledger/trial-balance`, {
        headers: asOperator('viewer'),
      })
    ).json()) as {
      balanced: boolean;
    };
    expect(trial.balanced).toBe(true);

    const webhook = await waitFor(
      'the merchant webhook',
      async () =>
        webhooks.find((w) => w.body.includes(payment.id) && w.body.includes('payment.succeeded')),
      (found) => found !== undefined,
      { timeoutMs: 30_000 },
    );
    const signature = webhook!.headers['paylab-signature'] as string;
    expect(
      verifyWebhookSignature(DEMO_MERCHANT.signingSecret, signature, webhook!.body, new Date()),
    ).toMatchObject({ ok: true });
    expect(JSON.parse(webhook!.body)).toMatchObject({
      type: 'payment.succeeded',
      data: { id: payment.id, state: 'SUCCEEDED' },
    });

    // Reconciliation's projection is fed by events too: retry until it has caught up.
    const run = await waitFor(
      'a MATCHED recon run',
      () => driver.reconcileToday(),
      (r) => r.counts.MATCHED === 1,
      {
        timeoutMs: 30_000,
        intervalMs: 500,
      },
    );
    expect(breaksOf(run)).toEqual({});
    expect(run.discrepancyCount).toBe(0);
  });

  it('lost callback: the sandbox drops it, active query brings the order to SUCCEEDED exactly once', async () => {
    await driver.stageFault('DROP_CALLBACK');
    const paid = await driver.payOnce(2_500);
    await driver.clearing(paid.transactionId!);
    const [transaction] = await driver.query<{ confirmed_by: string }>(
      'SELECT confirmed_by FROM acquiring.channel_transactions WHERE payment_id = $1',
      [paid.id],
    );
    expect(transaction.confirmed_by).toBe('ACTIVE_QUERY');
    const callbacks = await driver.query(
      'SELECT 1 FROM acquiring.raw_callbacks WHERE out_trade_no = $1',
      [paid.id],
    );
    expect(callbacks).toHaveLength(0);
    const succeededEvents = await driver.query(
      `SELECT 1 FROM cashier.outbox_messages WHERE message_key = $1 AND event_type = 'payment_order.succeeded'`,
      [paid.id],
    );
    expect(succeededEvents).toHaveLength(1);
    const clearings = await driver.query(
      'SELECT 1 FROM settlement.clearings WHERE payment_id = $1',
      [paid.id],
    );
    expect(clearings).toHaveLength(1);
  });

  it('measures order → SUCCEEDED and SUCCEEDED → cleared over several payments', async () => {
    for (let i = 0; i < 4; i += 1) {
      const paid = await driver.payOnce(990 + i);
      await driver.clearing(paid.transactionId!);
      timings.push({
        toSucceededMs: paid.succeededAt - paid.createdAt,
        toClearedMs: Date.now() - paid.succeededAt,
      });
    }
    expect(timings).toHaveLength(5);
  });

  it('ends with the invariants holding (npm run check:invariants)', async () => {
    const run = await runInvariantCheck(system, {
      from: new Date(Date.now() - 60 * 60_000),
      to: new Date(Date.now() + 60_000),
    });
    expect(run.output).toMatch(/^\[OK\] \(a\) /m);
    expect(run.exitCode).toBe(0);
  });
});
