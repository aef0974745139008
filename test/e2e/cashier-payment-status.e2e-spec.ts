/**
 * Cashier's side of a confirmed payment (step 5 of the payment walkthrough) and order expiry (订单超时关单), with
 * cashier running as a real process on a fresh database, real Kafka and Redis, and an HTTP server
 * in this test standing in for the merchant's webhook receiver. ChannelPaymentSucceeded events are
 * published onto the real topic with the headers acquiring's outbox relay would give them.
 */
import { deadLetterOf as findDeadLetter } from '@paylab/testing';
import { randomBytes, randomUUID } from 'node:crypto';

import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import {
  ChannelPaymentSucceeded,
  DeadLetterHeaders,
  Topics,
  type PayloadOf,
} from '@paylab/contracts';
import { newId } from '@paylab/ids';
import { createKafka, publishEvent, type ReadMessage } from '@paylab/messaging';
import { createLogger } from '@paylab/platform';
import {
  createDatabase,
  dropDatabase,
  ENV_VARIABLES,
  freePort,
  REPO_ROOT,
  waitFor,
} from '@paylab/testing';
import { DEMO_MERCHANT } from '../../services/cashier/src/merchants/demo-merchant';
import { verifyWebhookSignature } from '../../services/cashier/src/notifications/domain/webhook-signature';
import type {
  NotificationView,
  WebhookBody,
} from '../../services/cashier/src/notifications/merchant-notifications.service';
import { PAYMENT_STATUS_CONSUMER } from '../../services/cashier/src/payments/channel-payments.consumer';
import type { PaymentView } from '../../services/cashier/src/payments/payment-order.mapper';
import { localEnvOf } from '../../tools/local/env-files';
import {
  startServiceProcess,
  stopServiceProcess,
  assertReady,
  type ServiceProcess,
} from '../../tools/local/service-processes';
import { seedDemoData } from '../../tools/seed';
import { MerchantApiClient } from './support/merchant-api-client';

const infra = {
  databaseUrl: process.env[ENV_VARIABLES.databaseUrl]!,
  redisUrl: process.env[ENV_VARIABLES.redisUrl]!,
  kafkaBrokers: process.env[ENV_VARIABLES.kafkaBrokers]!,
};

type ChannelPayment = PayloadOf<typeof ChannelPaymentSucceeded>;

interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  receivedAt: Date;
}

