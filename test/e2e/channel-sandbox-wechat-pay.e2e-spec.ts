import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import { Aes, Formatter, Rsa, Wechatpay } from 'wechatpay-axios-plugin';
import { createDatabase, dropDatabase, ENV_VARIABLES, freePort, REPO_ROOT } from '@paylab/testing';
import {
  DEMO_WECHAT_PAY_APIV3_KEY,
  DEMO_WECHAT_PAY_APPID,
  DEMO_WECHAT_PAY_MCHID,
  DEMO_WECHAT_PAY_MERCHANT_PRIVATE_KEY,
  DEMO_WECHAT_PAY_MERCHANT_SERIAL,
  DEMO_WECHAT_PAY_PLATFORM_PUBLIC_KEY,
  DEMO_WECHAT_PAY_PLATFORM_SERIAL,
} from '../../services/channel-sandbox/src/wechat-pay/demo-keys';
import { localEnvOf } from '../../tools/local/env-files';
import {
  startServiceProcess,
  stopServiceProcess,
  assertReady,
  type ServiceProcess,
} from '../../tools/local/service-processes';
import { OPERATOR_TOKENS } from './support/operator-credentials';

/** The demo instructor credential the sandbox gets from deploy/env/common.env. */
const INSTRUCTOR_TOKEN: string = OPERATOR_TOKENS.instructor;
const RFC3339_SHANGHAI = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/;

