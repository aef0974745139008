import { generateKeyPairSync } from 'node:crypto';

import { join } from 'node:path';
import iconv from 'iconv-lite';
import { Client } from 'pg';
import { Topics } from '@paylab/contracts';
import { newId } from '@paylab/ids';
import { createKafka, readTopic } from '@paylab/messaging';
import { createLogger } from '@paylab/platform';
import { createDatabase, dropDatabase, ENV_VARIABLES, freePort, REPO_ROOT } from '@paylab/testing';
import { DEMO_ALIPAY_PLATFORM_PRIVATE_KEY } from '../../services/channel-sandbox/src/alipay/demo-keys';
import { signNotification } from '../../services/channel-sandbox/src/alipay/domain/openapi-signature';
import { localEnvOf } from '../../tools/local/env-files';
import {
  startServiceProcess,
  stopServiceProcess,
  assertReady,
  type ServiceProcess,
} from '../../tools/local/service-processes';
import { OPERATOR_TOKENS } from './support/operator-credentials';
import { asOperator } from './support/operator-credentials';

const infra = {
  databaseUrl: process.env[ENV_VARIABLES.databaseUrl]!,
  redisUrl: process.env[ENV_VARIABLES.redisUrl]!,
  kafkaBrokers: process.env[ENV_VARIABLES.kafkaBrokers]!,
};
/** The demo instructor credential the sandbox gets from deploy/env/common.env. */
const INSTRUCTOR_TOKEN: string = OPERATOR_TOKENS.instructor;
/** Long enough that a delivered callback always comes first; short enough for a test. */
const ACTIVE_QUERY_AFTER_MS = 3_000;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Transaction {
  id: string;
  paymentId: string;
  status: string;
  confirmedBy: string | null;
  channelTradeNo: string | null;
  paidAt: string | null;
  businessDate: string | null;
  amount: { amountMinor: number; currency: string };
}

/**
 * Acquiring and the channel sandbox as real processes on one fresh database: acquiring charges
 * through the official alipay-sdk, the sandbox calls acquiring's notify_url back, and the
 * instructor's faults (duplicate, dropped callbacks) show that a payment is booked exactly once.
 */
