import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '@paylab/testing';
import { DEMO_CHANNEL_ACCOUNTS } from '../../services/routing/src/demo-data';
import {
  DEMO_ALIPAY_APP_B_ID,
  DEMO_ALIPAY_APP_ID,
} from '../../services/channel-sandbox/src/alipay/demo-keys';
import { asOperator } from './support/operator-credentials';
import { PaymentDriver, type PaymentView } from './support/payment-driver';
import { startPaymentSystem, type PaymentSystem } from './support/payment-system';

interface Webhook {
  type: string;
  data: { id: string; state: string; closeReason?: string | null };
}

interface TransactionView {
  id: string;
  status: string;
  channel: string;
  channelAccountId: string | null;
}

const WECHAT_USER_AGENT =
  'Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 MicroMessenger/8.0.47 NetType/WIFI';

/**
 * The life of an order beyond the happy path, every service a real process: a merchant closes a
 * PROCESSING order (the channel trade is closed first, the old QR is refused), a PROCESSING order
 * expires (acquiring closes the channel trade at its time_expire, cashier closes the order
 * EXPIRED and tells the merchant), WeChat Pay through checkout and the aggregated QR, and the
 * two Alipay accounts routing chooses between by amount, each signing with its own app.
 */
describe('payment lifecycle: close, expiry, every channel, every account', () => {
  let system: PaymentSystem;
  let driver: PaymentDriver;
  let webhookServer: Server;
  const webhooks: Webhook[] = [];
  /** Created first so that its 60 s run out while the other tests run. */
  let expiring: { payment: PaymentView; qrPayload: string };

  beforeAll(async () => {
    webhookServer = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        webhooks.push(JSON.parse(body) as Webhook);
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => webhookServer.listen(0, '127.0.0.1', resolve));
    const webhookUrl = `http://127.0.0.1:${(webhookServer.address() as AddressInfo).port}/hooks`;
    system = await startPaymentSystem('lifecycle');
    driver = new PaymentDriver(system, webhookUrl);
    const { payment } = await driver.createOrder(1_800, { expiresInSeconds: 60 });
    const { qrPayload } = await driver.checkout(payment.id, 'ALIPAY');
    expiring = { payment, qrPayload };
  });

  afterAll(async () => {
    await new Promise((resolve) => webhookServer?.close(resolve));
    await system?.stop();
  });

  const webhookFor = (paymentId: string, type: string) =>
    waitFor(
      `${type} webhook for ${paymentId}`,
      async () => webhooks.find((hook) => hook.type === type && hook.data.id === paymentId),
      (found) => found !== undefined,
      { timeoutMs: 30_000, intervalMs: 100 },
    );

  const transaction = async (id: string): Promise<TransactionView> => {
    const response = await fetch(`${system.urls.acquiring}/v1/transactions/${id}`, {
      headers: asOperator('operator'),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as TransactionView;
  };

  const sandboxTrade = async (outTradeNo: string) => {
    const [trade] = await driver.query<{ status: string; merchant_account: string }>(
      'SELECT status, merchant_account FROM channel_sandbox.trades WHERE out_trade_no = $1',
      [outTradeNo],
    );
    return trade;
  };

  const credentials = (paymentId: string, method = 'ALIPAY') =>
    fetch(`${system.urls.cashier}/checkout/${paymentId}/credentials`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method }),
    });

  it('closing a PROCESSING order closes the channel trade first; the old QR is refused', async () => {
    const { payment } = await driver.createOrder(1_800);
    const { qrPayload, payment: processing } = await driver.checkout(payment.id, 'ALIPAY');
    expect(processing.state).toBe('PROCESSING');

    const close = await driver.merchant.closePayment(payment.id);
    expect(close.status).toBe(200);
    expect(close.json).toMatchObject({ state: 'CLOSED', closeReason: 'MERCHANT_REQUEST' });

    const [row] = await driver.query<{ id: string }>(
      'SELECT id FROM acquiring.channel_transactions WHERE payment_id = $1',
      [payment.id],
    );
    expect((await transaction(row.id)).status).toBe('CLOSED');
    expect((await sandboxTrade(payment.id)).status).toBe('TRADE_CLOSED');
    const refused = await driver.tryPayAtSandbox(qrPayload);
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('TRADE.CLOSED');

    expect((await webhookFor(payment.id, 'payment.closed'))?.data).toMatchObject({
      state: 'CLOSED',
      closeReason: 'MERCHANT_REQUEST',
    });
    // Checkout never hands the closed QR out again, and its page shows the order closed.
    const again = await credentials(payment.id);
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('PAYMENT.CLOSED');
    const page = await (await fetch(`${system.urls.cashier}/checkout/${payment.id}`)).text();
    expect(page).toContain('This order is closed');
    expect(page).not.toContain('/alipay/qr/');
    // Closing again is harmless and answers the same order.
    expect((await driver.merchant.closePayment(payment.id)).json).toMatchObject({
      state: 'CLOSED',
    });
  });

  it('a paid order cannot be closed: 409, and it stays SUCCEEDED', async () => {
    const paid = await driver.payOnce(1_800);
    const close = await driver.merchant.closePayment(paid.id);
    expect(close.status).toBe(409);
    expect((await driver.payment(paid.id)).state).toBe('SUCCEEDED');
  });

  it('WeChat Pay end to end through the aggregated QR and checkout → SUCCEEDED', async () => {
    const { payment } = await driver.createOrder(2_500);
    const page = await driver.scanAggregatedQr(payment.id, WECHAT_USER_AGENT);
    const qrPayload = /href="([^"]*\/wechatpay\/qr\/[^"]+)"/.exec(page)?.[1];
    expect(qrPayload).toBeDefined();
    expect(await driver.payerPage(qrPayload!)).toContain('25.00');
    await driver.payAtSandbox(qrPayload!);
    const paid = await waitFor(
      `${payment.id} SUCCEEDED`,
      () => driver.payment(payment.id),
      (view) => view.state === 'SUCCEEDED',
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    const txn = await transaction(paid.transactionId!);
    expect(txn).toMatchObject({
      channel: 'WECHAT_PAY',
      status: 'SUCCEEDED',
      channelAccountId: DEMO_CHANNEL_ACCOUNTS.wechatPay.id,
    });
    expect((await sandboxTrade(payment.id)).merchant_account).toBe(
      DEMO_CHANNEL_ACCOUNTS.wechatPay.channelMerchantNo,
    );
  });

  it('pays on each Alipay account routing chooses, each signed with its own app', async () => {
    const small = await driver.payOnce(1_800); // ¥18.00 → account A
    const large = await driver.payOnce(600_000); // ¥6,000.00 → account B (大额账户)
    const rows = await driver.query<{ payment_id: string; channel_account_id: string }>(
      'SELECT payment_id, channel_account_id FROM acquiring.channel_transactions WHERE payment_id = ANY($1)',
      [[small.id, large.id]],
    );
    const accountOf = Object.fromEntries(rows.map((r) => [r.payment_id, r.channel_account_id]));
    expect(accountOf).toEqual({
      [small.id]: DEMO_CHANNEL_ACCOUNTS.alipay.id,
      [large.id]: DEMO_CHANNEL_ACCOUNTS.alipayLarge.id,
    });
    // The sandbox knows each trade by the app that signed its precreate.
    expect((await sandboxTrade(small.id)).merchant_account).toBe(DEMO_ALIPAY_APP_ID);
    expect((await sandboxTrade(large.id)).merchant_account).toBe(DEMO_ALIPAY_APP_B_ID);
    // Alipay's notification for app B was verified by account B's adapter (app_id) and settled it.
    const callbacks = await waitFor(
      'the verified callback of the large payment',
      () =>
        driver.query<{ verification: string; outcome: string }>(
          'SELECT verification, outcome FROM acquiring.raw_callbacks WHERE out_trade_no = $1',
          [large.id],
        ),
      (rows) => rows.length > 0,
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    expect(callbacks[0].verification).toBe('VERIFIED');
    expect(['SETTLED', 'DUPLICATE']).toContain(callbacks[0].outcome);
    // Statements are per account too.
    const statement = await fetch(
      `${system.urls.acquiring}/v1/statements/ALIPAY/${new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10)}?channelAccountId=${DEMO_CHANNEL_ACCOUNTS.alipayLarge.id}`,
      { headers: asOperator('operator') },
    );
    expect(statement.status).toBe(200);
    const csv = Buffer.from(await statement.arrayBuffer()).toString('latin1');
    expect(csv).toContain(large.id);
    expect(csv).not.toContain(small.id);
    const unknown = await fetch(
      `${system.urls.acquiring}/v1/statements/ALIPAY/2026-01-14?channelAccountId=cha_nope`,
      { headers: asOperator('operator') },
    );
    expect(unknown.status).toBe(422);
  });

  it('a PROCESSING order expires: channel trade closed, order CLOSED/EXPIRED, merchant notified', async () => {
    const { payment, qrPayload } = expiring;
    const closed = await waitFor(
      `${payment.id} CLOSED`,
      () => driver.payment(payment.id),
      (view) => view.state === 'CLOSED',
      { timeoutMs: 80_000, intervalMs: 250 },
    );
    expect(closed).toMatchObject({ state: 'CLOSED', closeReason: 'EXPIRED' });
    expect((await sandboxTrade(payment.id)).status).toBe('TRADE_CLOSED');
    const [row] = await driver.query<{ status: string; closed_at: Date; expires_at: Date }>(
      'SELECT status, closed_at, expires_at FROM acquiring.channel_transactions WHERE payment_id = $1',
      [payment.id],
    );
    expect(row.status).toBe('CLOSED');
    // Closed at the channel's deadline, never before it.
    expect(row.closed_at.getTime()).toBeGreaterThanOrEqual(
      Math.floor(row.expires_at.getTime() / 1000) * 1000,
    );
    expect((await webhookFor(payment.id, 'payment.closed'))?.data).toMatchObject({
      state: 'CLOSED',
      closeReason: 'EXPIRED',
    });
    expect((await driver.tryPayAtSandbox(qrPayload)).status).toBe(409);
    const status = (await (
      await fetch(`${system.urls.cashier}/checkout/${payment.id}/status`)
    ).json()) as { state: string; closeReason: string };
    expect(status).toEqual({ id: payment.id, state: 'CLOSED', closeReason: 'EXPIRED' });
    const page = await (await fetch(`${system.urls.cashier}/checkout/${payment.id}`)).text();
    expect(page).toContain('This order is closed (expired)');
  }, 100_000);
});
