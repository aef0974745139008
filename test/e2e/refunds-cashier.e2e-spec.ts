/**
 * Cashier's side of refunds (退款) and of late payments (迟到支付退回), with cashier as a real
 * process on a fresh database, real Kafka and Redis, and an HTTP server in this test standing in
 * for the merchant's webhook receiver. Acquiring is not part of this suite: the test publishes the
 * channel's answers (ChannelPaymentSucceeded, ChannelRefundSucceeded/Failed) onto the real topics
 * with the headers acquiring's outbox relay would give them, and reads what cashier decided from
 * its tables and its outbox. The suite runs on a Kafka broker of its own: on a shared broker,
 * another suite's acquiring would consume these RefundRequested events and answer them.
 */
import { randomBytes, randomUUID } from 'node:crypto';

import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import {
  ChannelPaymentSucceeded,
  ChannelRefundFailed,
  ChannelRefundSucceeded,
  DeadLetterHeaders,
  Topics,
  type PayloadOf,
} from '@paylab/contracts';
import { newId } from '@paylab/ids';
import { createKafka, publishEvent } from '@paylab/messaging';
import { createLogger } from '@paylab/platform';
import {
  createDatabase,
  deadLetterOf,
  dropDatabase,
  ENV_VARIABLES,
  freePort,
  REPO_ROOT,
  startDisposableKafka,
  waitFor,
  type DisposableKafka,
} from '@paylab/testing';
import { DEMO_MERCHANT } from '../../services/cashier/src/merchants/demo-merchant';
import { verifyWebhookSignature } from '../../services/cashier/src/notifications/domain/webhook-signature';
import type { WebhookBody } from '../../services/cashier/src/notifications/merchant-notifications.service';
import type { PaymentView } from '../../services/cashier/src/payments/payment-order.mapper';
import { REFUND_STATUS_CONSUMER } from '../../services/cashier/src/refunds/channel-refunds.consumer';
import type { RefundView } from '../../services/cashier/src/refunds/refund.mapper';
import type { RefundPage } from '../../services/cashier/src/refunds/refunds.service';
import { localEnvOf } from '../../tools/local/env-files';
import {
  startServiceProcess,
  stopServiceProcess,
  assertReady,
  type ServiceProcess,
} from '../../tools/local/service-processes';
import { seedDemoData } from '../../tools/seed';
import { MerchantApiClient, send, type ApiResponse } from './support/merchant-api-client';

const infra = {
  databaseUrl: process.env[ENV_VARIABLES.databaseUrl]!,
  redisUrl: process.env[ENV_VARIABLES.redisUrl]!,
  mode: process.env.PAYLAB_TEST_INFRASTRUCTURE_MODE as 'env' | 'testcontainers' | 'local',
};

const CHANNEL_ACCOUNT_A = 'cha_01M85DMB00EHTE541GQYE3T4TM';

type ChannelPayment = PayloadOf<typeof ChannelPaymentSucceeded>;

interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface ErrorBody {
  error: { type: string; code: string; message: string; param?: string; requestId: string };
}