describe('acquiring ⇄ sandbox Alipay: charge, callback, active query, statement', () => {
  const databaseName = `paylab_acq_${Date.now().toString(36)}`;
  const stateDir = join(REPO_ROOT, '.cache', 'test', databaseName);
  let sandboxUrl: string;
  let acquiringUrl: string;
  const processes: ServiceProcess[] = [];
  let db: Client;
  const merchantId = newId('mch');
  /** Every payment that must have exactly one event on the topic at the end. */
  const paidPayments: string[] = [];

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
      CHANNEL_SANDBOX_URL: sandboxUrl,
      // The sandbox must be able to call us back: our own port, not the compose host name.
      PUBLIC_BASE_URL: acquiringUrl,
      ALIPAY_GATEWAY_URL: `${sandboxUrl}/alipay/gateway.do`,
      ACTIVE_QUERY_INTERVAL_MS: '250',
      ACTIVE_QUERY_AFTER_MS: String(ACTIVE_QUERY_AFTER_MS),
      OUTBOX_POLL_INTERVAL_MS: '100',
    });
  });

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
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let json: Json = {};
    try {
      json = JSON.parse(text) as Json;
    } catch {
      // not JSON
    }
    return { status: response.status, json, text, headers: response.headers };
  }

  const chargeBody = (overrides: Json = {}) => ({
    paymentId: newId('pay'),
    merchantId,
    channel: 'ALIPAY',
    amount: { amountMinor: 1234, currency: 'CNY' },
    subject: 'Oolong tea 乌龙茶',
    expiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
    ...overrides,
  });

  async function charge(overrides: Json = {}) {
    const body = chargeBody(overrides);
    const response = await call('POST', '/v1/charges', body);
    expect(response.status).toBe(201);
    return {
      body,
      result: response.json as { transactionId: string; channel: string; qrPayload: string },
    };
  }

  async function pay(qrPayload: string): Promise<Json> {
    const response = await fetch(`${qrPayload}/pay`, {
      method: 'POST',
      headers: { accept: 'application/json' },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as Json;
  }

  const transaction = async (id: string) =>
    (await call('GET', `/v1/transactions/${id}`)).json as Transaction;

  async function waitFor<T>(
    probe: () => Promise<T>,
    ok: (value: T) => boolean,
    timeoutMs = 15_000,
  ) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (ok(value)) return value;
      if (Date.now() > deadline)
        throw new Error(`condition not met in time; last: ${JSON.stringify(value)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  const eventsOf = async (paymentId: string) =>
    (
      await db.query<{ payload: Json; published_at: Date | null }>(
        `SELECT payload, published_at FROM acquiring.outbox_messages
         WHERE event_type = 'channel_payment.succeeded' AND message_key = $1`,
        [paymentId],
      )
    ).rows;

  const callbacksOf = async (paymentId: string) =>
    (
      await db.query<{
        verification: string;
        outcome: string;
        error_code: string | null;
        body: string;
      }>(
        `SELECT verification, outcome, error_code, body FROM acquiring.raw_callbacks
         WHERE out_trade_no = $1 ORDER BY id`,
        [paymentId],
      )
    ).rows;

  async function stageFault(kind: string): Promise<void> {
    const response = await fetch(`${sandboxUrl}/v1/faults`, {
      method: 'POST',
      headers: { authorization: `Bearer ${INSTRUCTOR_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'ALIPAY', kind, remaining: 1 }),
    });
    expect(response.status).toBe(201);
  }

  async function postCallback(fields: Record<string, string>) {
    const response = await fetch(`${acquiringUrl}/callbacks/alipay`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: new URLSearchParams(fields).toString(),
    });
    return { status: response.status, text: await response.text() };
  }

  // ---------------------------------------------------------------------------------------------

  it('charge → pay → callback: SUCCEEDED once, one event, the raw callback kept', async () => {
    const { body, result } = await charge();
    expect(result.transactionId).toMatch(/^txn_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(result.channel).toBe('ALIPAY');
    expect(result.qrPayload).toMatch(new RegExp(`^${sandboxUrl}/alipay/qr/[A-Za-z0-9_-]+$`));

    // The same payment again: the same transaction; a different amount: 409, nothing new.
    const again = await call('POST', '/v1/charges', body);
    expect(again.status).toBe(201);
    expect(again.json).toEqual(result);
    const conflict = await call('POST', '/v1/charges', {
      ...body,
      amount: { amountMinor: 999, currency: 'CNY' },
    });
    expect(conflict.status).toBe(409);
    expect(conflict.json.error).toMatchObject({
      type: 'conflict_error',
      code: 'CHARGE.CONFLICTING_REQUEST',
      param: 'amount',
    });
    const rows = await db.query(
      `SELECT 1 FROM acquiring.channel_transactions WHERE payment_id = $1`,
      [body.paymentId],
    );
    expect(rows.rowCount).toBe(1);
    expect(await transaction(result.transactionId)).toMatchObject({
      status: 'PENDING',
      paymentId: body.paymentId,
      confirmedBy: null,
      amount: { amountMinor: 1234, currency: 'CNY' },
    });

    const paid = await pay(result.qrPayload);
    const settled = await waitFor(
      () => transaction(result.transactionId),
      (txn) => txn.status === 'SUCCEEDED',
    );
    // gmt_payment is Shanghai time; stored as UTC.
    const paidAtUtc = new Date(`${paid.gmt_payment.replace(' ', 'T')}+08:00`).toISOString();
    expect(settled).toMatchObject({
      confirmedBy: 'CALLBACK',
      channelTradeNo: paid.trade_no,
      paidAt: paidAtUtc,
      businessDate: paid.gmt_payment.slice(0, 10),
    });
    paidPayments.push(body.paymentId);

    const events = await eventsOf(body.paymentId);
    expect(events).toHaveLength(1);
    expect(events[0].payload).toEqual({
      transactionId: result.transactionId,
      paymentId: body.paymentId,
      merchantId,
      channel: 'ALIPAY',
      // Charged without a channelAccountId: the channel's default account signed it.
      channelAccountId: 'cha_01M85DMB00EHTE541GQYE3T4TM',
      channelTradeNo: paid.trade_no,
      amount: { amountMinor: 1234, currency: 'CNY' },
      paidAt: paidAtUtc,
      businessDate: paid.gmt_payment.slice(0, 10),
      confirmedBy: 'CALLBACK',
    });
    const callbacks = await callbacksOf(body.paymentId);
    expect(callbacks).toHaveLength(1);
    expect(callbacks[0]).toMatchObject({ verification: 'VERIFIED', outcome: 'SETTLED' });
    expect(callbacks[0].body).toContain(`trade_no=${paid.trade_no}`);
    expect(callbacks[0].body).toContain('sign=');
    // The sandbox saw `success`: delivered, not retried.
    const delivered = await waitFor(
      async () =>
        (
          await db.query(`SELECT status FROM channel_sandbox.notifications WHERE trade_no = $1`, [
            paid.trade_no,
          ])
        ).rows,
      (list) => list.length === 1 && list[0].status === 'DELIVERED',
    );
    expect(delivered).toEqual([{ status: 'DELIVERED' }]);
  });

  it('DUPLICATE_CALLBACK: the second delivery is stored but has no effect', async () => {
    await stageFault('DUPLICATE_CALLBACK');
    const { body, result } = await charge();
    await pay(result.qrPayload);
    const callbacks = await waitFor(
      () => callbacksOf(body.paymentId),
      (list) => list.length === 2,
    );
    expect(callbacks.map((c) => [c.verification, c.outcome])).toEqual([
      ['VERIFIED', 'SETTLED'],
      ['VERIFIED', 'DUPLICATE'],
    ]);
    expect(await transaction(result.transactionId)).toMatchObject({
      status: 'SUCCEEDED',
      confirmedBy: 'CALLBACK',
    });
    expect(await eventsOf(body.paymentId)).toHaveLength(1);
    paidPayments.push(body.paymentId);
  });

  it('DROP_CALLBACK: active query finds the payment and settles it once', async () => {
    await stageFault('DROP_CALLBACK');
    const { body, result } = await charge();
    const paid = await pay(result.qrPayload);
    const settled = await waitFor(
      () => transaction(result.transactionId),
      (txn) => txn.status === 'SUCCEEDED',
      ACTIVE_QUERY_AFTER_MS + 15_000,
    );
    expect(settled).toMatchObject({ confirmedBy: 'ACTIVE_QUERY', channelTradeNo: paid.trade_no });
    expect(await callbacksOf(body.paymentId)).toEqual([]);
    const events = await eventsOf(body.paymentId);
    expect(events).toHaveLength(1);
    expect(events[0].payload.confirmedBy).toBe('ACTIVE_QUERY');
    // Querying again by hand changes nothing.
    const manual = await call('POST', `/v1/transactions/${result.transactionId}/query`);
    expect(manual.status).toBe(200);
    expect(manual.json).toMatchObject({ status: 'SUCCEEDED', confirmedBy: 'ACTIVE_QUERY' });
    expect(await eventsOf(body.paymentId)).toHaveLength(1);
    paidPayments.push(body.paymentId);
  });

  it('refuses forged callbacks with 400 fail, keeps them for audit, changes nothing', async () => {
    const { body, result } = await charge();
    const [genuine] = await db
      .query<{ body: string }>(
        `SELECT body FROM acquiring.raw_callbacks WHERE verification = 'VERIFIED' ORDER BY id LIMIT 1`,
      )
      .then((r) => r.rows);
    // A real notification, redirected to an unpaid payment: the signature no longer matches.
    const redirected: Record<string, string> = {
      ...Object.fromEntries(new URLSearchParams(genuine.body)),
      out_trade_no: body.paymentId,
    };
    // A notification signed with a key that is not Alipay's.
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const selfSigned = signNotification({ ...redirected, sign: '' }, privateKey);
    const unsigned = { ...redirected, sign: '' };
    for (const fields of [redirected, selfSigned, unsigned]) {
      expect(await postCallback(fields)).toEqual({ status: 400, text: 'fail' });
    }
    expect(await transaction(result.transactionId)).toMatchObject({ status: 'PENDING' });
    expect(await eventsOf(body.paymentId)).toEqual([]);
    const stored = await db.query(
      `SELECT verification, outcome, error_code FROM acquiring.raw_callbacks
       WHERE body LIKE '%' || $1 || '%' ORDER BY id`,
      [body.paymentId],
    );
    expect(stored.rows).toEqual(
      Array(3).fill({
        verification: 'REJECTED',
        outcome: 'REJECTED',
        error_code: 'CALLBACK.BAD_SIGNATURE',
      }),
    );

    // Correctly signed by the platform but for another amount: never booked, answered fail.
    const { sign: _sign, sign_type: _type, ...plain } = redirected;
    const wrongAmount = signNotification(
      { ...plain, total_amount: '0.01' },
      DEMO_ALIPAY_PLATFORM_PRIVATE_KEY,
    );
    expect(await postCallback(wrongAmount)).toEqual({ status: 409, text: 'fail' });
    expect(await transaction(result.transactionId)).toMatchObject({ status: 'PENDING' });
    expect(await eventsOf(body.paymentId)).toEqual([]);
    expect((await callbacksOf(body.paymentId)).map((c) => c.outcome)).toEqual(['MISMATCH']);
  });

  it('closes an expired, unpaid transaction at the channel', async () => {
    const { body, result } = await charge();
    // Time travel: the deadline has passed.
    await db.query(
      `UPDATE acquiring.channel_transactions SET expires_at = now() - interval '1 second' WHERE id = $1`,
      [result.transactionId],
    );
    const queried = await call('POST', `/v1/transactions/${result.transactionId}/query`);
    expect(queried.status).toBe(200);
    expect(queried.json).toMatchObject({ status: 'CLOSED', confirmedBy: null });
    const trade = await db.query(
      `SELECT status FROM channel_sandbox.trades WHERE out_trade_no = $1`,
      [body.paymentId],
    );
    expect(trade.rows).toEqual([{ status: 'TRADE_CLOSED' }]);
    // The payer is too late.
    const late = await fetch(`${result.qrPayload}/pay`, {
      method: 'POST',
      headers: { accept: 'application/json' },
    });
    expect(late.status).toBe(409);
    expect(await eventsOf(body.paymentId)).toEqual([]);
    // Cashier learns of it in the same database transaction as the status change.
    const closedEvents = await db.query<{ payload: Json }>(
      `SELECT payload FROM acquiring.outbox_messages
       WHERE event_type = 'channel_payment.closed' AND message_key = $1`,
      [body.paymentId],
    );
    expect(closedEvents.rows.map((row) => row.payload)).toEqual([
      expect.objectContaining({
        transactionId: result.transactionId,
        reason: 'EXPIRED',
        channelAccountId: 'cha_01M85DMB00EHTE541GQYE3T4TM',
      }),
    ]);
  });

  it('serves the channel statement (GBK 业务明细 CSV) with the paid trades', async () => {
    const [first] = await db
      .query<{ business_date: string; channel_trade_no: string; payment_id: string }>(
        `SELECT to_char(business_date, 'YYYY-MM-DD') AS business_date, channel_trade_no, payment_id
       FROM acquiring.channel_transactions WHERE status = 'SUCCEEDED' ORDER BY paid_at LIMIT 1`,
      )
      .then((r) => r.rows);
    const response = await fetch(`${acquiringUrl}/v1/statements/ALIPAY/${first.business_date}`, {
      headers: asOperator('viewer'),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-statement-format')).toBe('ALIPAY_CSV');
    expect(response.headers.get('content-type')).toMatch(/GBK/i);
    const bytes = Buffer.from(await response.arrayBuffer());
    const text = iconv.decode(bytes, 'gbk');
    expect(text.startsWith('#支付宝业务明细查询')).toBe(true);
    expect(text).toContain(`${first.channel_trade_no}\t,${first.payment_id}\t,交易`);
    // Raw bytes: GBK, not re-encoded to UTF-8.
    expect(bytes.toString('utf8')).not.toContain('支付宝业务明细查询');

    for (const [path, status, code] of [
      ['/v1/statements/ALIPAY/2026-02-30', 400, 'STATEMENT.INVALID_DATE'],
      ['/v1/statements/UNIONPAY/2026-01-14', 400, 'CHANNEL.UNSUPPORTED'],
      ['/v1/statements/ALIPAY/2999-01-01', 404, 'STATEMENT.NOT_FOUND'],
    ] as const) {
      const bad = await call('GET', path);
      expect({ path, status: bad.status, code: bad.json.error?.code }).toEqual({
        path,
        status,
        code,
      });
    }
  });

  it('refuses bad charges with the documented error shape and writes nothing', async () => {
    const cases: Array<[string, unknown, number, string, string | undefined]> = [
      ['malformed JSON', '{"paymentId":', 400, 'REQUEST.MALFORMED_JSON', undefined],
      [
        'no paymentId',
        chargeBody({ paymentId: undefined }),
        400,
        'REQUEST.VALIDATION_FAILED',
        'paymentId',
      ],
      [
        'wrong id kind',
        chargeBody({ paymentId: newId('txn') }),
        400,
        'REQUEST.VALIDATION_FAILED',
        'paymentId',
      ],
      [
        'unknown channel',
        chargeBody({ channel: 'PAYPAL' }),
        400,
        'REQUEST.VALIDATION_FAILED',
        'channel',
      ],
      [
        'unconnected channel',
        chargeBody({ channel: 'UNIONPAY' }),
        400,
        'CHANNEL.UNSUPPORTED',
        'channel',
      ],
      [
        'float amount',
        chargeBody({ amount: { amountMinor: 12.5, currency: 'CNY' } }),
        400,
        'REQUEST.VALIDATION_FAILED',
        'amount.amountMinor',
      ],
      [
        'zero amount',
        chargeBody({ amount: { amountMinor: 0, currency: 'CNY' } }),
        400,
        'CHARGE.INVALID_AMOUNT',
        'amount.amountMinor',
      ],
      [
        'USD',
        chargeBody({ amount: { amountMinor: 100, currency: 'USD' } }),
        400,
        'CHARGE.UNSUPPORTED_CURRENCY',
        'amount.currency',
      ],
      [
        'unknown currency',
        chargeBody({ amount: { amountMinor: 100, currency: 'XXX' } }),
        400,
        'CHARGE.UNSUPPORTED_CURRENCY',
        'amount.currency',
      ],
      [
        'over the channel limit',
        chargeBody({ amount: { amountMinor: 10_000_000_001, currency: 'CNY' } }),
        422,
        'CHANNEL.REJECTED',
        undefined,
      ],
      ['blank subject', chargeBody({ subject: '  ' }), 400, 'CHARGE.INVALID_SUBJECT', 'subject'],
      [
        'expired',
        chargeBody({ expiresAt: new Date(Date.now() - 1000).toISOString() }),
        400,
        'CHARGE.EXPIRES_TOO_SOON',
        'expiresAt',
      ],
      [
        'not a time',
        chargeBody({ expiresAt: 'tomorrow' }),
        400,
        'REQUEST.VALIDATION_FAILED',
        'expiresAt',
      ],
      ['unknown field', { ...chargeBody(), tip: 1 }, 400, 'REQUEST.VALIDATION_FAILED', 'tip'],
    ];
    const paymentIds: string[] = [];
    for (const [name, body, status, code, param] of cases) {
      if (typeof body === 'object' && body && typeof (body as Json).paymentId === 'string') {
        paymentIds.push((body as Json).paymentId as string);
      }
      const response = await call('POST', '/v1/charges', body);
      expect({
        name,
        status: response.status,
        code: response.json.error?.code,
        param: response.json.error?.param,
      }).toEqual({
        name,
        status,
        code,
        param,
      });
      expect(response.json.error.requestId).toMatch(/^req_/);
      expect(typeof response.json.error.message).toBe('string');
    }
    const written = await db.query(
      `SELECT 1 FROM acquiring.channel_transactions WHERE payment_id = ANY($1)`,
      [paymentIds],
    );
    expect(written.rowCount).toBe(0);
    const atChannel = await db.query(
      `SELECT 1 FROM channel_sandbox.trades WHERE out_trade_no = ANY($1)`,
      [paymentIds],
    );
    expect(atChannel.rowCount).toBe(0);

    const missing = await call('GET', `/v1/transactions/${newId('txn')}`);
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('TRANSACTION.NOT_FOUND');
  });

  it('relays exactly one ChannelPaymentSucceeded per paid payment to the topic', async () => {
    expect(paidPayments).toHaveLength(3);
    await waitFor(
      async () =>
        (
          await db.query(
            `SELECT count(*)::int AS pending FROM acquiring.outbox_messages WHERE published_at IS NULL`,
          )
        ).rows[0].pending as number,
      (pending) => pending === 0,
    );
    const kafka = createKafka({
      clientId: 'e2e-acquiring',
      brokers: infra.kafkaBrokers.split(','),
      logger: createLogger('e2e-acquiring', 'warn'),
    });
    const messages = await readTopic(kafka, Topics.channelPayments.name, {
      minMessages: paidPayments.length,
      timeoutMs: 10_000,
    });
    for (const paymentId of paidPayments) {
      const mine = messages.filter((message) => message.key === paymentId);
      expect({ paymentId, count: mine.length }).toEqual({ paymentId, count: 1 });
      expect(mine[0].headers['paylab-event-type']).toBe('channel_payment.succeeded');
    }
  });
});
