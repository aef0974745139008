import { OPERATOR_TOKENS } from './support/operator-credentials';
import { randomBytes } from 'node:crypto';

import { join } from 'node:path';
import { Client } from 'pg';
import { RefundRequested } from '@paylab/contracts';
import { newId } from '@paylab/ids';
import { createKafka, publishEvent } from '@paylab/messaging';
import { createLogger } from '@paylab/platform';
import { createDatabase, dropDatabase, ENV_VARIABLES, freePort, REPO_ROOT } from '@paylab/testing';
import { localEnvOf } from '../../tools/local/env-files';
import {
  startServiceProcess,
  stopServiceProcess,
  assertReady,
  type ServiceProcess,
} from '../../tools/local/service-processes';
import { asOperator } from './support/operator-credentials';

const infra = {
  databaseUrl: process.env[ENV_VARIABLES.databaseUrl]!,
  redisUrl: process.env[ENV_VARIABLES.redisUrl]!,
  kafkaBrokers: process.env[ENV_VARIABLES.kafkaBrokers]!,
};
/** The sandbox's fault API takes the demo instructor credential (deploy/env/common.env). */
const INSTRUCTOR_TOKEN: string = OPERATOR_TOKENS.instructor;
/** Long enough that a delivered WeChat refund notification (≈1 s) comes first. */
const REFUND_QUERY_AFTER_MS = 5_000;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Channel = 'ALIPAY' | 'WECHAT_PAY';

interface PaidCharge {
  paymentId: string;
  transactionId: string;
  channel: Channel;
  channelTradeNo: string;
  amountMinor: number;
}

/**
 * Refunds end to end between acquiring and the channel sandbox as real processes: the test
 * plays cashier and publishes RefundRequested to Kafka; acquiring refunds at the sandbox through
 * alipay-sdk / wechatpay-axios-plugin and answers ChannelRefundSucceeded / ChannelRefundFailed
 * through its outbox, exactly once — by the synchronous answer, the notification or, when the
 * notification is dropped, by active query.
 */