describe('cashier: refunds and late payment returns', () => {
  const databaseName = `paylab_e2e_refunds_${randomBytes(4).toString('hex')}`;
  const consumerGroup = `e2e-refunds-${randomBytes(4).toString('hex')}`;
  const stateDir = join(REPO_ROOT, '.cache', 'test', databaseName);
  let cashier: ServiceProcess | undefined;
  let db: Client | undefined;
  let receiver: Server | undefined;
  let receiverUrl: string;
  let broker: DisposableKafka | undefined;
  let kafka: ReturnType<typeof createKafka>;
  let demo: MerchantApiClient;
  let other: MerchantApiClient;
  const otherMerchant = {
    merchantId: newId('mch'),
    appId: newId('app'),
    signingSecret: `sk_e2e_other_${randomBytes(24).toString('hex')}`,
  };
  const received: ReceivedWebhook[] = [];

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({
          path: request.url ?? '',
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

    broker = await startDisposableKafka(REPO_ROOT, infra.mode);
    const kafkaBrokers = broker.brokers.join(',');
    const databaseUrl = await createDatabase(infra.databaseUrl, databaseName);
    await seedDemoData(databaseUrl, () => undefined);
    db = new Client({ connectionString: databaseUrl });
    await db.connect();
    await db.query(`INSERT INTO cashier.merchants (id, name, status) VALUES ($1, $2, 'ACTIVE')`, [
      otherMerchant.merchantId,
      'E2E Tea House (茶馆)',
    ]);
    await db.query(
      `INSERT INTO cashier.merchant_apps (id, merchant_id, name, signing_secret, status)
       VALUES ($1, $2, 'Tea app', $3, 'ACTIVE')`,
      [otherMerchant.appId, otherMerchant.merchantId, otherMerchant.signingSecret],
    );

    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    cashier = startServiceProcess('cashier', {
      env: localEnvOf('cashier', {
        HTTP_PORT: String(port),
        DATABASE_URL: databaseUrl,
        REDIS_URL: infra.redisUrl,
        KAFKA_BROKERS: kafkaBrokers,
        PUBLIC_BASE_URL: baseUrl,
        LOG_LEVEL: 'info',
        OUTBOX_POLL_INTERVAL_MS: '100',
        KAFKA_CONSUMER_GROUP: consumerGroup,
        WEBHOOK_TIME_SCALE: '0.001',
        WEBHOOK_POLL_INTERVAL_MS: '50',
      }),
      stateDir,
    });
    await assertReady(cashier);
    demo = new MerchantApiClient(baseUrl, {
      appId: DEMO_MERCHANT.appId,
      secret: DEMO_MERCHANT.signingSecret,
    });
    other = new MerchantApiClient(baseUrl, {
      appId: otherMerchant.appId,
      secret: otherMerchant.signingSecret,
    });
    kafka = createKafka({
      clientId: 'e2e-refunds',
      brokers: broker.brokers,
      logger: createLogger('e2e-refunds', 'warn'),
    });
  });

  afterAll(async () => {
    if (cashier) await stopServiceProcess(cashier.pid);
    await db?.end();
    await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(undefined)));
    await dropDatabase(infra.databaseUrl, databaseName);
    await broker?.destroy();
  });

  // ---- helpers -------------------------------------------------------------------------

  const hookPath = () => `/hooks/${randomBytes(6).toString('hex')}`;

  async function createOrder(
    client: MerchantApiClient,
    amountMinor: number,
    notifyPath?: string,
  ): Promise<PaymentView> {
    const response = await client.createPayment(
      {
        merchantOrderNo: `e2e_${randomBytes(8).toString('hex')}`,
        amount: { amountMinor, currency: 'CNY' },
        subject: 'Flat white 馥芮白',
        expiresInSeconds: 1_800,
        ...(notifyPath ? { notifyUrl: `${receiverUrl}${notifyPath}` } : {}),
      },
      randomUUID(),
    );
    expect(response.status).toBe(201);
    return response.json as PaymentView;
  }

  const channelPaymentFor = (order: PaymentView): ChannelPayment => ({
    transactionId: newId('txn'),
    paymentId: order.id,
    merchantId: order.merchantId,
    channel: 'ALIPAY',
    channelAccountId: CHANNEL_ACCOUNT_A,
    channelTradeNo: `2026112422001${randomBytes(5).toString('hex')}`,
    amount: { amountMinor: order.amount.amountMinor, currency: 'CNY' },
    paidAt: new Date(Date.now() - 2_000).toISOString(),
    businessDate: '2026-11-24',
    confirmedBy: 'CALLBACK',
  });

  const publishPayment = (payload: ChannelPayment) =>
    publishEvent(kafka, ChannelPaymentSucceeded, payload, { producer: 'e2e-acquiring' });

  async function getOrder(client: MerchantApiClient, id: string): Promise<PaymentView> {
    const response = await client.getPayment(id);
    expect(response.status).toBe(200);
    return response.json as PaymentView;
  }

  /** A SUCCEEDED order of `amountMinor`, paid through the (simulated) channel. */
  async function paidOrder(
    amountMinor: number,
    notifyPath?: string,
    client: MerchantApiClient = demo,
  ): Promise<{ order: PaymentView; payment: ChannelPayment }> {
    const order = await createOrder(client, amountMinor, notifyPath);
    const payment = channelPaymentFor(order);
    await publishPayment(payment);
    const paid = await waitFor(
      `${order.id} SUCCEEDED`,
      () => getOrder(client, order.id),
      (view) => view.state === 'SUCCEEDED',
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    return { order: paid, payment };
  }

  function refund(
    paymentId: string,
    body: unknown,
    /** null sends no Idempotency-Key at all. */
    idempotencyKey: string | null = randomUUID(),
    client: MerchantApiClient = demo,
  ): Promise<ApiResponse> {
    return client.request({
      method: 'POST',
      path: `/v1/payments/${paymentId}/refunds`,
      body: typeof body === 'string' ? body : JSON.stringify(body),
      idempotencyKey: idempotencyKey ?? undefined,
    });
  }

  const cny = (amountMinor: number) => ({ amountMinor, currency: 'CNY' });

  async function count(sql: string, values: unknown[]): Promise<number> {
    const result = await db!.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, values);
    return result.rows[0].n;
  }

  const outboxEvents = (paymentId: string, type: string) =>
    count(`cashier.outbox_messages WHERE message_key = $1 AND event_type = $2`, [paymentId, type]);

  async function outboxPayloads(paymentId: string, type: string) {
    const result = await db!.query<{ payload: Record<string, unknown>; schema_version: number }>(
      `SELECT payload, schema_version FROM cashier.outbox_messages
       WHERE message_key = $1 AND event_type = $2 ORDER BY sequence`,
      [paymentId, type],
    );
    return result.rows;
  }

  const consumed = (messageId: string) =>
    waitFor(
      `inbox row of ${messageId}`,
      () =>
        count(`cashier.inbox_messages WHERE message_id = $1 AND consumer = $2`, [
          messageId,
          REFUND_STATUS_CONSUMER,
        ]),
      (n) => n === 1,
      { timeoutMs: 60_000, intervalMs: 100 },
    );

  function channelRefundFacts(view: RefundView) {
    return {
      refundId: view.id,
      paymentId: view.paymentId,
      merchantId: view.merchantId,
      transactionId: view.transactionId,
      kind: view.kind,
      channel: view.channel,
      channelAccountId: CHANNEL_ACCOUNT_A,
      amount: view.amount as { amountMinor: number; currency: 'CNY' },
    };
  }

  const publishRefundSucceeded = (
    view: RefundView,
    channelRefundNo = `RF${randomBytes(6).toString('hex')}`,
  ) =>
    publishEvent(
      kafka,
      ChannelRefundSucceeded,
      {
        ...channelRefundFacts(view),
        channelRefundNo,
        channelTradeNo: '2026112422001000000001',
        refundedAt: new Date(Date.now() - 1_000).toISOString(),
        businessDate: '2026-11-24',
        confirmedBy: 'SYNC_RESPONSE',
      } satisfies PayloadOf<typeof ChannelRefundSucceeded>,
      { producer: 'e2e-acquiring' },
    );

  const publishRefundFailed = (view: RefundView) =>
    publishEvent(
      kafka,
      ChannelRefundFailed,
      {
        ...channelRefundFacts(view),
        failureCode: 'ACQ.SELLER_BALANCE_NOT_ENOUGH',
        failureMessage: 'seller balance not enough (卖家余额不足)',
        failedAt: new Date(Date.now() - 1_000).toISOString(),
      } satisfies PayloadOf<typeof ChannelRefundFailed>,
      { producer: 'e2e-acquiring' },
    );

  async function getRefund(id: string, client: MerchantApiClient = demo): Promise<ApiResponse> {
    return client.request({ method: 'GET', path: `/v1/refunds/${id}` });
  }

  const refundIn = (id: string, state: string) =>
    waitFor(
      `${id} in ${state}`,
      async () => (await getRefund(id)).json as RefundView,
      (view) => view.state === state,
      { timeoutMs: 60_000, intervalMs: 100 },
    );

  async function listRefunds(
    paymentId: string,
    query?: Record<string, string>,
    client: MerchantApiClient = demo,
  ): Promise<ApiResponse> {
    return client.request({ method: 'GET', path: `/v1/payments/${paymentId}/refunds`, query });
  }

  const webhooksAt = (path: string) => received.filter((hook) => hook.path === path);
  const webhooksArrived = (path: string, atLeast: number) =>
    waitFor(
      `${atLeast} webhook(s) at ${path}`,
      async () => webhooksAt(path),
      (hooks) => hooks.length >= atLeast,
      { timeoutMs: 30_000, intervalMs: 50 },
    );

  function verifiedBody(hook: ReceivedWebhook): WebhookBody {
    expect(
      verifyWebhookSignature(
        DEMO_MERCHANT.signingSecret,
        hook.headers['paylab-signature'] as string,
        hook.body,
        new Date(),
      ),
    ).toEqual({ ok: true, timestamp: expect.any(Number) });
    const body = JSON.parse(hook.body) as WebhookBody;
    expect(hook.headers['paylab-notification-id']).toBe(body.id);
    return body;
  }

  function expectError(response: ApiResponse, status: number, code: string, param?: string) {
    expect({ status: response.status, code: (response.json as ErrorBody)?.error?.code }).toEqual({
      status,
      code,
    });
    if (param !== undefined) expect((response.json as ErrorBody).error.param).toBe(param);
    return (response.json as ErrorBody).error;
  }

  // ---- merchant refunds ----------------------------------------------------------------

  it('takes three partial refunds up to the amount paid, refuses a fourth, and reports each outcome', async () => {
    const path = hookPath();
    const { order, payment } = await paidOrder(2_500, path);
    await webhooksArrived(path, 1); // payment.succeeded

    const parts = [1_000, 1_000, 500];
    const views: RefundView[] = [];
    for (const [index, amountMinor] of parts.entries()) {
      const response = await refund(order.id, {
        amount: cny(amountMinor),
        reason: `Part ${index + 1} returned (部分退款)`,
        merchantRefundNo: `RF-${order.id.slice(-6)}-${index}`,
      });
      expect(response.status).toBe(201);
      views.push(response.json as RefundView);
    }
    expect(views[0]).toEqual({
      id: expect.stringMatching(/^ref_[0-9A-HJKMNP-TV-Z]{26}$/),
      paymentId: order.id,
      merchantId: DEMO_MERCHANT.merchantId,
      kind: 'MERCHANT_REFUND',
      amount: cny(1_000),
      reason: 'Part 1 returned (部分退款)',
      merchantRefundNo: `RF-${order.id.slice(-6)}-0`,
      state: 'PENDING',
      transactionId: payment.transactionId,
      channel: 'ALIPAY',
      channelRefundNo: null,
      failureCode: null,
      failureMessage: null,
      createdAt: expect.any(String),
      succeededAt: null,
      failedAt: null,
    });

    const fourth = await refund(order.id, { amount: cny(1) });
    const error = expectError(
      fourth,
      422,
      'REFUND.EXCEEDS_REFUNDABLE_AMOUNT',
      'amount.amountMinor',
    );
    expect(error.message).toContain('Only 0.00 CNY of the 25.00 CNY paid is still refundable');

    // Pending refunds already use up the room, but nothing has reached the payer yet.
    expect(await getOrder(demo, order.id)).toMatchObject({
      state: 'SUCCEEDED',
      refundedAmount: cny(0),
      refundingAmount: cny(2_500),
      refundStatus: 'NONE',
      latePayments: [],
    });

    // One RefundRequested per refund, with what acquiring needs to refund at the channel.
    const requested = await outboxPayloads(order.id, 'refund.requested');
    expect(requested.map((row) => row.payload)).toEqual(
      views.map((view) => ({
        refundId: view.id,
        paymentId: order.id,
        merchantId: DEMO_MERCHANT.merchantId,
        transactionId: payment.transactionId,
        kind: 'MERCHANT_REFUND',
        channel: 'ALIPAY',
        channelAccountId: CHANNEL_ACCOUNT_A,
        amount: view.amount,
        paymentAmount: cny(2_500),
        reason: view.reason,
        requestedAt: view.createdAt,
      })),
    );
    expect(await count('cashier.refunds WHERE payment_id = $1', [order.id])).toBe(3);

    // The channel confirms the first: partly refunded.
    await publishRefundSucceeded(views[0]);
    const first = await refundIn(views[0].id, 'SUCCEEDED');
    expect(first).toMatchObject({
      channelRefundNo: expect.any(String),
      succeededAt: expect.any(String),
    });
    expect(await getOrder(demo, order.id)).toMatchObject({
      refundedAmount: cny(1_000),
      refundingAmount: cny(1_500),
      refundStatus: 'PARTIALLY_REFUNDED',
    });

    // Then the other two: fully refunded, and the order itself is still SUCCEEDED.
    await publishRefundSucceeded(views[1]);
    await publishRefundSucceeded(views[2]);
    await refundIn(views[2].id, 'SUCCEEDED');
    await refundIn(views[1].id, 'SUCCEEDED');
    expect(await getOrder(demo, order.id)).toMatchObject({
      state: 'SUCCEEDED',
      refundedAmount: cny(2_500),
      refundingAmount: cny(0),
      refundStatus: 'REFUNDED',
    });
    expectError(
      await refund(order.id, { amount: cny(1) }),
      422,
      'REFUND.EXCEEDS_REFUNDABLE_AMOUNT',
    );

    const succeeded = await outboxPayloads(order.id, 'refund.succeeded');
    expect(succeeded).toHaveLength(3);
    expect(succeeded[0].payload).toMatchObject({
      refundId: views[0].id,
      kind: 'MERCHANT_REFUND',
      channel: 'ALIPAY',
      channelAccountId: CHANNEL_ACCOUNT_A,
      businessDate: '2026-11-24',
      channelRefundNo: first.channelRefundNo,
    });

    // Three signed refund.succeeded webhooks, each carrying its refund.
    const hooks = await webhooksArrived(path, 4);
    const refundHooks = hooks.map(verifiedBody).filter((body) => body.type === 'refund.succeeded');
    expect(refundHooks.map((body) => (body.data as RefundView).id).sort()).toEqual(
      views.map((view) => view.id).sort(),
    );
    expect(refundHooks.find((body) => body.data.id === first.id)?.data).toEqual(first);

    // The list shows all three, oldest first, a page at a time.
    const page1 = (await listRefunds(order.id, { limit: '2' })).json as RefundPage;
    expect(page1.data.map((view) => view.id)).toEqual([views[0].id, views[1].id]);
    expect(page1).toMatchObject({ hasMore: true, nextCursor: views[1].id });
    const page2 = (await listRefunds(order.id, { limit: '2', startingAfter: page1.nextCursor! }))
      .json as RefundPage;
    expect(page2).toEqual({
      data: [expect.objectContaining({ id: views[2].id })],
      hasMore: false,
      nextCursor: null,
    });
  });

  it('lets exactly one of two concurrent refunds through when together they exceed the amount', async () => {
    for (let round = 0; round < 3; round += 1) {
      const { order } = await paidOrder(1_000);
      const responses = await Promise.all([
        refund(order.id, { amount: cny(600) }),
        refund(order.id, { amount: cny(700) }),
      ]);
      const statuses = responses.map((response) => response.status).sort();
      expect(statuses).toEqual([201, 422]);
      const refused = responses.find((response) => response.status === 422)!;
      expect((refused.json as ErrorBody).error.code).toBe('REFUND.EXCEEDS_REFUNDABLE_AMOUNT');
      expect(await count('cashier.refunds WHERE payment_id = $1', [order.id])).toBe(1);
      expect(await outboxEvents(order.id, 'refund.requested')).toBe(1);
    }
  });

  it('replays a refund create with the same Idempotency-Key: same refund, no second RefundRequested', async () => {
    const { order } = await paidOrder(2_000);
    const key = randomUUID();
    const body = { amount: cny(800), reason: 'Cold coffee' };
    const first = await refund(order.id, body, key);
    const again = await refund(order.id, body, key);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.json).toEqual(first.json);
    expect(await count('cashier.refunds WHERE payment_id = $1', [order.id])).toBe(1);
    expect(await outboxEvents(order.id, 'refund.requested')).toBe(1);

    // The same key for another refund body is refused and writes nothing.
    expectError(
      await refund(order.id, { amount: cny(801) }, key),
      422,
      'IDEMPOTENCY.KEY_REUSED_WITH_DIFFERENT_REQUEST',
    );
    // A merchantRefundNo is unique per merchant, like merchantOrderNo.
    const numbered = { amount: cny(100), merchantRefundNo: `NO-${randomBytes(4).toString('hex')}` };
    expect((await refund(order.id, numbered)).status).toBe(201);
    expectError(
      await refund(order.id, numbered),
      409,
      'REFUND.DUPLICATE_MERCHANT_REFUND_NO',
      'merchantRefundNo',
    );
    expect(await count('cashier.refunds WHERE payment_id = $1', [order.id])).toBe(2);
  });

  it('records a refused refund FAILED with a signed refund.failed webhook, once, and frees its amount', async () => {
    const path = hookPath();
    const { order } = await paidOrder(1_200, path);
    const created = (await refund(order.id, { amount: cny(1_200) })).json as RefundView;
    const messageId = await publishRefundFailed(created);
    const failed = await refundIn(created.id, 'FAILED');
    expect(failed).toMatchObject({
      failureCode: 'ACQ.SELLER_BALANCE_NOT_ENOUGH',
      failureMessage: 'seller balance not enough (卖家余额不足)',
      failedAt: expect.any(String),
      channelRefundNo: null,
    });
    await consumed(messageId);
    // The same answer again, under a new message id: no second event, no second webhook.
    await consumed(await publishRefundFailed(created));
    expect(await outboxEvents(order.id, 'refund.failed')).toBe(1);
    const [event] = await outboxPayloads(order.id, 'refund.failed');
    expect(event.payload).toMatchObject({
      refundId: created.id,
      kind: 'MERCHANT_REFUND',
      failureCode: 'ACQ.SELLER_BALANCE_NOT_ENOUGH',
    });

    const hooks = await webhooksArrived(path, 2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const bodies = webhooksAt(path).map(verifiedBody);
    expect(bodies.map((body) => body.type)).toEqual(['payment.succeeded', 'refund.failed']);
    expect(bodies[1].data).toEqual(failed);
    expect(hooks.length).toBe(2);

    // Nothing left the merchant's account, so the full amount can be refunded again.
    expect(await getOrder(demo, order.id)).toMatchObject({
      refundingAmount: cny(0),
      refundStatus: 'NONE',
    });
    expect((await refund(order.id, { amount: cny(1_200) })).status).toBe(201);
  });

  it('dead-letters a channel refund answer for a refund cashier does not know', async () => {
    const { order, payment } = await paidOrder(300);
    const phantom: RefundView = {
      id: newId('ref'),
      paymentId: order.id,
      merchantId: order.merchantId,
      kind: 'MERCHANT_REFUND',
      amount: cny(300),
      transactionId: payment.transactionId,
      channel: 'ALIPAY',
    } as RefundView;
    const messageId = await publishRefundSucceeded(phantom);
    const letter = await deadLetterOf(
      kafka,
      Topics.channelRefunds.name,
      messageId,
      consumerGroup,
      90_000,
    );
    expect(letter.headers[DeadLetterHeaders.reason]).toMatch(/REFUND\.UNKNOWN_REFUND/);
    expect(await count('cashier.inbox_messages WHERE message_id = $1', [messageId])).toBe(0);
    expect(await outboxEvents(order.id, 'refund.succeeded')).toBe(0);
  });

  // ---- late payments -------------------------------------------------------------------

  it('returns a payment for a closed order to the payer: LATE_PAYMENT_RETURN refund, LatePaymentRecorded, never a success', async () => {
    const path = hookPath();
    const order = await createOrder(demo, 1_800, path);
    expect((await demo.closePayment(order.id)).status).toBe(200);
    const payment = channelPaymentFor(order);
    await publishPayment(payment);

    const late = await waitFor(
      'late payment recorded',
      async () =>
        (
          await db!.query(
            `SELECT reason, status, refund_id FROM cashier.late_payments WHERE transaction_id = $1`,
            [payment.transactionId],
          )
        ).rows,
      (rows) => rows.length === 1,
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    expect(late[0]).toEqual({
      reason: 'ORDER_CLOSED',
      status: 'REFUND_PENDING',
      refund_id: expect.stringMatching(/^ref_/),
    });
    const refundId = late[0].refund_id as string;

    expect(await outboxEvents(order.id, 'payment_order.succeeded')).toBe(0);
    const [recorded] = await outboxPayloads(order.id, 'late_payment.recorded');
    expect(recorded.payload).toEqual({
      paymentId: order.id,
      merchantId: DEMO_MERCHANT.merchantId,
      amount: cny(1_800),
      reason: 'ORDER_CLOSED',
      refundId,
      recordedAt: expect.any(String),
      transactionId: payment.transactionId,
      channel: 'ALIPAY',
      channelAccountId: CHANNEL_ACCOUNT_A,
      channelTradeNo: payment.channelTradeNo,
      paidAt: payment.paidAt,
      businessDate: '2026-11-24',
    });
    const [requested] = await outboxPayloads(order.id, 'refund.requested');
    expect(requested.payload).toMatchObject({
      refundId,
      kind: 'LATE_PAYMENT_RETURN',
      transactionId: payment.transactionId,
      amount: cny(1_800),
      paymentAmount: cny(1_800),
      channelAccountId: CHANNEL_ACCOUNT_A,
    });

    // Visible to the merchant: on the order, and in its refunds list with its kind.
    const view = await getOrder(demo, order.id);
    expect(view).toMatchObject({
      state: 'CLOSED',
      refundStatus: 'NONE',
      refundingAmount: cny(0),
      latePayments: [
        {
          transactionId: payment.transactionId,
          amount: cny(1_800),
          reason: 'ORDER_CLOSED',
          status: 'REFUND_PENDING',
          refundId,
          paidAt: payment.paidAt,
        },
      ],
    });
    const list = (await listRefunds(order.id)).json as RefundPage;
    expect(list.data).toEqual([
      expect.objectContaining({ id: refundId, kind: 'LATE_PAYMENT_RETURN', state: 'PENDING' }),
    ]);
    // A closed order cannot be refunded by the merchant.
    const refusal = expectError(
      await refund(order.id, { amount: cny(1) }),
      409,
      'REFUND.PAYMENT_NOT_REFUNDABLE',
    );
    expect(refusal.message).toContain('CLOSED');

    // The same late transaction re-published: nothing more.
    await publishPayment({ ...payment });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await count('cashier.refunds WHERE payment_id = $1', [order.id])).toBe(1);
    expect(await outboxEvents(order.id, 'late_payment.recorded')).toBe(1);

    // The channel returns it: the late payment is REFUNDED and the merchant is told.
    await publishRefundSucceeded(list.data[0]);
    await refundIn(refundId, 'SUCCEEDED');
    expect((await getOrder(demo, order.id)).latePayments[0].status).toBe('REFUNDED');
    const [succeeded] = await outboxPayloads(order.id, 'refund.succeeded');
    expect(succeeded.payload).toMatchObject({ refundId, kind: 'LATE_PAYMENT_RETURN' });
    const hooks = await webhooksArrived(path, 2);
    const returned = hooks
      .map(verifiedBody)
      .find((body) => body.type === 'payment.late_payment_returned');
    expect(returned?.data).toMatchObject({
      id: order.id,
      state: 'CLOSED',
      latePayments: [expect.objectContaining({ refundId, status: 'REFUNDED' })],
    });
    expect(hooks.map((hook) => JSON.parse(hook.body).type)).not.toContain('refund.succeeded');
  });

  it('returns a second payment of a paid order without touching what the merchant may refund', async () => {
    const { order, payment } = await paidOrder(900);
    const twice = { ...channelPaymentFor(order) };
    await publishPayment(twice);
    await waitFor(
      'second payment recorded',
      () => count('cashier.late_payments WHERE transaction_id = $1', [twice.transactionId]),
      (n) => n === 1,
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    expect(await outboxEvents(order.id, 'payment_order.succeeded')).toBe(1);
    expect(await getOrder(demo, order.id)).toMatchObject({
      transactionId: payment.transactionId,
      refundingAmount: cny(0),
      latePayments: [expect.objectContaining({ reason: 'PAID_TWICE' })],
    });
    // The merchant can still refund everything it was paid.
    expect((await refund(order.id, { amount: cny(900) })).status).toBe(201);
  });

  // ---- bad inputs ----------------------------------------------------------------------

  describe('bad inputs: each refused with its documented error, nothing written', () => {
    let paid: PaymentView;
    let createdOnly: PaymentView;
    let othersPaid: PaymentView;

    beforeAll(async () => {
      paid = (await paidOrder(1_000)).order;
      createdOnly = await createOrder(demo, 1_000);
      othersPaid = (await paidOrder(1_000, undefined, other)).order;
    });

    async function snapshot() {
      return {
        refunds: await count('cashier.refunds', []),
        events: await count(`cashier.outbox_messages WHERE event_type LIKE 'refund.%'`, []),
        keys: await count('cashier.idempotency_keys', []),
      };
    }

    // Every row has all five cells (param may be undefined): jest treats a test function with
    // more parameters than the row has cells as one that waits for a `done` callback.
    const cases: Array<[string, () => Promise<ApiResponse>, number, string, string | undefined]> = [
      [
        'a negative amount',
        () => refund(paid.id, { amount: cny(-100) }),
        400,
        'REFUND.INVALID_AMOUNT',
        'amount.amountMinor',
      ],
      [
        'a zero amount',
        () => refund(paid.id, { amount: cny(0) }),
        400,
        'REFUND.INVALID_AMOUNT',
        'amount.amountMinor',
      ],
      [
        'a fractional amount',
        () => refund(paid.id, { amount: cny(10.5) }),
        400,
        'REFUND.INVALID_AMOUNT',
        'amount.amountMinor',
      ],
      [
        'an amount beyond any integer',
        () => refund(paid.id, '{"amount":{"amountMinor":1e30,"currency":"CNY"}}'),
        400,
        'REFUND.INVALID_AMOUNT',
        'amount.amountMinor',
      ],
      [
        'a huge amount',
        () => refund(paid.id, { amount: cny(9_000_000_000_000) }),
        422,
        'REFUND.EXCEEDS_REFUNDABLE_AMOUNT',
        'amount.amountMinor',
      ],
      [
        'an amount as a string',
        () => refund(paid.id, { amount: { amountMinor: '100', currency: 'CNY' } }),
        400,
        'REQUEST.VALIDATION_FAILED',
        'amount.amountMinor',
      ],
      [
        'another currency',
        () => refund(paid.id, { amount: { amountMinor: 100, currency: 'USD' } }),
        422,
        'REFUND.CURRENCY_MISMATCH',
        'amount.currency',
      ],
      [
        'a NUL in the reason',
        () => refund(paid.id, { amount: cny(100), reason: 'bad\u0000reason' }),
        400,
        // Refused by the request checks before cashier's own rules see it.
        'REQUEST.INVALID_CHARACTERS',
        'reason',
      ],
      [
        'a reason of 257 characters',
        () => refund(paid.id, { amount: cny(100), reason: '退'.repeat(257) }),
        400,
        'REFUND.INVALID_REASON',
        'reason',
      ],
      [
        'a bad merchantRefundNo',
        () => refund(paid.id, { amount: cny(100), merchantRefundNo: 'has space' }),
        400,
        'REFUND.INVALID_MERCHANT_REFUND_NO',
        'merchantRefundNo',
      ],
      [
        'an unknown field',
        () => refund(paid.id, { amount: cny(100), refundAll: true }),
        400,
        'REQUEST.VALIDATION_FAILED',
        'refundAll',
      ],
      [
        'no Idempotency-Key',
        () => refund(paid.id, { amount: cny(100) }, null),
        400,
        'IDEMPOTENCY.KEY_REQUIRED',
        'Idempotency-Key',
      ],
      [
        'an unknown payment',
        () => refund(newId('pay'), { amount: cny(100) }),
        404,
        'PAYMENT.NOT_FOUND',
        undefined,
      ],
      [
        "another merchant's payment",
        () => refund(othersPaid.id, { amount: cny(100) }),
        404,
        'PAYMENT.NOT_FOUND',
        undefined,
      ],
      [
        'an order that is not SUCCEEDED',
        () => refund(createdOnly.id, { amount: cny(100) }),
        409,
        'REFUND.PAYMENT_NOT_REFUNDABLE',
        undefined,
      ],
      [
        'a text/plain body',
        () => {
          const prepared = demo.prepare({
            method: 'POST',
            path: `/v1/payments/${paid.id}/refunds`,
            body: JSON.stringify({ amount: cny(100) }),
            idempotencyKey: randomUUID(),
          });
          return send({
            ...prepared,
            headers: { ...prepared.headers, 'content-type': 'text/plain' },
          });
        },
        415,
        'REQUEST.UNSUPPORTED_MEDIA_TYPE',
        'Content-Type',
      ],
      [
        'a form body',
        () => {
          const prepared = demo.prepare({
            method: 'POST',
            path: `/v1/payments/${paid.id}/refunds`,
            body: 'amount=100',
            idempotencyKey: randomUUID(),
          });
          return send({
            ...prepared,
            headers: { ...prepared.headers, 'content-type': 'application/x-www-form-urlencoded' },
          });
        },
        415,
        'REQUEST.UNSUPPORTED_MEDIA_TYPE',
        'Content-Type',
      ],
    ];

    it.each(cases)('%s', async (_name, attempt, status, code, param) => {
      const before = await snapshot();
      expectError(await attempt(), status, code, param);
      expect(await snapshot()).toEqual(before);
    });

    it("keeps refunds tenant-isolated: another merchant's refund and refund list are 404", async () => {
      const mine = (await refund(paid.id, { amount: cny(10) })).json as RefundView;
      expect((await getRefund(mine.id)).status).toBe(200);
      expectError(await getRefund(mine.id, other), 404, 'REFUND.NOT_FOUND');
      expectError(await getRefund(newId('ref')), 404, 'REFUND.NOT_FOUND');
      expectError(await listRefunds(paid.id, undefined, other), 404, 'PAYMENT.NOT_FOUND');
      expectError(
        await listRefunds(paid.id, { limit: '0' }),
        400,
        'REQUEST.VALIDATION_FAILED',
        'limit',
      );
      expectError(
        await refund(othersPaid.id, { amount: cny(10) }, randomUUID(), demo),
        404,
        'PAYMENT.NOT_FOUND',
      );
      expect((await refund(othersPaid.id, { amount: cny(10) }, randomUUID(), other)).status).toBe(
        201,
      );
    });
  });
});
