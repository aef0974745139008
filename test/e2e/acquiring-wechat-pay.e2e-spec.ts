import { generateKeyPairSync, randomBytes } from 'node:crypto';

import { join } from 'node:path';
import { Client } from 'pg';
import { Topics } from '@paylab/contracts';
import { newId } from '@paylab/ids';
import { createKafka, readTopic } from '@paylab/messaging';
import { createLogger } from '@paylab/platform';
import { createDatabase, dropDatabase, ENV_VARIABLES, freePort, REPO_ROOT } from '@paylab/testing';
import {
  DEMO_WECHAT_PAY_APIV3_KEY,
  DEMO_WECHAT_PAY_APPID,
  DEMO_WECHAT_PAY_MCHID,
  DEMO_WECHAT_PAY_PLATFORM_PRIVATE_KEY,
  DEMO_WECHAT_PAY_PLATFORM_SERIAL,
} from '../../services/channel-sandbox/src/wechat-pay/demo-keys';
import { encryptResource } from '../../services/channel-sandbox/src/wechat-pay/domain/aes-gcm';
import { platformSignatureHeaders } from '../../services/channel-sandbox/src/wechat-pay/domain/v3-signature';
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
 * Acquiring and the channel sandbox as real processes on one fresh database, over WeChat Pay
 * API v3: acquiring orders through wechatpay-axios-plugin, the sandbox posts signed, encrypted
 * notifications to acquiring's notify_url, and the instructor's faults (duplicate, dropped
 * notifications) show that a payment is booked exactly once.
 */