interface ReceivedNotification {
  headers: IncomingHttpHeaders;
  raw: string;
  verified: boolean;
  body: Record<string, unknown> & { resource: Record<string, string> };
  transaction: Record<string, unknown> & { out_trade_no: string };
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface HttpFailure {
  code?: string;
  response?: { status: number; data: unknown };
}

/**
 * The channel sandbox as the simulated WeChat Pay (API v3, Native), driven by
 * wechatpay-axios-plugin unchanged: only `baseURL` points at the sandbox. A local HTTP server
 * plays the merchant's notify_url and checks each notification as a merchant must: the
 * Wechatpay-Signature over the raw body with the platform key, then the AES-256-GCM resource.
 */
describe('channel-sandbox speaks WeChat Pay API v3 to the real wechatpay-axios-plugin', () => {
  const databaseName = `paylab_sbxwx_${Date.now().toString(36)}`;
  const stateDir = join(REPO_ROOT, '.cache', 'test', databaseName);
  const adminUrl = process.env[ENV_VARIABLES.databaseUrl]!;
  let baseUrl: string;
  let sandbox: ServiceProcess | undefined;
  let db: Client | undefined;
  let wxpay: Wechatpay;
  let receiver: Server | undefined;
  let notifyUrl: string;
  const received: ReceivedNotification[] = [];
  /** The HTTP status the receiver answers; tests change it to make the sandbox retry. */
  let answer = 204;

  const clientWith = (overrides: Record<string, unknown> = {}) =>
    new Wechatpay({
      mchid: DEMO_WECHAT_PAY_MCHID,
      serial: DEMO_WECHAT_PAY_MERCHANT_SERIAL,
      privateKey: DEMO_WECHAT_PAY_MERCHANT_PRIVATE_KEY,
      certs: { [DEMO_WECHAT_PAY_PLATFORM_SERIAL]: DEMO_WECHAT_PAY_PLATFORM_PUBLIC_KEY },
      baseURL: `${baseUrl}/wechatpay/`,
      ...overrides,
    });

  const verifyNotification = (headers: IncomingHttpHeaders, raw: string): boolean =>
    headers['wechatpay-serial'] === DEMO_WECHAT_PAY_PLATFORM_SERIAL &&
    Rsa.verify(
      Formatter.joinedByLineFeed(
        String(headers['wechatpay-timestamp']),
        String(headers['wechatpay-nonce']),
        raw,
      ),
      String(headers['wechatpay-signature']),
      DEMO_WECHAT_PAY_PLATFORM_PUBLIC_KEY,
    );

  beforeAll(async () => {
    const databaseUrl = await createDatabase(adminUrl, databaseName);
    db = new Client({ connectionString: databaseUrl });
    await db.connect();

    receiver = createServer((request, response) => {
      let raw = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (raw += chunk));
      request.on('end', () => {
        const body = JSON.parse(raw) as ReceivedNotification['body'];
        const { ciphertext, nonce, associated_data: aad } = body.resource;
        const transaction = JSON.parse(
          Aes.AesGcm.decrypt(ciphertext, DEMO_WECHAT_PAY_APIV3_KEY, nonce, aad) as string,
        ) as ReceivedNotification['transaction'];
        received.push({
          headers: request.headers,
          raw,
          verified: verifyNotification(request.headers, raw),
          body,
          transaction,
        });
        if (answer === 204) response.writeHead(204).end();
        else
          response
            .writeHead(answer, { 'content-type': 'application/json' })
            .end('{"code":"FAIL","message":"busy"}');
      });
    });
    await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
    notifyUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/wechatpay/notify`;

    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    sandbox = startServiceProcess('channel-sandbox', {
      env: localEnvOf('channel-sandbox', {
        HTTP_PORT: String(port),
        DATABASE_URL: databaseUrl,
        PUBLIC_BASE_URL: baseUrl,
        API_BASE_URL: baseUrl,
        CALLBACK_TIME_SCALE: '0.0005',
        CALLBACK_POLL_INTERVAL_MS: '50',
        LOG_LEVEL: 'info',
      }),
      stateDir,
    });
    await assertReady(sandbox);
    wxpay = clientWith();
  });

  afterAll(async () => {
    if (sandbox) await stopServiceProcess(sandbox.pid);
    await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(undefined)));
    await db?.end();
    await dropDatabase(adminUrl, databaseName);
  });

  // ---------------------------------------------------------------------------------------------
  // Helpers

  const newOrderNo = () => `e2e_${randomBytes(6).toString('hex')}`;

  const orderBody = (outTradeNo: string, total = 1234, extra: Json = {}) => ({
    appid: DEMO_WECHAT_PAY_APPID,
    mchid: DEMO_WECHAT_PAY_MCHID,
    description: 'Oolong tea 乌龙茶',
    out_trade_no: outTradeNo,
    notify_url: notifyUrl,
    amount: { total, currency: 'CNY' },
    ...extra,
  });

  async function native(outTradeNo: string, total = 1234): Promise<string> {
    const { status, data } = await wxpay.v3.pay.transactions.native.post(
      orderBody(outTradeNo, total),
    );
    expect(status).toBe(200);
    return (data as Json).code_url as string;
  }

  async function query(outTradeNo: string, client = wxpay): Promise<Json> {
    const { data } = await client.v3.pay.transactions.outTradeNo.$out_trade_no$.get({
      params: { mchid: DEMO_WECHAT_PAY_MCHID },
      out_trade_no: outTradeNo,
    } as Json);
    return data as Json;
  }

  async function pay(codeUrl: string): Promise<{ status: number; json: Json }> {
    const response = await fetch(`${codeUrl}/pay`, { method: 'POST' });
    return { status: response.status, json: (await response.json()) as Json };
  }

  /** The error a rejected plugin call carries (axios error: code, response.status, data). */
  async function failureOf(call: Promise<unknown>): Promise<HttpFailure> {
    try {
      await call;
    } catch (error) {
      return error as HttpFailure;
    }
    throw new Error('the call was expected to fail');
  }

  const notificationsOf = (outTradeNo: string) =>
    received.filter((notification) => notification.transaction.out_trade_no === outTradeNo);

  async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function stageFault(body: object): Promise<Response> {
    return fetch(`${baseUrl}/v1/faults`, {
      method: 'POST',
      headers: { authorization: `Bearer ${INSTRUCTOR_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  async function paidOrder(
    total = 1234,
  ): Promise<{ outTradeNo: string; transactionId: string; paidDate: string }> {
    const outTradeNo = newOrderNo();
    const paid = await pay(await native(outTradeNo, total));
    expect(paid.status).toBe(200);
    return {
      outTradeNo,
      transactionId: paid.json.transaction_id as string,
      paidDate: (paid.json.success_time as string).slice(0, 10),
    };
  }

  const tradeCount = async (outTradeNo: string) =>
    (await db!.query(`SELECT 1 FROM channel_sandbox.trades WHERE out_trade_no = $1`, [outTradeNo]))
      .rowCount;

  // ---------------------------------------------------------------------------------------------

  it('native → NOTPAY → pay → verified, decryptable notification answered 204 → SUCCESS', async () => {
    const outTradeNo = newOrderNo();
    const codeUrl = await native(outTradeNo);
    expect(codeUrl).toMatch(new RegExp(`^${baseUrl}/wechatpay/qr/[A-Za-z0-9_-]+$`));

    const waiting = await query(outTradeNo);
    expect(waiting).toMatchObject({
      appid: DEMO_WECHAT_PAY_APPID,
      mchid: DEMO_WECHAT_PAY_MCHID,
      out_trade_no: outTradeNo,
      trade_type: 'NATIVE',
      trade_state: 'NOTPAY',
      amount: { total: 1234, currency: 'CNY' },
    });
    expect(waiting.transaction_id).toBeUndefined();
    expect(waiting.success_time).toBeUndefined();

    const page = await fetch(codeUrl);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('¥12.34');
    expect(html).toContain('Oolong tea 乌龙茶');

    const paid = await pay(codeUrl);
    expect(paid.status).toBe(200);
    expect(paid.json.transaction_id).toMatch(/^4200000\d{21}$/);
    expect(paid.json.trade_state).toBe('SUCCESS');

    const success = await query(outTradeNo);
    expect(success).toMatchObject({
      out_trade_no: outTradeNo,
      transaction_id: paid.json.transaction_id,
      trade_state: 'SUCCESS',
      amount: { total: 1234, payer_total: 1234, currency: 'CNY' },
    });
    expect(success.success_time).toMatch(RFC3339_SHANGHAI);
    const { data: byId } = await wxpay.v3.pay.transactions.id.$transaction_id$.get({
      params: { mchid: DEMO_WECHAT_PAY_MCHID },
      transaction_id: paid.json.transaction_id,
    } as Json);
    expect(byId).toMatchObject({ out_trade_no: outTradeNo, trade_state: 'SUCCESS' });

    await waitFor(() => notificationsOf(outTradeNo).length === 1);
    const [notification] = notificationsOf(outTradeNo);
    expect(notification.verified).toBe(true);
    expect(notification.body).toMatchObject({
      event_type: 'TRANSACTION.SUCCESS',
      resource_type: 'encrypt-resource',
      resource: {
        original_type: 'transaction',
        algorithm: 'AEAD_AES_256_GCM',
        associated_data: 'transaction',
      },
    });
    expect(notification.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(notification.body.create_time).toMatch(RFC3339_SHANGHAI);
    expect(notification.transaction).toEqual(success);
    // A tampered body must not verify (the check above can fail).
    const tampered = notification.raw.replace('"支付成功"', '"支付失败"');
    expect(tampered).not.toBe(notification.raw);
    expect(verifyNotification(notification.headers, tampered)).toBe(false);

    // Answered 204: delivered once, no retry.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(notificationsOf(outTradeNo)).toHaveLength(1);
    const row = await db!.query(
      `SELECT status, attempts FROM channel_sandbox.notifications WHERE trade_no = $1`,
      [paid.json.transaction_id],
    );
    expect(row.rows).toEqual([{ status: 'DELIVERED', attempts: 1 }]);

    const again = await fetch(`${codeUrl}/pay`, { method: 'POST' });
    expect(again.status).toBe(409);
  });

  it('re-sends the notification on the (scaled) schedule until the receiver answers 200/204', async () => {
    answer = 500;
    try {
      const { outTradeNo } = await paidOrder(1);
      await waitFor(() => notificationsOf(outTradeNo).length >= 3);
      answer = 204;
      await waitFor(() => notificationsOf(outTradeNo).length >= 4);
      const notifications = notificationsOf(outTradeNo);
      expect(new Set(notifications.map((n) => n.body.id)).size).toBe(1);
      expect(notifications.every((n) => n.verified)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const row = await db!.query<{ status: string; attempts: number }>(
        `SELECT n.status, n.attempts FROM channel_sandbox.notifications n
         JOIN channel_sandbox.trades t USING (trade_no) WHERE t.out_trade_no = $1`,
        [outTradeNo],
      );
      expect(row.rows).toEqual([
        { status: 'DELIVERED', attempts: notificationsOf(outTradeNo).length },
      ]);
    } finally {
      answer = 204;
    }
  });

  it('answers 401 SIGN_ERROR to a bad Authorization, creating nothing', async () => {
    const impostor = clientWith({
      privateKey: generateKeyPairSync('rsa', {
        modulusLength: 2048,
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
        publicKeyEncoding: { type: 'spki', format: 'pem' },
      }).privateKey,
    });
    const outTradeNo = newOrderNo();
    const failure = await failureOf(
      impostor.v3.pay.transactions.native.post(orderBody(outTradeNo)),
    );
    expect(failure.response?.status).toBe(401);
    expect(failure.response?.data).toMatchObject({ code: 'SIGN_ERROR' });
    expect(await tradeCount(outTradeNo)).toBe(0);

    const wrongSerial = await failureOf(query(outTradeNo, clientWith({ serial: 'ABCDEF' })));
    expect(wrongSerial.response?.status).toBe(401);
    const unsigned = await fetch(`${baseUrl}/wechatpay/v3/pay/transactions/native`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(orderBody(outTradeNo)),
    });
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toMatchObject({ code: 'SIGN_ERROR' });
    // Error answers are signed too: the plugin checks a 401 only for its status, so check here.
    expect(unsigned.headers.get('wechatpay-serial')).toBe(DEMO_WECHAT_PAY_PLATFORM_SERIAL);
    expect(await tradeCount(outTradeNo)).toBe(0);
  });

  it('signs every answer: a client trusting another platform key refuses it', async () => {
    const stranger = clientWith({
      certs: {
        [DEMO_WECHAT_PAY_PLATFORM_SERIAL]: generateKeyPairSync('rsa', {
          modulusLength: 2048,
          publicKeyEncoding: { type: 'spki', format: 'pem' },
          privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
        }).publicKey,
      },
    });
    const outTradeNo = newOrderNo();
    await native(outTradeNo);
    const failure = await failureOf(query(outTradeNo, stranger));
    expect(failure.code).toBe('EV3_RES_HEADER_SIGNATURE_DIGEST');
  });

  it('answers 404 ORDER_NOT_EXIST for an unknown order, on query and close', async () => {
    const queried = await failureOf(query('no_such_order'));
    expect(queried.response?.status).toBe(404);
    expect(queried.response?.data).toMatchObject({ code: 'ORDER_NOT_EXIST' });
    const closed = await failureOf(
      wxpay.v3.pay.transactions.outTradeNo.$out_trade_no$.close.post(
        { mchid: DEMO_WECHAT_PAY_MCHID },
        { out_trade_no: 'no_such_order' } as Json,
      ),
    );
    expect(closed.response?.status).toBe(404);
    expect(closed.response?.data).toMatchObject({ code: 'ORDER_NOT_EXIST' });
  });

  it('refuses bad orders with 400 PARAM_ERROR creating nothing, and replays an identical one', async () => {
    const outTradeNo = newOrderNo();
    for (const body of [
      orderBody(outTradeNo, 0),
      { ...orderBody(outTradeNo), amount: { total: 12.34, currency: 'CNY' } },
      { ...orderBody(outTradeNo), description: undefined },
      { ...orderBody(outTradeNo), out_trade_no: 'bad no!' },
      { ...orderBody(outTradeNo), mchid: '1900000002' },
    ]) {
      const failure = await failureOf(wxpay.v3.pay.transactions.native.post(body));
      expect(failure.response?.status).toBe(400);
      expect(failure.response?.data).toMatchObject({ code: 'PARAM_ERROR' });
    }
    const wrongApp = await failureOf(
      wxpay.v3.pay.transactions.native.post({
        ...orderBody(outTradeNo),
        appid: 'wx0000000000000000',
      }),
    );
    expect(wrongApp.response?.data).toMatchObject({ code: 'APPID_MCHID_NOT_MATCH' });
    expect(await tradeCount(outTradeNo)).toBe(0);

    const first = await native(outTradeNo, 500);
    expect(await native(outTradeNo, 500)).toBe(first);
    const changed = await failureOf(
      wxpay.v3.pay.transactions.native.post(orderBody(outTradeNo, 600)),
    );
    expect(changed.response?.data).toMatchObject({ code: 'OUT_TRADE_NO_USED' });
    const noMchid = await failureOf(
      wxpay.v3.pay.transactions.outTradeNo.$out_trade_no$.get({ out_trade_no: outTradeNo } as Json),
    );
    expect(noMchid.response?.data).toMatchObject({ code: 'PARAM_ERROR' });
  });

  it('closes an unpaid order with a signed 204 the plugin accepts; it then cannot be paid', async () => {
    const outTradeNo = newOrderNo();
    const codeUrl = await native(outTradeNo);
    const close = () =>
      wxpay.v3.pay.transactions.outTradeNo.$out_trade_no$.close.post(
        { mchid: DEMO_WECHAT_PAY_MCHID },
        { out_trade_no: outTradeNo } as Json,
      );
    const closed = await close();
    expect(closed.status).toBe(204);
    expect((await close()).status).toBe(204);
    expect(await query(outTradeNo)).toMatchObject({ trade_state: 'CLOSED' });
    expect((await fetch(`${codeUrl}/pay`, { method: 'POST' })).status).toBe(409);

    const paid = await paidOrder();
    const refused = await failureOf(
      wxpay.v3.pay.transactions.outTradeNo.$out_trade_no$.close.post(
        { mchid: DEMO_WECHAT_PAY_MCHID },
        { out_trade_no: paid.outTradeNo } as Json,
      ),
    );
    expect(refused.response?.status).toBe(400);
    expect(refused.response?.data).toMatchObject({ code: 'ORDERPAID' });
  });

  it('DROP_CALLBACK (WECHAT_PAY): no notification, but the query shows SUCCESS; ALIPAY faults do not apply', async () => {
    expect((await stageFault({ channel: 'ALIPAY', kind: 'DUPLICATE_CALLBACK' })).status).toBe(201);
    const staged = await stageFault({ channel: 'WECHAT_PAY', kind: 'DROP_CALLBACK', remaining: 1 });
    expect(staged.status).toBe(201);
    const { outTradeNo } = await paidOrder();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(notificationsOf(outTradeNo)).toHaveLength(0);
    expect(await query(outTradeNo)).toMatchObject({ trade_state: 'SUCCESS' });
    // Used up: the next payment is notified again, once (the Alipay duplicate stays unused).
    const next = await paidOrder();
    await waitFor(() => notificationsOf(next.outTradeNo).length === 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(notificationsOf(next.outTradeNo)).toHaveLength(1);
  });

  it('the trade bill (UTF-8 BOM, backticks) lists paid orders, matches its SHA1, and honours OMIT_FROM_STATEMENT', async () => {
    const listed = await paidOrder(4321);
    expect((await stageFault({ channel: 'WECHAT_PAY', kind: 'OMIT_FROM_STATEMENT' })).status).toBe(
      201,
    );
    const omitted = await paidOrder();
    const unpaid = newOrderNo();
    await native(unpaid);

    const { data: bill } = await wxpay.v3.bill.tradebill.get({
      params: { bill_date: listed.paidDate, bill_type: 'ALL' },
    });
    expect(bill).toMatchObject({ hash_type: 'SHA1' });
    const downloadUrl = new URL((bill as Json).download_url as string);
    expect(`${downloadUrl.origin}${downloadUrl.pathname}`).toBe(
      `${baseUrl}/wechatpay/v3/billdownload/file`,
    );
    const { data: file } = await wxpay.v3.billdownload.file.get({
      params: { token: downloadUrl.searchParams.get('token') },
      responseType: 'arraybuffer',
    });
    const bytes = Buffer.from(file as ArrayBuffer);
    expect(createHash('sha1').update(bytes).digest('hex')).toBe((bill as Json).hash_value);
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const text = bytes.toString('utf8');
    expect(text).toContain('\r\n`');
    const { rows, summary } = Formatter.castCsvBill(bytes) as unknown as {
      rows: Json[];
      summary: Json;
    };
    const rowOf = (outTradeNo: string) => rows.find((row) => row['商户订单号'] === outTradeNo);
    expect(rowOf(listed.outTradeNo)).toMatchObject({
      公众账号ID: DEMO_WECHAT_PAY_APPID,
      商户号: DEMO_WECHAT_PAY_MCHID,
      微信订单号: listed.transactionId,
      交易类型: 'NATIVE',
      交易状态: 'SUCCESS',
      应结订单金额: '43.21',
      订单金额: '43.21',
    });
    expect(rowOf(omitted.outTradeNo)).toBeUndefined();
    expect(rowOf(unpaid)).toBeUndefined();
    expect(Number(summary['总交易单数'])).toBe(rows.length);

    const forged = await failureOf(
      wxpay.v3.billdownload.file.get({ params: { token: 'eyJhIjoiMSJ9.forged' } }),
    );
    expect(forged.response?.status).toBe(404);
    const future = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const tooEarly = await failureOf(
      wxpay.v3.bill.tradebill.get({ params: { bill_date: future, bill_type: 'ALL' } }),
    );
    expect(tooEarly.response?.status).toBe(400);
    const badType = await failureOf(
      wxpay.v3.bill.tradebill.get({ params: { bill_date: listed.paidDate, bill_type: 'NONE' } }),
    );
    expect(badType.response?.data).toMatchObject({ code: 'PARAM_ERROR' });
  });
});
