import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';

import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { AlipaySdk } from 'alipay-sdk';
import iconv from 'iconv-lite';
import { Client } from 'pg';
import { createDatabase, dropDatabase, ENV_VARIABLES, freePort, REPO_ROOT } from '@paylab/testing';
import {
  DEMO_ALIPAY_APP_ID,
  DEMO_ALIPAY_APP_PRIVATE_KEY,
  DEMO_ALIPAY_PLATFORM_PUBLIC_KEY,
} from '../../services/channel-sandbox/src/alipay/demo-keys';
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
const SHANGHAI_DATE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

interface ReceivedNotification {
  fields: Record<string, string>;
  verified: boolean;
}

type AnyResult = Record<string, string>;

/**
 * The channel sandbox as the simulated Alipay, driven by the official alipay-sdk unchanged:
 * only `gateway` points at the sandbox. A local HTTP server plays the merchant's notify_url.
 */
describe('channel-sandbox speaks the Alipay OpenAPI gateway to the real alipay-sdk', () => {
  const databaseName = `paylab_sbx_${Date.now().toString(36)}`;
  const stateDir = join(REPO_ROOT, '.cache', 'test', databaseName);
  const adminUrl = process.env[ENV_VARIABLES.databaseUrl]!;
  let baseUrl: string;
  let sandbox: ServiceProcess | undefined;
  let db: Client | undefined;
  let sdk: AlipaySdk;
  let receiver: Server | undefined;
  let notifyUrl: string;
  const received: ReceivedNotification[] = [];
  /** What the receiver answers; tests change it to make the sandbox retry. */
  let answer = 'success';

  beforeAll(async () => {
    const databaseUrl = await createDatabase(adminUrl, databaseName);
    db = new Client({ connectionString: databaseUrl });
    await db.connect();

    receiver = createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        const fields = Object.fromEntries(new URLSearchParams(body));
        received.push({ fields, verified: sdk.checkNotifySignV2(fields) });
        response.writeHead(200, { 'content-type': 'text/plain' }).end(answer);
      });
    });
    await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
    notifyUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alipay/notify`;

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
    sdk = new AlipaySdk({
      appId: DEMO_ALIPAY_APP_ID,
      privateKey: DEMO_ALIPAY_APP_PRIVATE_KEY,
      alipayPublicKey: DEMO_ALIPAY_PLATFORM_PUBLIC_KEY,
      gateway: `${baseUrl}/alipay/gateway.do`,
      signType: 'RSA2',
    });
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

  const exec = (method: string, bizContent: object, extra: object = {}) =>
    sdk.exec(method, { bizContent, ...extra }, { validateSign: true }) as Promise<AnyResult>;

  async function precreate(outTradeNo: string, totalAmount = '12.34'): Promise<AnyResult> {
    return exec(
      'alipay.trade.precreate',
      { outTradeNo, totalAmount, subject: 'Oolong tea 乌龙茶' },
      { notifyUrl },
    );
  }

  async function pay(qrCode: string): Promise<{ status: number; json: AnyResult }> {
    const response = await fetch(`${qrCode}/pay`, { method: 'POST' });
    return { status: response.status, json: (await response.json()) as AnyResult };
  }

  const notificationsOf = (outTradeNo: string) =>
    received.filter((notification) => notification.fields.out_trade_no === outTradeNo);

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

  async function downloadBill(billDate: string): Promise<string> {
    const result = await exec('alipay.data.dataservice.bill.downloadurl.query', {
      billType: 'trade',
      billDate,
    });
    expect(result.code).toBe('10000');
    const response = await fetch(result.billDownloadUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/GBK/i);
    return iconv.decode(Buffer.from(await response.arrayBuffer()), 'gbk');
  }

  const tradeRowsOf = (bill: string) =>
    bill
      .split('\r\n')
      .filter((line) => line !== '' && !line.startsWith('#'))
      .slice(1);

  async function paidTrade(): Promise<{ outTradeNo: string; tradeNo: string; paidDate: string }> {
    const outTradeNo = newOrderNo();
    const created = await precreate(outTradeNo);
    const paid = await pay(created.qrCode);
    expect(paid.status).toBe(200);
    return {
      outTradeNo,
      tradeNo: paid.json.trade_no,
      paidDate: paid.json.gmt_payment.slice(0, 10),
    };
  }

  // ---------------------------------------------------------------------------------------------

  it('precreate → WAIT_BUYER_PAY → pay → TRADE_SUCCESS, with a verified notification answered success', async () => {
    const outTradeNo = newOrderNo();
    const created = await precreate(outTradeNo);
    expect(created).toMatchObject({ code: '10000', msg: 'Success', outTradeNo });
    expect(created.qrCode).toMatch(new RegExp(`^${baseUrl}/alipay/qr/[A-Za-z0-9_-]+$`));

    const waiting = await exec('alipay.trade.query', { outTradeNo });
    expect(waiting).toMatchObject({
      code: '10000',
      outTradeNo,
      tradeStatus: 'WAIT_BUYER_PAY',
      totalAmount: '12.34',
    });
    expect(waiting.sendPayDate).toBeUndefined();

    const page = await fetch(created.qrCode);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('¥12.34');
    expect(html).toContain('Oolong tea 乌龙茶');

    const paid = await pay(created.qrCode);
    expect(paid.status).toBe(200);
    expect(paid.json.trade_no).toMatch(/^20\d{6}2200\d{16}$/);
    expect(paid.json.trade_status).toBe('TRADE_SUCCESS');

    const success = await exec('alipay.trade.query', { outTradeNo });
    expect(success).toMatchObject({
      code: '10000',
      tradeNo: paid.json.trade_no,
      outTradeNo,
      tradeStatus: 'TRADE_SUCCESS',
      totalAmount: '12.34',
      receiptAmount: '12.34',
    });
    expect(success.sendPayDate).toMatch(SHANGHAI_DATE_TIME);
    // By trade_no as well.
    expect(await exec('alipay.trade.query', { tradeNo: paid.json.trade_no })).toMatchObject({
      outTradeNo,
      tradeStatus: 'TRADE_SUCCESS',
    });

    await waitFor(() => notificationsOf(outTradeNo).length === 1);
    const [notification] = notificationsOf(outTradeNo);
    expect(notification.verified).toBe(true);
    expect(notification.fields).toMatchObject({
      notify_type: 'trade_status_sync',
      app_id: DEMO_ALIPAY_APP_ID,
      charset: 'utf-8',
      version: '1.0',
      sign_type: 'RSA2',
      trade_no: paid.json.trade_no,
      out_trade_no: outTradeNo,
      trade_status: 'TRADE_SUCCESS',
      total_amount: '12.34',
      receipt_amount: '12.34',
      gmt_payment: success.sendPayDate,
    });
    expect(notification.fields.notify_id).toMatch(/^[0-9a-f]{32}$/);
    // A tampered notification must not verify (the check above can fail).
    expect(sdk.checkNotifySignV2({ ...notification.fields, total_amount: '0.01' })).toBe(false);

    // Answered `success`: delivered once, no retry.
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(notificationsOf(outTradeNo)).toHaveLength(1);
    const row = await db!.query(
      `SELECT status, attempts FROM channel_sandbox.notifications WHERE trade_no = $1`,
      [paid.json.trade_no],
    );
    expect(row.rows).toEqual([{ status: 'DELIVERED', attempts: 1 }]);

    // Paying twice is refused and changes nothing.
    const again = await fetch(`${created.qrCode}/pay`, { method: 'POST' });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe(
      'TRADE.ALREADY_PAID',
    );
  });

  it('re-sends the notification on the (scaled) schedule until the receiver answers success', async () => {
    answer = 'fail';
    try {
      const outTradeNo = newOrderNo();
      const created = await precreate(outTradeNo, '0.01');
      await pay(created.qrCode);
      // 1st at once, 2nd after 4 min × 0.0005 = 120 ms, 3rd after 300 ms.
      await waitFor(() => notificationsOf(outTradeNo).length >= 3);
      answer = 'success';
      await waitFor(() => notificationsOf(outTradeNo).length >= 4);
      const ids = new Set(notificationsOf(outTradeNo).map((n) => n.fields.notify_id));
      expect(ids.size).toBe(1);
      expect(notificationsOf(outTradeNo).every((n) => n.verified)).toBe(true);
      // Acknowledged: recorded as delivered after the 4+ attempts, and no further retry.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const attempts = notificationsOf(outTradeNo).length;
      const row = await db!.query<{ status: string; attempts: number }>(
        `SELECT n.status, n.attempts FROM channel_sandbox.notifications n
         JOIN channel_sandbox.trades t USING (trade_no) WHERE t.out_trade_no = $1`,
        [outTradeNo],
      );
      expect(row.rows).toEqual([{ status: 'DELIVERED', attempts }]);
    } finally {
      answer = 'success';
    }
  });

  it('rejects a request signed with the wrong key: signed response, code 40002 isv.invalid-signature, nothing created', async () => {
    const { privateKey } = await import('node:crypto').then((crypto) =>
      crypto.generateKeyPairSync('rsa', {
        modulusLength: 2048,
        privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
        publicKeyEncoding: { type: 'spki', format: 'pem' },
      }),
    );
    const impostor = new AlipaySdk({
      appId: DEMO_ALIPAY_APP_ID,
      privateKey,
      alipayPublicKey: DEMO_ALIPAY_PLATFORM_PUBLIC_KEY,
      gateway: `${baseUrl}/alipay/gateway.do`,
      signType: 'RSA2',
    });
    const outTradeNo = newOrderNo();
    const result = (await impostor.exec(
      'alipay.trade.precreate',
      { bizContent: { outTradeNo, totalAmount: '1.00', subject: 'x' }, notifyUrl },
      { validateSign: true },
    )) as AnyResult;
    expect(result).toMatchObject({ code: '40002', subCode: 'isv.invalid-signature' });
    expect(result.subMsg).toContain(`out_trade_no`);
    const rows = await db!.query(`SELECT 1 FROM channel_sandbox.trades WHERE out_trade_no = $1`, [
      outTradeNo,
    ]);
    expect(rows.rowCount).toBe(0);

    // An unknown app id, and a response whose signature does not match the platform key, fail too.
    const stranger = new AlipaySdk({
      appId: '2021000000009999',
      privateKey: DEMO_ALIPAY_APP_PRIVATE_KEY,
      alipayPublicKey: DEMO_ALIPAY_PLATFORM_PUBLIC_KEY,
      gateway: `${baseUrl}/alipay/gateway.do`,
    });
    const unknownApp = (await stranger.exec(
      'alipay.trade.query',
      { bizContent: { outTradeNo } },
      { validateSign: true },
    )) as AnyResult;
    expect(unknownApp).toMatchObject({ code: '40002', subCode: 'isv.invalid-app-id' });
    const wrongPlatformKey = new AlipaySdk({
      appId: DEMO_ALIPAY_APP_ID,
      privateKey: DEMO_ALIPAY_APP_PRIVATE_KEY,
      alipayPublicKey: (await import('node:crypto')).generateKeyPairSync('rsa', {
        modulusLength: 2048,
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      }).publicKey,
      gateway: `${baseUrl}/alipay/gateway.do`,
    });
    await expect(
      wrongPlatformKey.exec(
        'alipay.trade.query',
        { bizContent: { outTradeNo } },
        { validateSign: true },
      ),
    ).rejects.toThrow(/验签失败/);
  });

  it('answers ACQ.TRADE_NOT_EXIST (40004) for an unknown trade, on query and close', async () => {
    for (const method of ['alipay.trade.query', 'alipay.trade.close']) {
      const result = await exec(method, { outTradeNo: 'no_such_order' });
      expect(result).toMatchObject({
        code: '40004',
        msg: 'Business Failed',
        subCode: 'ACQ.TRADE_NOT_EXIST',
      });
    }
  });

  it('refuses bad precreates without creating anything, and replays an identical one', async () => {
    const outTradeNo = newOrderNo();
    for (const [biz, subCode] of [
      [{ outTradeNo, totalAmount: '1.001', subject: 'x' }, 'ACQ.INVALID_PARAMETER'],
      [{ outTradeNo, totalAmount: '0.00', subject: 'x' }, 'ACQ.INVALID_PARAMETER'],
      [{ outTradeNo, totalAmount: '1.00' }, 'ACQ.INVALID_PARAMETER'],
      [{ outTradeNo: 'bad no!', totalAmount: '1.00', subject: 'x' }, 'ACQ.INVALID_PARAMETER'],
      [{ outTradeNo, totalAmount: '100000000.01', subject: 'x' }, 'ACQ.TOTAL_FEE_EXCEED'],
    ] as const) {
      expect(await exec('alipay.trade.precreate', biz, { notifyUrl })).toMatchObject({
        code: '40004',
        subCode,
      });
    }
    const rows = await db!.query(`SELECT 1 FROM channel_sandbox.trades WHERE out_trade_no = $1`, [
      outTradeNo,
    ]);
    expect(rows.rowCount).toBe(0);

    const first = await precreate(outTradeNo, '5.00');
    const replay = await precreate(outTradeNo, '5.00');
    expect(replay.qrCode).toBe(first.qrCode);
    expect(await precreate(outTradeNo, '6.00')).toMatchObject({
      code: '40004',
      subCode: 'ACQ.CONTEXT_INCONSISTENT',
    });
  });

  it('closes an unpaid trade, which then cannot be paid', async () => {
    const outTradeNo = newOrderNo();
    const created = await precreate(outTradeNo);
    expect(await exec('alipay.trade.close', { outTradeNo })).toMatchObject({
      code: '10000',
      outTradeNo,
    });
    expect(await exec('alipay.trade.query', { outTradeNo })).toMatchObject({
      tradeStatus: 'TRADE_CLOSED',
    });
    const paid = await fetch(`${created.qrCode}/pay`, { method: 'POST' });
    expect(paid.status).toBe(409);
    expect(await precreate(outTradeNo)).toMatchObject({
      code: '40004',
      subCode: 'ACQ.TRADE_HAS_CLOSE',
    });
  });

  it('protects the instructor API and validates faults', async () => {
    const noToken = await fetch(`${baseUrl}/v1/faults`);
    expect(noToken.status).toBe(401);
    const wrong = await fetch(`${baseUrl}/v1/faults`, {
      headers: { authorization: 'Bearer not-the-instructor-token' },
    });
    expect(wrong.status).toBe(401);
    const unknownKind = await stageFault({ channel: 'ALIPAY', kind: 'EXPLODE', remaining: 1 });
    expect(unknownKind.status).toBe(400);
    const badParams = await stageFault({
      channel: 'ALIPAY',
      kind: 'DUPLICATE_CALLBACK',
      params: { copies: 1 },
    });
    expect(badParams.status).toBe(400);
    expect(((await badParams.json()) as { error: { param: string } }).error.param).toBe(
      'params.copies',
    );
    const notFound = await fetch(`${baseUrl}/v1/faults/999999`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${INSTRUCTOR_TOKEN}` },
    });
    expect(notFound.status).toBe(404);
    const list = await fetch(`${baseUrl}/v1/faults`, {
      headers: { authorization: `Bearer ${INSTRUCTOR_TOKEN}` },
    });
    expect(list.status).toBe(200);
    expect(((await list.json()) as { data: unknown[] }).data).toEqual([]);
  });

  it('DROP_CALLBACK: no notification is sent, but the query shows TRADE_SUCCESS', async () => {
    const staged = await stageFault({ channel: 'ALIPAY', kind: 'DROP_CALLBACK', remaining: 1 });
    expect(staged.status).toBe(201);
    const { outTradeNo } = await paidTrade();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(notificationsOf(outTradeNo)).toHaveLength(0);
    expect(await exec('alipay.trade.query', { outTradeNo })).toMatchObject({
      tradeStatus: 'TRADE_SUCCESS',
    });
    // Used up: the next payment is notified again.
    const next = await paidTrade();
    await waitFor(() => notificationsOf(next.outTradeNo).length === 1);
  });

  it('DUPLICATE_CALLBACK: the same notification arrives twice', async () => {
    expect((await stageFault({ channel: 'ALIPAY', kind: 'DUPLICATE_CALLBACK' })).status).toBe(201);
    const { outTradeNo } = await paidTrade();
    await waitFor(() => notificationsOf(outTradeNo).length === 2);
    const [first, second] = notificationsOf(outTradeNo);
    expect(first.verified && second.verified).toBe(true);
    expect(second.fields.notify_id).toBe(first.fields.notify_id);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(notificationsOf(outTradeNo)).toHaveLength(2);
  });

  it('the statement (业务明细, GBK) lists paid trades, and omits one under OMIT_FROM_STATEMENT', async () => {
    const listed = await paidTrade();
    expect((await stageFault({ channel: 'ALIPAY', kind: 'OMIT_FROM_STATEMENT' })).status).toBe(201);
    const omitted = await paidTrade();
    const unpaid = newOrderNo();
    await precreate(unpaid);

    const bill = await downloadBill(listed.paidDate);
    expect(bill.startsWith('#支付宝业务明细查询\r\n')).toBe(true);
    expect(bill).toContain('支付宝交易号,商户订单号,业务类型,商品名称');
    const rows = tradeRowsOf(bill);
    const rowOf = (outTradeNo: string) => rows.find((line) => line.includes(`${outTradeNo}\t`));
    const row = rowOf(listed.outTradeNo)!.split(',');
    expect(row.slice(0, 4)).toEqual([
      `${listed.tradeNo}\t`,
      `${listed.outTradeNo}\t`,
      '交易',
      'Oolong tea 乌龙茶',
    ]);
    expect(row).toHaveLength(25);
    expect(row[11]).toBe('12.34');
    expect(rowOf(omitted.outTradeNo)).toBeUndefined();
    expect(rowOf(unpaid)).toBeUndefined();
    expect(bill).toMatch(/#交易合计：\d+笔，商家实收共\d+\.\d{2}元/);

    const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    expect(
      await exec('alipay.data.dataservice.bill.downloadurl.query', {
        billType: 'trade',
        billDate: tomorrow,
      }),
    ).toMatchObject({ code: '40004', subCode: 'isp.bill_not_exist' });
    const forged = await fetch(`${baseUrl}/alipay/bills/eyJhIjoiMSJ9.forged`);
    expect(forged.status).toBe(404);
  });
});