describe('cashier: channel payments, signed merchant webhooks and order expiry', () => {
  const databaseName = `paylab_e2e_cashier_status_${randomBytes(4).toString('hex')}`;
  const consumerGroup = `e2e-cashier-${randomBytes(4).toString('hex')}`;
  const stateDir = join(REPO_ROOT, '.cache', 'test', databaseName);
  let cashier: ServiceProcess | undefined;
  let db: Client | undefined;
  let receiver: Server | undefined;
  let receiverUrl: string;
  let kafka: ReturnType<typeof createKafka>;
  let demo: MerchantApiClient;
  /** A merchant whose app has a webhook URL, for orders without their own notifyUrl. */
  let withAppHook: MerchantApiClient;
  const appHookMerchant = {
    merchantId: newId('mch'),
    appId: newId('app'),
    signingSecret: `sk_e2e_hook_${randomBytes(24).toString('hex')}`,
  };
  const appHookPath = `/app-hook-${randomBytes(4).toString('hex')}`;

  /** Every webhook the receiver got, in arrival order. */
  const received: ReceivedWebhook[] = [];
  /** Status codes the receiver answers on a path, one per request; 200 once used up. */
  const answers = new Map<string, number[]>();

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const path = request.url ?? '';
        received.push({
          path,
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          receivedAt: new Date(),
        });
        const status = answers.get(path)?.shift() ?? 200;
        response.writeHead(status, { 'content-type': 'text/plain' }).end(`answer ${status}`);
      });
    });
    await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

    const databaseUrl = await createDatabase(infra.databaseUrl, databaseName);
    await seedDemoData(databaseUrl, () => undefined);
    db = new Client({ connectionString: databaseUrl });
    await db.connect();
    await db.query(`INSERT INTO cashier.merchants (id, name, status) VALUES ($1, $2, 'ACTIVE')`, [
      appHookMerchant.merchantId,
      'E2E Webhook Bakery (面包房)',
    ]);
    await db.query(
      `INSERT INTO cashier.merchant_apps (id, merchant_id, name, signing_secret, webhook_url, status)
       VALUES ($1, $2, 'Bakery app', $3, $4, 'ACTIVE')`,
      [
        appHookMerchant.appId,
        appHookMerchant.merchantId,
        appHookMerchant.signingSecret,
        `${receiverUrl}${appHookPath}`,
      ],
    );

    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    cashier = startServiceProcess('cashier', {
      env: localEnvOf('cashier', {
        HTTP_PORT: String(port),
        DATABASE_URL: databaseUrl,
        REDIS_URL: infra.redisUrl,
        KAFKA_BROKERS: infra.kafkaBrokers,
        PUBLIC_BASE_URL: baseUrl,
        LOG_LEVEL: 'info',
        OUTBOX_POLL_INTERVAL_MS: '100',
        // Its own group: the shared broker may run other cashier instances.
        KAFKA_CONSUMER_GROUP: consumerGroup,
        // The published schedule (15 s, 1 m, …) shrunk a thousandfold: 15 ms, 60 ms, …
        WEBHOOK_TIME_SCALE: '0.001',
        WEBHOOK_POLL_INTERVAL_MS: '50',
        PAYMENT_EXPIRY_SWEEP_INTERVAL_MS: '200',
      }),
      stateDir,
    });
    await assertReady(cashier);
    demo = new MerchantApiClient(baseUrl, {
      appId: DEMO_MERCHANT.appId,
      secret: DEMO_MERCHANT.signingSecret,
    });
    withAppHook = new MerchantApiClient(baseUrl, {
      appId: appHookMerchant.appId,
      secret: appHookMerchant.signingSecret,
    });
    kafka = createKafka({
      clientId: 'e2e-cashier-status',
      brokers: infra.kafkaBrokers.split(','),
      logger: createLogger('e2e-cashier-status', 'warn'),
    });
  });

  afterAll(async () => {
    if (cashier) await stopServiceProcess(cashier.pid);
    await db?.end();
    await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(undefined)));
    await dropDatabase(infra.databaseUrl, databaseName);
  });

  // ---- helpers -------------------------------------------------------------------------

  const hookPath = () => `/hooks/${randomBytes(6).toString('hex')}`;

  async function createOrder(
    client: MerchantApiClient,
    overrides: Record<string, unknown> = {},
  ): Promise<PaymentView> {
    const response = await client.createPayment(
      {
        merchantOrderNo: `e2e_${randomBytes(8).toString('hex')}`,
        amount: { amountMinor: 2_500, currency: 'CNY' },
        subject: 'Cappuccino 卡布奇诺',
        expiresInSeconds: 1_800,
        ...overrides,
      },
      randomUUID(),
    );
    expect(response.status).toBe(201);
    return response.json as PaymentView;
  }

  const channelPaymentFor = (
    order: PaymentView,
    overrides: Partial<ChannelPayment> = {},
  ): ChannelPayment => ({
    transactionId: newId('txn'),
    paymentId: order.id,
    merchantId: order.merchantId,
    channel: 'ALIPAY',
    channelTradeNo: `2026112422001${randomBytes(5).toString('hex')}`,
    amount: { amountMinor: order.amount.amountMinor, currency: 'CNY' },
    paidAt: new Date(Date.now() - 2_000).toISOString(),
    businessDate: '2026-11-24',
    confirmedBy: 'CALLBACK',
    ...overrides,
  });

  /** Publishes as acquiring's outbox relay would: key = payment id, envelope in headers. */
  async function publish(payload: ChannelPayment, messageId = newId('evt')): Promise<string> {
    return publishEvent(kafka, ChannelPaymentSucceeded, payload, {
      messageId,
      producer: 'e2e-acquiring',
    });
  }

  async function count(sql: string, values: unknown[]): Promise<number> {
    const result = await db!.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, values);
    return result.rows[0].n;
  }

  const outboxEvents = (paymentId: string, type: string) =>
    count(`cashier.outbox_messages WHERE message_key = $1 AND event_type = $2`, [paymentId, type]);

  /** Waits until the consumer has committed this message id (processed or found a duplicate). */
  const consumed = (messageId: string) =>
    waitFor(
      `inbox row of ${messageId}`,
      () =>
        count(`cashier.inbox_messages WHERE message_id = $1 AND consumer = $2`, [
          messageId,
          PAYMENT_STATUS_CONSUMER,
        ]),
      (n) => n === 1,
      { timeoutMs: 60_000, intervalMs: 100 },
    );

  async function getOrder(client: MerchantApiClient, id: string): Promise<PaymentView> {
    const response = await client.getPayment(id);
    expect(response.status).toBe(200);
    return response.json as PaymentView;
  }

  const orderIn = (client: MerchantApiClient, id: string, state: string) =>
    waitFor(
      `${id} in ${state}`,
      () => getOrder(client, id),
      (order) => order.state === state,
      { timeoutMs: 60_000, intervalMs: 100 },
    );

  async function notificationsOf(
    client: MerchantApiClient,
    id: string,
  ): Promise<NotificationView[]> {
    const response = await client.request({
      method: 'GET',
      path: `/v1/payments/${id}/notifications`,
    });
    expect(response.status).toBe(200);
    return (response.json as { data: NotificationView[] }).data;
  }

  const webhooksAt = (path: string) => received.filter((hook) => hook.path === path);

  const webhooksArrived = (path: string, atLeast: number) =>
    waitFor(
      `${atLeast} webhook(s) at ${path}`,
      async () => webhooksAt(path),
      (hooks) => hooks.length >= atLeast,
      { timeoutMs: 30_000, intervalMs: 50 },
    );

  /** Checks a received webhook exactly as a merchant would, and returns its parsed body. */
  function verifiedBody(hook: ReceivedWebhook, secret: string): WebhookBody {
    const signature = hook.headers['paylab-signature'];
    expect(typeof signature).toBe('string');
    expect(verifyWebhookSignature(secret, signature as string, hook.body, new Date())).toEqual({
      ok: true,
      timestamp: expect.any(Number),
    });
    expect(hook.headers['content-type']).toMatch(/^application\/json/);
    const body = JSON.parse(hook.body) as WebhookBody;
    expect(hook.headers['paylab-notification-id']).toBe(body.id);
    return body;
  }

  const deadLetterOf = (messageId: string): Promise<ReadMessage> =>
    findDeadLetter(kafka, Topics.channelPayments.name, messageId, consumerGroup, 90_000);

  // ---- payment succeeded ---------------------------------------------------------------

  it('marks the order SUCCEEDED, publishes one payment_order.succeeded and sends a signed webhook', async () => {
    const path = hookPath();
    const order = await createOrder(demo, { notifyUrl: `${receiverUrl}${path}` });
    const payment = channelPaymentFor(order, { channel: 'WECHAT_PAY' });
    await publish(payment);

    const paid = await orderIn(demo, order.id, 'SUCCEEDED');
    expect(paid).toMatchObject({
      id: order.id,
      state: 'SUCCEEDED',
      channel: 'WECHAT_PAY',
      transactionId: payment.transactionId,
      succeededAt: payment.paidAt,
      closedAt: null,
    });
    expect(await outboxEvents(order.id, 'payment_order.succeeded')).toBe(1);
    // v2: cashier's verdict carries the channel facts settlement clears with.
    const [event] = (
      await db!.query<{ payload: Record<string, unknown>; schema_version: number }>(
        `SELECT payload, schema_version FROM cashier.outbox_messages WHERE message_key = $1 AND event_type = 'payment_order.succeeded'`,
        [order.id],
      )
    ).rows;
    expect(event.schema_version).toBe(2);
    expect(event.payload).toEqual({
      paymentId: order.id,
      merchantId: DEMO_MERCHANT.merchantId,
      amount: { amountMinor: 2_500, currency: 'CNY' },
      transactionId: payment.transactionId,
      succeededAt: payment.paidAt,
      channel: 'WECHAT_PAY',
      channelTradeNo: payment.channelTradeNo,
      paidAt: payment.paidAt,
      businessDate: '2026-11-24',
    });

    const [hook] = await webhooksArrived(path, 1);
    const body = verifiedBody(hook, DEMO_MERCHANT.signingSecret);
    expect(body).toEqual({
      id: expect.stringMatching(/^ntf_[0-9A-HJKMNP-TV-Z]{26}$/),
      type: 'payment.succeeded',
      createdAt: expect.any(String),
      data: paid,
    });
    // Signed with this app's secret and no other.
    expect(
      verifyWebhookSignature(
        appHookMerchant.signingSecret,
        hook.headers['paylab-signature'] as string,
        hook.body,
        new Date(),
      ),
    ).toEqual({ ok: false, reason: 'MISMATCH' });

    const notifications = await waitFor(
      'notification delivered',
      () => notificationsOf(demo, order.id),
      (list) => list[0]?.status === 'DELIVERED',
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    expect(notifications).toEqual([
      expect.objectContaining({
        id: body.id,
        type: 'payment.succeeded',
        url: `${receiverUrl}${path}`,
        status: 'DELIVERED',
        attemptCount: 1,
        nextAttemptAt: null,
        lastResponseStatus: 200,
        attempts: [
          expect.objectContaining({ attemptNo: 1, responseStatus: 200, outcome: 'DELIVERED' }),
        ],
      }),
    ]);
  });

  it('retries a webhook the merchant answers 500 twice, then records it delivered on the third', async () => {
    const path = hookPath();
    answers.set(path, [500, 500]);
    const order = await createOrder(demo, { notifyUrl: `${receiverUrl}${path}` });
    await publish(channelPaymentFor(order));
    await orderIn(demo, order.id, 'SUCCEEDED');

    const notifications = await waitFor(
      'notification delivered after retries',
      () => notificationsOf(demo, order.id),
      (list) => list[0]?.status === 'DELIVERED',
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    expect(notifications).toHaveLength(1);
    const [notification] = notifications;
    expect(notification).toMatchObject({ status: 'DELIVERED', attemptCount: 3 });
    expect(notification.attempts.map((a) => [a.attemptNo, a.responseStatus, a.outcome])).toEqual([
      [1, 500, 'RETRY_SCHEDULED'],
      [2, 500, 'RETRY_SCHEDULED'],
      [3, 200, 'DELIVERED'],
    ]);
    // The schedule, scaled by 0.001: 15 ms after the first failure, 60 ms after the second.
    const [first, second, third] = notification.attempts;
    expect(Date.parse(first.nextAttemptAt!)).toBeGreaterThan(Date.parse(first.attemptedAt));
    expect(Date.parse(second.attemptedAt)).toBeGreaterThanOrEqual(Date.parse(first.nextAttemptAt!));
    expect(Date.parse(third.attemptedAt)).toBeGreaterThanOrEqual(Date.parse(second.nextAttemptAt!));
    expect(third.nextAttemptAt).toBeNull();

    // Exactly three requests: the same notification and the same bytes, each validly signed.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const hooks = webhooksAt(path);
    expect(hooks).toHaveLength(3);
    const bodies = hooks.map((hook) => verifiedBody(hook, DEMO_MERCHANT.signingSecret));
    expect(new Set(hooks.map((hook) => hook.body)).size).toBe(1);
    expect(bodies[0].id).toBe(notification.id);
  });

  it('applies a duplicate event (same message, or same transaction re-published) only once', async () => {
    const path = hookPath();
    const order = await createOrder(demo, { notifyUrl: `${receiverUrl}${path}` });
    const payment = channelPaymentFor(order);
    const messageId = await publish(payment);
    await orderIn(demo, order.id, 'SUCCEEDED');
    await webhooksArrived(path, 1);

    // Redelivery of the same message, then the same transaction under a new message id; both
    // have the payment's key, so the second is consumed after the first.
    await publish(payment, messageId);
    const republished = await publish({ ...payment, paidAt: new Date().toISOString() });
    await consumed(republished);

    expect(await outboxEvents(order.id, 'payment_order.succeeded')).toBe(1);
    expect(await count('cashier.merchant_notifications WHERE payment_id = $1', [order.id])).toBe(1);
    expect(await count('cashier.late_payments WHERE payment_id = $1', [order.id])).toBe(0);
    const after = await getOrder(demo, order.id);
    expect(after).toMatchObject({
      transactionId: payment.transactionId,
      succeededAt: payment.paidAt,
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(webhooksAt(path)).toHaveLength(1);
  });

  it("falls back to the app's webhook URL, and sends nothing when neither is set", async () => {
    const viaApp = await createOrder(withAppHook);
    await publish(channelPaymentFor(viaApp));
    await orderIn(withAppHook, viaApp.id, 'SUCCEEDED');
    const hooks = await waitFor(
      'webhook at the app URL',
      async () => webhooksAt(appHookPath).filter((hook) => hook.body.includes(viaApp.id)),
      (found) => found.length === 1,
      { timeoutMs: 30_000, intervalMs: 50 },
    );
    expect(verifiedBody(hooks[0], appHookMerchant.signingSecret).data.id).toBe(viaApp.id);

    // The demo app has no webhook URL: an order without notifyUrl gets no notification row.
    const silent = await createOrder(demo);
    const messageId = await publish(channelPaymentFor(silent));
    await consumed(messageId);
    expect((await getOrder(demo, silent.id)).state).toBe('SUCCEEDED');
    expect(await notificationsOf(demo, silent.id)).toEqual([]);
  });

  it('lists notifications only for your own orders', async () => {
    const order = await createOrder(demo);
    const response = await withAppHook.request({
      method: 'GET',
      path: `/v1/payments/${order.id}/notifications`,
    });
    expect(response.status).toBe(404);
    expect((response.json as { error: { code: string } }).error.code).toBe('PAYMENT.NOT_FOUND');
    const unsigned = await fetch(`${demo.baseUrl}/v1/payments/${order.id}/notifications`);
    expect(unsigned.status).toBe(401);
  });

  // ---- payments that cannot be applied -------------------------------------------------

  it('records money for a CLOSED order as a late payment and never makes it SUCCEEDED', async () => {
    const path = hookPath();
    const order = await createOrder(demo, { notifyUrl: `${receiverUrl}${path}` });
    expect((await demo.closePayment(order.id)).status).toBe(200);
    const [closedHook] = await webhooksArrived(path, 1);
    expect(verifiedBody(closedHook, DEMO_MERCHANT.signingSecret)).toMatchObject({
      type: 'payment.closed',
      data: { id: order.id, state: 'CLOSED', closeReason: 'MERCHANT_REQUEST' },
    });

    const payment = channelPaymentFor(order);
    const messageId = await publish(payment);
    await consumed(messageId);

    expect(await getOrder(demo, order.id)).toMatchObject({ state: 'CLOSED', transactionId: null });
    expect(await outboxEvents(order.id, 'payment_order.succeeded')).toBe(0);
    const late = await db!.query(
      `SELECT payment_id, reason, order_state, amount_minor::int AS amount, status, message_id, refund_id
       FROM cashier.late_payments WHERE transaction_id = $1`,
      [payment.transactionId],
    );
    expect(late.rows).toEqual([
      {
        payment_id: order.id,
        reason: 'ORDER_CLOSED',
        order_state: 'CLOSED',
        amount: 2_500,
        status: 'REFUND_PENDING',
        message_id: messageId,
        // Returned to the payer by a refund of its own (refunds-cashier.e2e-spec.ts follows it).
        refund_id: expect.stringMatching(/^ref_/),
      },
    ]);
    expect(await outboxEvents(order.id, 'late_payment.recorded')).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(webhooksAt(path)).toHaveLength(1);
  });

  it('dead-letters an event for an unknown payment with a clear reason', async () => {
    const phantom = channelPaymentFor({
      id: newId('pay'),
      merchantId: DEMO_MERCHANT.merchantId,
      amount: { amountMinor: 100, currency: 'CNY' },
    } as PaymentView);
    const messageId = await publish(phantom);
    const letter = await deadLetterOf(messageId);
    expect(letter.headers[DeadLetterHeaders.reason]).toMatch(
      new RegExp(`^permanent failure: CASHIER\\.UNKNOWN_PAYMENT: .*${phantom.paymentId}`),
    );
    expect(JSON.parse(letter.value!)).toEqual(phantom);
    expect(await count('cashier.inbox_messages WHERE message_id = $1', [messageId])).toBe(0);
  });

  it('dead-letters an event whose amount differs from the order, leaving the order CREATED', async () => {
    const order = await createOrder(demo);
    const messageId = await publish(
      channelPaymentFor(order, { amount: { amountMinor: 1, currency: 'CNY' } }),
    );
    const letter = await deadLetterOf(messageId);
    expect(letter.headers[DeadLetterHeaders.reason]).toMatch(/CASHIER\.AMOUNT_MISMATCH/);
    expect((await getOrder(demo, order.id)).state).toBe('CREATED');
    expect(await outboxEvents(order.id, 'payment_order.succeeded')).toBe(0);
  });

  // ---- expiry --------------------------------------------------------------------------

  it('closes an expired CREATED order as EXPIRED with its event and a payment.closed webhook', async () => {
    const path = hookPath();
    const expiring = await createOrder(demo, {
      notifyUrl: `${receiverUrl}${path}`,
      expiresInSeconds: 60,
    });
    const alive = await createOrder(demo, { expiresInSeconds: 60 });
    // Test setup instead of waiting a minute: the deadline has passed.
    await db!.query(
      `UPDATE cashier.payment_orders SET expires_at = now() - interval '1 second' WHERE id = $1`,
      [expiring.id],
    );

    const closed = await orderIn(demo, expiring.id, 'CLOSED');
    expect(closed).toMatchObject({ closeReason: 'EXPIRED', closedAt: expect.any(String) });
    expect(await outboxEvents(expiring.id, 'payment_order.closed')).toBe(1);
    const [hook] = await webhooksArrived(path, 1);
    expect(verifiedBody(hook, DEMO_MERCHANT.signingSecret)).toMatchObject({
      type: 'payment.closed',
      data: { id: expiring.id, state: 'CLOSED', closeReason: 'EXPIRED' },
    });

    // Several sweeps later: still exactly one close, and an order not yet due is untouched.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await outboxEvents(expiring.id, 'payment_order.closed')).toBe(1);
    expect((await getOrder(demo, alive.id)).state).toBe('CREATED');
    expect(await outboxEvents(alive.id, 'payment_order.closed')).toBe(0);
  });

  it('does not close a PROCESSING order on expiry (the channel charge must be closed first)', async () => {
    const order = await createOrder(demo, { expiresInSeconds: 60 });
    await db!.query(
      `UPDATE cashier.payment_orders
       SET state = 'PROCESSING', channel = 'ALIPAY', version = version + 1,
           expires_at = now() - interval '1 second'
       WHERE id = $1`,
      [order.id],
    );
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect((await getOrder(demo, order.id)).state).toBe('PROCESSING');

    // A payment still lands on it: the payer paid before the channel charge was closed.
    await publish(channelPaymentFor(order, { channel: 'ALIPAY' }));
    expect((await orderIn(demo, order.id, 'SUCCEEDED')).channel).toBe('ALIPAY');
  });
});