describe('acquiring ⇄ sandbox refunds', () => {
  const databaseName = `paylab_acqref_${Date.now().toString(36)}`;
  const stateDir = join(REPO_ROOT, '.cache', 'test', databaseName);
  const consumerGroup = `acquiring-e2e-refunds-${randomBytes(4).toString('hex')}`;
  let sandboxUrl: string;
  let acquiringUrl: string;
  const processes: ServiceProcess[] = [];
  let db: Client;
  let kafka: ReturnType<typeof createKafka>;
  const merchantId = newId('mch');

  async function start(name: 'channel-sandbox' | 'acquiring', env: Record<string, string>) {
    const service = startServiceProcess(name, { env: localEnvOf(name, env), stateDir });
    processes.push(service);
    await assertReady(service);
  }

  beforeAll(async () => {
    const databaseUrl = await createDatabase(infra.databaseUrl, databaseName);
    db = new Client({ connectionString: databaseUrl });
    await db.connect();
    const [sandboxPort, acquiringPort] = [await freePort(), await freePort()];
    sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
    acquiringUrl = `http://127.0.0.1:${acquiringPort}`;
    await start('channel-sandbox', {
      HTTP_PORT: String(sandboxPort),
      DATABASE_URL: databaseUrl,
      PUBLIC_BASE_URL: sandboxUrl,
      API_BASE_URL: sandboxUrl,
      CALLBACK_TIME_SCALE: '0.0005',
      CALLBACK_POLL_INTERVAL_MS: '50',
    });
    await start('acquiring', {
      HTTP_PORT: String(acquiringPort),
      DATABASE_URL: databaseUrl,
      REDIS_URL: infra.redisUrl,
      KAFKA_BROKERS: infra.kafkaBrokers,
      // Its own group: the shared broker may run other acquiring instances.
      KAFKA_CONSUMER_GROUP: consumerGroup,
      CHANNEL_SANDBOX_URL: sandboxUrl,
      PUBLIC_BASE_URL: acquiringUrl,
      ALIPAY_GATEWAY_URL: `${sandboxUrl}/alipay/gateway.do`,
      WECHATPAY_BASE_URL: `${sandboxUrl}/wechatpay/`,
      ACTIVE_QUERY_INTERVAL_MS: '250',
      ACTIVE_QUERY_AFTER_MS: '3000',
      REFUND_WORKER_INTERVAL_MS: '200',
      REFUND_QUERY_AFTER_MS: String(REFUND_QUERY_AFTER_MS),
      REFUND_RETRY_BASE_MS: '500',
      REFUND_RETRY_MAX_MS: '2000',
      OUTBOX_POLL_INTERVAL_MS: '100',
    });
    kafka = createKafka({
      clientId: 'e2e-acquiring-refunds',
      brokers: infra.kafkaBrokers.split(','),
      logger: createLogger('e2e-acquiring-refunds', 'warn'),
    });
    // A brand-new group starts at the latest offset once it has its partitions: publish a probe
    // until acquiring records it, so no test's request can land before that.
    const probe = refundFor(
      {
        paymentId: newId('pay'),
        transactionId: newId('txn'),
        channel: 'ALIPAY',
        channelTradeNo: 'none',
        amountMinor: 1,
      },
      1,
    );
    await waitFor(
      async () => {
        await publishEvent(kafka, RefundRequested, probe, { producer: 'e2e-cashier' });
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        return (await refundRow(probe.refundId))?.status;
      },
      (status) => status === 'FAILED',
      60_000,
    );
  }, 180_000);

  afterAll(async () => {
    for (const service of processes.reverse()) await stopServiceProcess(service.pid);
    await db?.end();
    await dropDatabase(infra.databaseUrl, databaseName);
  });

  // ---------------------------------------------------------------------------------------------
  // Helpers

  async function call(method: string, path: string, body?: unknown) {
    const response = await fetch(`${acquiringUrl}${path}`, {
      method,
      headers: {
        ...asOperator('operator'),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let json: Json = {};
    try {
      json = JSON.parse(text) as Json;
    } catch {
      // not JSON
    }
    return { status: response.status, json };
  }

  async function waitFor<T>(
    probe: () => Promise<T>,
    ok: (value: T) => boolean,
    timeoutMs = 20_000,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (ok(value)) return value;
      if (Date.now() > deadline) {
        throw new Error(`condition not met in time; last: ${JSON.stringify(value)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }

  /** Charges at the channel, pays on the sandbox page, waits until acquiring has it SUCCEEDED. */
  async function paidCharge(channel: Channel, amountMinor = 1000): Promise<PaidCharge> {
    const paymentId = newId('pay');
    const charged = await call('POST', '/v1/charges', {
      paymentId,
      merchantId,
      channel,
      amount: { amountMinor, currency: 'CNY' },
      subject: 'Pu-erh tea 普洱茶',
      expiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
    });
    expect(charged.status).toBe(201);
    const paid = await fetch(`${charged.json.qrPayload}/pay`, {
      method: 'POST',
      headers: { accept: 'application/json' },
    });
    expect(paid.status).toBe(200);
    const txn = await waitFor(
      async () => (await call('GET', `/v1/transactions/${charged.json.transactionId}`)).json,
      (view) => view.status === 'SUCCEEDED',
    );
    return {
      paymentId,
      transactionId: txn.id,
      channel,
      channelTradeNo: txn.channelTradeNo,
      amountMinor,
    };
  }

  function refundFor(charge: PaidCharge, amountMinor: number) {
    return RefundRequested.schema.parse({
      refundId: newId('ref'),
      paymentId: charge.paymentId,
      merchantId,
      transactionId: charge.transactionId,
      kind: 'MERCHANT_REFUND',
      channel: charge.channel,
      amount: { amountMinor, currency: 'CNY' },
      paymentAmount: { amountMinor: charge.amountMinor, currency: 'CNY' },
      reason: 'customer returned the tea',
      requestedAt: new Date().toISOString(),
    });
  }

  /** Publishes as cashier's outbox relay would. */
  async function requestRefund(payload: Json, messageId = newId('evt')): Promise<string> {
    return publishEvent(kafka, RefundRequested, payload, { messageId, producer: 'e2e-cashier' });
  }

  const refundRow = async (refundId: string) =>
    (
      await db.query<Json>(`SELECT * FROM acquiring.channel_refunds WHERE refund_id = $1`, [
        refundId,
      ])
    ).rows[0] as Json | undefined;

  const settled = (refundId: string, timeoutMs = 20_000) =>
    waitFor(
      async () => (await call('GET', `/v1/refunds/${refundId}`)).json,
      (view) => view.status === 'SUCCEEDED' || view.status === 'FAILED',
      timeoutMs,
    );

  const eventsOf = async (refundId: string) =>
    (
      await db.query<{ event_type: string; payload: Json }>(
        `SELECT event_type, payload FROM acquiring.outbox_messages
         WHERE event_type LIKE 'channel_refund.%' AND payload->>'refundId' = $1`,
        [refundId],
      )
    ).rows;

  const sandboxRefundsOf = async (refundId: string) =>
    (
      await db.query<Json>(
        `SELECT refund_no, amount_minor, outcome FROM channel_sandbox.refunds WHERE out_refund_no = $1`,
        [refundId],
      )
    ).rows;

  async function stageFault(channel: Channel, kind: string, params?: Json): Promise<void> {
    const response = await fetch(`${sandboxUrl}/v1/faults`, {
      method: 'POST',
      headers: { authorization: `Bearer ${INSTRUCTOR_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel, kind, params, remaining: 1 }),
    });
    expect(response.status).toBe(201);
  }

  // ---------------------------------------------------------------------------------------------

  it('Alipay: succeeds synchronously → one ChannelRefundSucceeded (SYNC_RESPONSE); a repeat refunds nothing more', async () => {
    const charge = await paidCharge('ALIPAY', 1000);
    const request = refundFor(charge, 300);
    await requestRefund(request);
    const view = await settled(request.refundId);
    expect(view).toMatchObject({
      status: 'SUCCEEDED',
      confirmedBy: 'SYNC_RESPONSE',
      channelTradeNo: charge.channelTradeNo,
      channelRefundNo: `${charge.channelTradeNo}_${request.refundId}`,
      amount: { amountMinor: 300, currency: 'CNY' },
    });
    const events = await eventsOf(request.refundId);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      event_type: 'channel_refund.succeeded',
      payload: {
        refundId: request.refundId,
        paymentId: charge.paymentId,
        transactionId: charge.transactionId,
        kind: 'MERCHANT_REFUND',
        channel: 'ALIPAY',
        amount: { amountMinor: 300, currency: 'CNY' },
        channelTradeNo: charge.channelTradeNo,
        confirmedBy: 'SYNC_RESPONSE',
        refundedAt: view.refundedAt,
        businessDate: view.businessDate,
      },
    });

    // The same RefundRequested again, as a new message (cashier's relay re-sent it): no second
    // channel refund, no second event.
    const again = await requestRefund(request);
    await waitFor(
      async () =>
        (await db.query(`SELECT 1 FROM acquiring.inbox_messages WHERE message_id = $1`, [again]))
          .rowCount,
      (n) => n === 1,
    );
    expect(await sandboxRefundsOf(request.refundId)).toHaveLength(1);
    expect(await eventsOf(request.refundId)).toHaveLength(1);
  });

  it('a refund exceeding the transaction → ChannelRefundFailed, nothing sent to the channel', async () => {
    const charge = await paidCharge('ALIPAY', 500);
    const first = refundFor(charge, 400);
    await requestRefund(first);
    expect(await settled(first.refundId)).toMatchObject({ status: 'SUCCEEDED' });
    const over = refundFor(charge, 101);
    await requestRefund(over);
    const view = await settled(over.refundId);
    expect(view).toMatchObject({
      status: 'FAILED',
      failureCode: 'REFUND.EXCEEDS_TRANSACTION_AMOUNT',
      attempts: 0,
    });
    expect(await sandboxRefundsOf(over.refundId)).toEqual([]);
    const events = await eventsOf(over.refundId);
    expect(events.map((event) => event.event_type)).toEqual(['channel_refund.failed']);
    expect(events[0].payload).toMatchObject({
      failureCode: 'REFUND.EXCEEDS_TRANSACTION_AMOUNT',
      amount: { amountMinor: 101, currency: 'CNY' },
    });
    // An unknown transaction is refused the same way, with its own code.
    const unknown = refundFor({ ...charge, transactionId: newId('txn') }, 1);
    await requestRefund(unknown);
    expect(await settled(unknown.refundId)).toMatchObject({
      status: 'FAILED',
      failureCode: 'REFUND.TRANSACTION_NOT_FOUND',
    });
  });

  it('Alipay REFUND_FAILS → ChannelRefundFailed with the channel reason', async () => {
    const charge = await paidCharge('ALIPAY', 800);
    await stageFault('ALIPAY', 'REFUND_FAILS');
    const request = refundFor(charge, 800);
    await requestRefund(request);
    expect(await settled(request.refundId)).toMatchObject({
      status: 'FAILED',
      failureCode: 'ACQ.SELLER_BALANCE_NOT_ENOUGH',
    });
    const events = await eventsOf(request.refundId);
    expect(events.map((event) => [event.event_type, event.payload.failureCode])).toEqual([
      ['channel_refund.failed', 'ACQ.SELLER_BALANCE_NOT_ENOUGH'],
    ]);
  });

  it('Alipay REFUND_RESULT_DELAYED → processing, then settled by active query', async () => {
    const charge = await paidCharge('ALIPAY', 900);
    await stageFault('ALIPAY', 'REFUND_RESULT_DELAYED', { delaySeconds: 3 });
    const request = refundFor(charge, 900);
    await requestRefund(request);
    const processing = await waitFor(
      async () => (await call('GET', `/v1/refunds/${request.refundId}`)).json,
      (view) => view.stage === 'QUERY',
    );
    expect(processing.status).toBe('PENDING');
    const view = await settled(request.refundId, 30_000);
    expect(view).toMatchObject({ status: 'SUCCEEDED', confirmedBy: 'ACTIVE_QUERY' });
    expect(await eventsOf(request.refundId)).toHaveLength(1);
    expect(await sandboxRefundsOf(request.refundId)).toHaveLength(1);
  });

  it('WeChat Pay: PROCESSING, then the REFUND.SUCCESS notification settles it (CALLBACK)', async () => {
    const charge = await paidCharge('WECHAT_PAY', 1000);
    const request = refundFor(charge, 250);
    await requestRefund(request);
    const view = await settled(request.refundId);
    const [channelRefund] = await sandboxRefundsOf(request.refundId);
    expect(view).toMatchObject({
      status: 'SUCCEEDED',
      confirmedBy: 'CALLBACK',
      channelRefundNo: channelRefund.refund_no,
      channelTradeNo: charge.channelTradeNo,
    });
    const callbacks = (
      await db.query<Json>(
        `SELECT verification, outcome, transaction_id, body FROM acquiring.raw_callbacks WHERE refund_id = $1`,
        [request.refundId],
      )
    ).rows;
    expect(callbacks).toHaveLength(1);
    expect(callbacks[0]).toMatchObject({
      verification: 'VERIFIED',
      outcome: 'SETTLED',
      transaction_id: charge.transactionId,
    });
    expect(callbacks[0].body).toContain('REFUND.SUCCESS');
    expect(await eventsOf(request.refundId)).toHaveLength(1);
  });

  it('WeChat Pay DROP_REFUND_NOTIFICATION → settled by active query (ACTIVE_QUERY)', async () => {
    const charge = await paidCharge('WECHAT_PAY', 1000);
    await stageFault('WECHAT_PAY', 'DROP_REFUND_NOTIFICATION');
    const request = refundFor(charge, 1000);
    await requestRefund(request);
    const view = await settled(request.refundId, REFUND_QUERY_AFTER_MS + 20_000);
    expect(view).toMatchObject({ status: 'SUCCEEDED', confirmedBy: 'ACTIVE_QUERY' });
    const events = await eventsOf(request.refundId);
    expect(events).toHaveLength(1);
    expect(events[0].payload.confirmedBy).toBe('ACTIVE_QUERY');
    expect(
      (
        await db.query(`SELECT 1 FROM acquiring.raw_callbacks WHERE refund_id = $1`, [
          request.refundId,
        ])
      ).rowCount,
    ).toBe(0);
  });

  it('WeChat Pay REFUND_FAILS → REFUND.ABNORMAL → ChannelRefundFailed; the amount is free again', async () => {
    const charge = await paidCharge('WECHAT_PAY', 600);
    await stageFault('WECHAT_PAY', 'REFUND_FAILS');
    const request = refundFor(charge, 600);
    await requestRefund(request);
    expect(await settled(request.refundId)).toMatchObject({
      status: 'FAILED',
      failureCode: 'REFUND.ABNORMAL',
    });
    const events = await eventsOf(request.refundId);
    expect(events.map((event) => [event.event_type, event.payload.failureCode])).toEqual([
      ['channel_refund.failed', 'REFUND.ABNORMAL'],
    ]);
    // A failed refund does not count against what is left.
    const retry = refundFor(charge, 600);
    await requestRefund(retry);
    expect(await settled(retry.refundId)).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('GET /v1/refunds/{id}: 404 for an unknown or malformed id', async () => {
    const unknown = await call('GET', `/v1/refunds/${newId('ref')}`);
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toMatchObject({ code: 'REFUND.NOT_FOUND' });
    expect((await call('GET', '/v1/refunds/not-an-id')).status).toBe(404);
  });
});