describe('acquiring ⇄ sandbox WeChat Pay v3: charge, notification, active query, bill', () => {
  const databaseName = `paylab_acqwx_${Date.now().toString(36)}`;
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
      // Everything else (mchid, appid, serials, keys, APIv3 key) comes from deploy/env.
      WECHATPAY_BASE_URL: `${sandboxUrl}/wechatpay/`,
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
    channel: 'WECHAT_PAY',
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
      await db.query<{ payload: Json }>(
        `SELECT payload FROM acquiring.outbox_messages
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
        headers: Record<string, string>;
        notify_id: string | null;
      }>(
        `SELECT verification, outcome, error_code, body, headers, notify_id
         FROM acquiring.raw_callbacks WHERE channel = 'WECHAT_PAY' AND out_trade_no = $1 ORDER BY id`,
        [paymentId],
      )
    ).rows;

  const rejectedSince = async (id: number) =>
    (
      await db.query<{ verification: string; outcome: string; error_code: string }>(
        `SELECT verification, outcome, error_code FROM acquiring.raw_callbacks
         WHERE channel = 'WECHAT_PAY' AND id > $1 ORDER BY id`,
        [id],
      )
    ).rows;

  const lastCallbackId = async () =>
    Number(
      (await db.query(`SELECT coalesce(max(id), 0) AS id FROM acquiring.raw_callbacks`)).rows[0].id,
    );

  async function stageFault(kind: string): Promise<void> {
    const response = await fetch(`${sandboxUrl}/v1/faults`, {
      method: 'POST',
      headers: { authorization: `Bearer ${INSTRUCTOR_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'WECHAT_PAY', kind, remaining: 1 }),
    });
    expect(response.status).toBe(201);
  }

  /** A notification as the sandbox would build it; each part can be spoiled by the caller. */
  function notification(
    transactionJson: Json,
    options: {
      signingKey?: string;
      apiV3Key?: string;
      now?: Date;
      serial?: string;
    } = {},
  ): { headers: Record<string, string>; body: string } {
    const nonce = randomBytes(9).toString('base64url').slice(0, 12);
    const body = JSON.stringify({
      id: `forged-${randomBytes(6).toString('hex')}`,
      create_time: '2026-01-14T10:34:57+08:00',
      resource_type: 'encrypt-resource',
      event_type: 'TRANSACTION.SUCCESS',
      summary: '支付成功',
      resource: {
        original_type: 'transaction',
        algorithm: 'AEAD_AES_256_GCM',
        ciphertext: encryptResource(
          JSON.stringify(transactionJson),
          options.apiV3Key ?? DEMO_WECHAT_PAY_APIV3_KEY,
          nonce,
          'transaction',
        ),
        associated_data: 'transaction',
        nonce,
      },
    });
    return {
      headers: platformSignatureHeaders(
        body,
        options.signingKey ?? DEMO_WECHAT_PAY_PLATFORM_PRIVATE_KEY,
        options.serial ?? DEMO_WECHAT_PAY_PLATFORM_SERIAL,
        options.now,
      ),
      body,
    };
  }

  async function postCallback(headers: Record<string, string>, body: string) {
    const response = await fetch(`${acquiringUrl}/callbacks/wechat-pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
      body,
    });
    return { status: response.status, text: await response.text() };
  }

  const paidTransactionJson = (paymentId: string, total = 1234): Json => ({
    appid: DEMO_WECHAT_PAY_APPID,
    mchid: DEMO_WECHAT_PAY_MCHID,
    out_trade_no: paymentId,
    transaction_id: `4200000999${Date.now()}`.slice(0, 28).padEnd(28, '0'),
    trade_type: 'NATIVE',
    trade_state: 'SUCCESS',
    success_time: '2026-01-14T10:34:56+08:00',
    amount: { total, payer_total: total, currency: 'CNY' },
  });

  // ---------------------------------------------------------------------------------------------

  it('charge → pay → notification: SUCCEEDED once, one event, answered 204, kept with its signature', async () => {
    const { body, result } = await charge();
    expect(result.transactionId).toMatch(/^txn_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(result.channel).toBe('WECHAT_PAY');
    // The sandbox's code_url is its payer page (a real one is weixin://wxpay/bizpayurl?pr=…).
    expect(result.qrPayload).toMatch(new RegExp(`^${sandboxUrl}/wechatpay/qr/[A-Za-z0-9_-]+$`));

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
      code: 'CHARGE.CONFLICTING_REQUEST',
      param: 'amount',
    });
    // The order at the channel: our payment id as out_trade_no, amount in fen, a deadline.
    const atChannel = await db.query(
      `SELECT amount_minor::int AS fen, subject, notify_url, status FROM channel_sandbox.trades
       WHERE channel = 'WECHAT_PAY' AND out_trade_no = $1`,
      [body.paymentId],
    );
    expect(atChannel.rows).toEqual([
      {
        fen: 1234,
        subject: 'Oolong tea 乌龙茶',
        notify_url: `${acquiringUrl}/callbacks/wechat-pay`,
        status: 'WAIT_BUYER_PAY',
      },
    ]);
    expect(await transaction(result.transactionId)).toMatchObject({
      status: 'PENDING',
      confirmedBy: null,
    });

    const paid = await pay(result.qrPayload);
    const settled = await waitFor(
      () => transaction(result.transactionId),
      (txn) => txn.status === 'SUCCEEDED',
    );
    // success_time is RFC 3339 with +08:00; stored as UTC, business date in Shanghai.
    const paidAtUtc = new Date(paid.success_time as string).toISOString();
    expect(settled).toMatchObject({
      confirmedBy: 'CALLBACK',
      channelTradeNo: paid.transaction_id,
      paidAt: paidAtUtc,
      businessDate: (paid.success_time as string).slice(0, 10),
    });
    paidPayments.push(body.paymentId);

    const events = await eventsOf(body.paymentId);
    expect(events).toHaveLength(1);
    expect(events[0].payload).toEqual({
      transactionId: result.transactionId,
      paymentId: body.paymentId,
      merchantId,
      channel: 'WECHAT_PAY',
      // Charged without a channelAccountId: the channel's default account signed it.
      channelAccountId: 'cha_01M85DMB00EHTE541GQYE3T4TN',
      channelTradeNo: paid.transaction_id,
      amount: { amountMinor: 1234, currency: 'CNY' },
      paidAt: paidAtUtc,
      businessDate: (paid.success_time as string).slice(0, 10),
      confirmedBy: 'CALLBACK',
    });
    const callbacks = await callbacksOf(body.paymentId);
    expect(callbacks).toHaveLength(1);
    expect(callbacks[0]).toMatchObject({ verification: 'VERIFIED', outcome: 'SETTLED' });
    // Kept as received: the encrypted body and the signature headers needed to verify it again.
    expect(JSON.parse(callbacks[0].body).resource.algorithm).toBe('AEAD_AES_256_GCM');
    expect(callbacks[0].body).not.toContain(body.paymentId);
    expect(callbacks[0].notify_id).toBe(JSON.parse(callbacks[0].body).id);
    expect(Object.keys(callbacks[0].headers).sort()).toEqual([
      'wechatpay-nonce',
      'wechatpay-serial',
      'wechatpay-signature',
      'wechatpay-signature-type',
      'wechatpay-timestamp',
    ]);
    expect(callbacks[0].headers['wechatpay-serial']).toBe(DEMO_WECHAT_PAY_PLATFORM_SERIAL);
    // The sandbox saw an acknowledgement: delivered once, not retried.
    const delivered = await waitFor(
      async () =>
        (
          await db.query(
            `SELECT status, attempts, last_result FROM channel_sandbox.notifications WHERE trade_no = $1`,
            [paid.transaction_id],
          )
        ).rows,
      (list) => list.length === 1 && list[0].status === 'DELIVERED',
    );
    expect(delivered).toEqual([{ status: 'DELIVERED', attempts: 1, last_result: 'HTTP 204: ' }]);
  });

  it('DUPLICATE_CALLBACK: the second delivery is stored, answered 204, and has no effect', async () => {
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
    expect(callbacks[0].notify_id).toBe(callbacks[1].notify_id);
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
    expect(settled).toMatchObject({
      confirmedBy: 'ACTIVE_QUERY',
      channelTradeNo: paid.transaction_id,
      paidAt: new Date(paid.success_time as string).toISOString(),
    });
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

  it('refuses forged notifications with 400 FAIL, keeps them for audit, changes nothing', async () => {
    const { body, result } = await charge();
    const before = await lastCallbackId();
    const claim = paidTransactionJson(body.paymentId);
    const { privateKey: strangerKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const genuine = notification(claim);
    const forgeries: Array<[string, { headers: Record<string, string>; body: string }, string]> = [
      // Signed with a key that is not the platform's.
      [
        'foreign signer',
        notification(claim, { signingKey: strangerKey }),
        'CALLBACK.BAD_SIGNATURE',
      ],
      // A correctly signed body, changed by one character afterwards.
      [
        'altered body',
        { headers: genuine.headers, body: genuine.body.replace('支付成功', '支付成功 ') },
        'CALLBACK.BAD_SIGNATURE',
      ],
      // No signature headers at all.
      ['unsigned', { headers: {}, body: genuine.body }, 'CALLBACK.BAD_SIGNATURE'],
      [
        'unknown serial',
        notification(claim, { serial: 'ABCDEF0123456789' }),
        'CALLBACK.BAD_SIGNATURE',
      ],
      // Signed by the platform, but the resource was not encrypted with our APIv3 key.
      [
        'bad ciphertext',
        notification(claim, { apiV3Key: 'ThisIsNotTheApiV3KeyOfPayLab0000' }),
        'CALLBACK.UNDECRYPTABLE',
      ],
      // Genuinely signed, but ten minutes ago: a replay.
      ['stale', notification(claim, { now: new Date(Date.now() - 10 * 60_000) }), 'CALLBACK.STALE'],
    ];
    for (const [name, forged, code] of forgeries) {
      const answer = await postCallback(forged.headers, forged.body);
      expect({ name, status: answer.status, code: JSON.parse(answer.text).code }).toEqual({
        name,
        status: 400,
        code: 'FAIL',
      });
      expect(JSON.parse(answer.text).message).toContain(code);
    }
    expect(await transaction(result.transactionId)).toMatchObject({ status: 'PENDING' });
    expect(await eventsOf(body.paymentId)).toEqual([]);
    expect(await rejectedSince(before)).toEqual(
      forgeries.map(([, , code]) => ({
        verification: 'REJECTED',
        outcome: 'REJECTED',
        error_code: code,
      })),
    );

    // Signed and encrypted correctly, but for another amount: never booked, answered FAIL.
    const wrongAmount = notification(paidTransactionJson(body.paymentId, 1));
    const refused = await postCallback(wrongAmount.headers, wrongAmount.body);
    expect(refused.status).toBe(409);
    expect(JSON.parse(refused.text)).toMatchObject({ code: 'FAIL' });
    // For an order that is not ours (yet): 404 FAIL, so the channel tries again later.
    const unknown = notification(paidTransactionJson(newId('pay')));
    const notOurs = await postCallback(unknown.headers, unknown.body);
    expect(notOurs.status).toBe(404);
    expect(JSON.parse(notOurs.text)).toMatchObject({ code: 'FAIL' });
    expect(await transaction(result.transactionId)).toMatchObject({ status: 'PENDING' });
    expect(await eventsOf(body.paymentId)).toEqual([]);
    expect((await callbacksOf(body.paymentId)).map((c) => c.outcome)).toEqual(['MISMATCH']);
  });

  it('closes an expired, unpaid transaction at the channel', async () => {
    const { body, result } = await charge();
    await db.query(
      `UPDATE acquiring.channel_transactions SET expires_at = now() - interval '1 second' WHERE id = $1`,
      [result.transactionId],
    );
    const queried = await call('POST', `/v1/transactions/${result.transactionId}/query`);
    expect(queried.status).toBe(200);
    expect(queried.json).toMatchObject({ status: 'CLOSED', confirmedBy: null });
    const trade = await db.query(
      `SELECT status FROM channel_sandbox.trades WHERE channel = 'WECHAT_PAY' AND out_trade_no = $1`,
      [body.paymentId],
    );
    expect(trade.rows).toEqual([{ status: 'TRADE_CLOSED' }]);
    const late = await fetch(`${result.qrPayload}/pay`, {
      method: 'POST',
      headers: { accept: 'application/json' },
    });
    expect(late.status).toBe(409);
    expect(await eventsOf(body.paymentId)).toEqual([]);
  });

  it('serves the WeChat Pay trade bill (UTF-8 BOM, backtick fields) with the paid trades', async () => {
    const paid = (
      await db.query<{ business_date: string; channel_trade_no: string; payment_id: string }>(
        `SELECT to_char(business_date, 'YYYY-MM-DD') AS business_date, channel_trade_no, payment_id
         FROM acquiring.channel_transactions
         WHERE channel = 'WECHAT_PAY' AND status = 'SUCCEEDED' ORDER BY paid_at`,
      )
    ).rows;
    expect(paid).toHaveLength(3);
    const response = await fetch(
      `${acquiringUrl}/v1/statements/WECHAT_PAY/${paid[0].business_date}`,
      { headers: asOperator('viewer') },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('x-statement-format')).toBe('WECHAT_BILL');
    expect(response.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/i);
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="wechatpay_${paid[0].business_date.replaceAll('-', '')}_tradebill.csv"`,
    );
    const bytes = Buffer.from(await response.arrayBuffer());
    // Raw bytes, untouched: the BOM is still there.
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const text = bytes.toString('utf8');
    expect(text).toContain('交易时间,公众账号ID,商户号');
    for (const trade of paid.filter((p) => p.business_date === paid[0].business_date)) {
      expect(text).toContain(`\`${trade.channel_trade_no},\`${trade.payment_id},`);
    }

    for (const [path, status, code] of [
      ['/v1/statements/WECHAT_PAY/2026-02-30', 400, 'STATEMENT.INVALID_DATE'],
      ['/v1/statements/UNIONPAY/2026-01-14', 400, 'CHANNEL.UNSUPPORTED'],
      ['/v1/statements/WECHAT_PAY/2999-01-01', 404, 'STATEMENT.NOT_FOUND'],
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
      // The channel's own PARAM_ERROR (the sandbox caps amount.total at 1 000 000 000 fen).
      [
        'over the channel limit',
        chargeBody({ amount: { amountMinor: 1_000_000_001, currency: 'CNY' } }),
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
      }).toEqual({ name, status, code, param });
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
      clientId: 'e2e-acquiring-wechat',
      brokers: infra.kafkaBrokers.split(','),
      logger: createLogger('e2e-acquiring-wechat', 'warn'),
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
