import { OPERATOR_TOKENS } from './support/operator-credentials';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { AlipaySdk } from 'alipay-sdk';
import { Client } from 'pg';
import { Aes, Formatter, Rsa, Wechatpay } from 'wechatpay-axios-plugin';
import { createDatabase, dropDatabase, ENV_VARIABLES, freePort, REPO_ROOT } from '@paylab/testing';
import {
  DEMO_ALIPAY_APP_ID,
  DEMO_ALIPAY_APP_PRIVATE_KEY,
  DEMO_ALIPAY_PLATFORM_PUBLIC_KEY,
} from '../../services/channel-sandbox/src/alipay/demo-keys';
import {
  DEMO_WECHAT_PAY_APIV3_KEY,
  DEMO_WECHAT_PAY_APPID,
  DEMO_WECHAT_PAY_MCHID,
  DEMO_WECHAT_PAY_MERCHANT_PRIVATE_KEY,
  DEMO_WECHAT_PAY_MERCHANT_SERIAL,
  DEMO_WECHAT_PAY_PLATFORM_PUBLIC_KEY,
  DEMO_WECHAT_PAY_PLATFORM_SERIAL,
} from '../../services/channel-sandbox/src/wechat-pay/demo-keys';
import {
  parseAlipayBusinessCsv,
  parseWechatTradeBill,
} from '../../services/reconciliation/src/recon-runs/domain/statements';
import { localEnvOf } from '../../tools/local/env-files';
import {
  startServiceProcess,
  stopServiceProcess,
  assertReady,
  type ServiceProcess,
} from '../../tools/local/service-processes';

/** The sandbox's fault API takes the demo instructor credential (deploy/env/common.env). */
const INSTRUCTOR_TOKEN: string = OPERATOR_TOKENS.instructor;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface RefundNotification {
  verified: boolean;
  body: Json;
  refund: Json;
}

interface HttpFailure {
  response?: { status: number; data: Json };
}

/**
 * Refunds (退款) at the channel sandbox, driven by the real alipay-sdk and wechatpay-axios-plugin:
 * partial refunds, idempotent refund numbers, over-refunds refused, refund queries, WeChat Pay's
 * encrypted REFUND.* notification, the refund faults, and refund rows in both statements as
 * reconciliation's parsers read them.
 */
describe('channel-sandbox refunds through the real client libraries', () => {
  const databaseName = `paylab_sbxref_${Date.now().toString(36)}`;
  const stateDir = join(REPO_ROOT, '.cache', 'test', databaseName);
  const adminUrl = process.env[ENV_VARIABLES.databaseUrl]!;
  let baseUrl: string;
  let sandbox: ServiceProcess | undefined;
  let db: Client | undefined;
  let alipay: AlipaySdk;
  let wxpay: Wechatpay;
  let receiver: Server | undefined;
  let notifyUrl: string;
  const received: RefundNotification[] = [];

  const verify = (headers: IncomingHttpHeaders, raw: string): boolean =>
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
        const body = JSON.parse(raw) as Json;
        const { ciphertext, nonce, associated_data: aad } = body.resource as Json;
        const plaintext = JSON.parse(
          Aes.AesGcm.decrypt(ciphertext, DEMO_WECHAT_PAY_APIV3_KEY, nonce, aad) as string,
        ) as Json;
        if (String(body.event_type).startsWith('REFUND.')) {
          received.push({ verified: verify(request.headers, raw), body, refund: plaintext });
        }
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
    notifyUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/notify`;

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
      }),
      stateDir,
    });
    await assertReady(sandbox);
    alipay = new AlipaySdk({
      appId: DEMO_ALIPAY_APP_ID,
      privateKey: DEMO_ALIPAY_APP_PRIVATE_KEY,
      alipayPublicKey: DEMO_ALIPAY_PLATFORM_PUBLIC_KEY,
      gateway: `${baseUrl}/alipay/gateway.do`,
      signType: 'RSA2',
    });
    wxpay = new Wechatpay({
      mchid: DEMO_WECHAT_PAY_MCHID,
      serial: DEMO_WECHAT_PAY_MERCHANT_SERIAL,
      privateKey: DEMO_WECHAT_PAY_MERCHANT_PRIVATE_KEY,
      certs: { [DEMO_WECHAT_PAY_PLATFORM_SERIAL]: DEMO_WECHAT_PAY_PLATFORM_PUBLIC_KEY },
      baseURL: `${baseUrl}/wechatpay/`,
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

  const newNo = (prefix: string) => `${prefix}_${randomBytes(6).toString('hex')}`;

  async function stageFault(channel: string, kind: string, params?: Json): Promise<void> {
    const response = await fetch(`${baseUrl}/v1/faults`, {
      method: 'POST',
      headers: { authorization: `Bearer ${INSTRUCTOR_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel, kind, params, remaining: 1 }),
    });
    expect(response.status).toBe(201);
  }

  const exec = (method: string, bizContent: Json) =>
    alipay.exec(method, { bizContent }, { validateSign: true }) as Promise<Json>;

  /** An Alipay trade of `amountMinor`, paid; its out_trade_no and trade_no. */
  async function paidAlipayTrade(amount = '10.00') {
    const outTradeNo = newNo('ali');
    const created = await exec('alipay.trade.precreate', {
      outTradeNo,
      totalAmount: amount,
      subject: 'Green tea 绿茶',
    });
    expect(created.code).toBe('10000');
    const paid = await fetch(`${created.qrCode}/pay`, {
      method: 'POST',
      headers: { accept: 'application/json' },
    });
    expect(paid.status).toBe(200);
    const { trade_no: tradeNo } = (await paid.json()) as Json;
    return { outTradeNo, tradeNo: tradeNo as string };
  }

  async function paidWechatOrder(total = 1000) {
    const outTradeNo = newNo('wx');
    const { data } = await wxpay.v3.pay.transactions.native.post({
      appid: DEMO_WECHAT_PAY_APPID,
      mchid: DEMO_WECHAT_PAY_MCHID,
      description: 'Jasmine tea 茉莉花茶',
      out_trade_no: outTradeNo,
      notify_url: notifyUrl,
      amount: { total, currency: 'CNY' },
    });
    const paid = await fetch(`${(data as Json).code_url}/pay`, { method: 'POST' });
    expect(paid.status).toBe(200);
    const { data: order } = await wxpay.v3.pay.transactions.outTradeNo.$out_trade_no$.get({
      params: { mchid: DEMO_WECHAT_PAY_MCHID },
      out_trade_no: outTradeNo,
    } as Json);
    return { outTradeNo, transactionId: (order as Json).transaction_id as string };
  }

  const wxRefund = (outTradeNo: string, outRefundNo: string, refund: number, total = 1000) =>
    wxpay.v3.refund.domestic.refunds.post({
      out_trade_no: outTradeNo,
      out_refund_no: outRefundNo,
      reason: '商品退货',
      notify_url: notifyUrl,
      amount: { refund, total, currency: 'CNY' },
    });

  const wxRefundQuery = async (outRefundNo: string) =>
    (
      await wxpay.v3.refund.domestic.refunds.$out_refund_no$.get({
        out_refund_no: outRefundNo,
      } as Json)
    ).data as Json;

  async function failureOf(call: Promise<unknown>): Promise<HttpFailure> {
    try {
      await call;
    } catch (error) {
      return error as HttpFailure;
    }
    throw new Error('the call was expected to fail');
  }

  async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  const today = () =>
    new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());

  // ---------------------------------------------------------------------------------------------
  // Alipay

  it('Alipay: partial refunds, idempotent out_request_no, over-refund refused, query, TRADE_CLOSED', async () => {
    const { outTradeNo, tradeNo } = await paidAlipayTrade('10.00');
    const first = await exec('alipay.trade.refund', {
      outTradeNo,
      refundAmount: '3.00',
      outRequestNo: 'req_1',
      refundReason: 'partial',
    });
    expect(first).toMatchObject({
      code: '10000',
      tradeNo,
      outTradeNo,
      fundChange: 'Y',
      refundFee: '3.00',
    });
    expect(first.gmtRefundPay).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);

    // The same out_request_no again: no second refund; fund_change N, refund_fee unchanged.
    const again = await exec('alipay.trade.refund', {
      outTradeNo,
      refundAmount: '3.00',
      outRequestNo: 'req_1',
    });
    expect(again).toMatchObject({ code: '10000', fundChange: 'N', refundFee: '3.00' });
    const rows = await db!.query(
      `SELECT count(*)::int AS n FROM channel_sandbox.refunds WHERE out_refund_no = 'req_1' AND trade_no = $1`,
      [tradeNo],
    );
    expect(rows.rows[0].n).toBe(1);
    // Reusing it for another amount is refused.
    expect(
      await exec('alipay.trade.refund', {
        outTradeNo,
        refundAmount: '1.00',
        outRequestNo: 'req_1',
      }),
    ).toMatchObject({ code: '40004', subCode: 'ACQ.INVALID_PARAMETER' });

    // 3.00 + 7.01 > 10.00: refused, nothing refunded.
    const over = await exec('alipay.trade.refund', {
      outTradeNo,
      refundAmount: '7.01',
      outRequestNo: 'req_2',
    });
    expect(over).toMatchObject({ code: '40004', subCode: 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL' });

    const query = await exec('alipay.trade.fastpay.refund.query', {
      outTradeNo,
      outRequestNo: 'req_1',
    });
    expect(query).toMatchObject({
      code: '10000',
      tradeNo,
      outRequestNo: 'req_1',
      refundStatus: 'REFUND_SUCCESS',
      refundAmount: '3.00',
      totalAmount: '10.00',
    });
    const unknown = await exec('alipay.trade.fastpay.refund.query', {
      outTradeNo,
      outRequestNo: 'req_never',
    });
    expect(unknown.code).toBe('10000');
    expect(unknown.refundStatus).toBeUndefined();
    expect(unknown.refundAmount).toBeUndefined();

    expect((await exec('alipay.trade.query', { outTradeNo })).tradeStatus).toBe('TRADE_SUCCESS');
    const rest = await exec('alipay.trade.refund', {
      tradeNo,
      refundAmount: '7.00',
      outRequestNo: 'req_3',
    });
    expect(rest).toMatchObject({ code: '10000', fundChange: 'Y', refundFee: '10.00' });
    // Fully refunded: closed, as Alipay reports it.
    expect((await exec('alipay.trade.query', { outTradeNo })).tradeStatus).toBe('TRADE_CLOSED');
  });

  it('Alipay: an unpaid trade cannot be refunded; an unknown one does not exist', async () => {
    const outTradeNo = newNo('ali');
    await exec('alipay.trade.precreate', { outTradeNo, totalAmount: '1.00', subject: 'x' });
    const qr = (
      await db!.query(`SELECT qr_token FROM channel_sandbox.trades WHERE out_trade_no = $1`, [
        outTradeNo,
      ])
    ).rows;
    expect(qr).toHaveLength(1);
    expect(
      await exec('alipay.trade.refund', { outTradeNo, refundAmount: '1.00', outRequestNo: 'r' }),
    ).toMatchObject({ code: '40004', subCode: 'ACQ.TRADE_STATUS_ERROR' });
    expect(
      await exec('alipay.trade.refund', {
        outTradeNo: newNo('none'),
        refundAmount: '1.00',
        outRequestNo: 'r',
      }),
    ).toMatchObject({ code: '40004', subCode: 'ACQ.TRADE_NOT_EXIST' });
    expect(
      await exec('alipay.trade.refund', { outTradeNo, refundAmount: '0.001', outRequestNo: 'r' }),
    ).toMatchObject({ code: '40004', subCode: 'ACQ.INVALID_PARAMETER' });
  });

  it('Alipay faults: REFUND_FAILS refuses once; REFUND_RESULT_DELAYED answers N and queries processing until due', async () => {
    const { outTradeNo } = await paidAlipayTrade('5.00');
    await stageFault('ALIPAY', 'REFUND_FAILS');
    expect(
      await exec('alipay.trade.refund', { outTradeNo, refundAmount: '1.00', outRequestNo: 'f1' }),
    ).toMatchObject({ code: '40004', subCode: 'ACQ.SELLER_BALANCE_NOT_ENOUGH' });
    // Used up: the next refund goes through.
    expect(
      await exec('alipay.trade.refund', { outTradeNo, refundAmount: '1.00', outRequestNo: 'f2' }),
    ).toMatchObject({ code: '10000', fundChange: 'Y' });

    await stageFault('ALIPAY', 'REFUND_RESULT_DELAYED', { delaySeconds: 2 });
    const delayed = await exec('alipay.trade.refund', {
      outTradeNo,
      refundAmount: '1.00',
      outRequestNo: 'd1',
    });
    expect(delayed).toMatchObject({ code: '10000', fundChange: 'N', refundFee: '2.00' });
    const processing = await exec('alipay.trade.fastpay.refund.query', {
      outTradeNo,
      outRequestNo: 'd1',
    });
    expect(processing).toMatchObject({ code: '10000', refundAmount: '1.00' });
    expect(processing.refundStatus).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 2_200));
    expect(
      await exec('alipay.trade.fastpay.refund.query', { outTradeNo, outRequestNo: 'd1' }),
    ).toMatchObject({ refundStatus: 'REFUND_SUCCESS', refundAmount: '1.00' });
  });

  it('Alipay statement: 退款 rows, negative, with out_request_no; reconciliation reads them', async () => {
    const { outTradeNo, tradeNo } = await paidAlipayTrade('8.00');
    await exec('alipay.trade.refund', {
      outTradeNo,
      refundAmount: '2.50',
      outRequestNo: 'bill_r1',
    });
    const link = await exec('alipay.data.dataservice.bill.downloadurl.query', {
      billType: 'trade',
      billDate: today(),
    });
    const bytes = Buffer.from(await (await fetch(link.billDownloadUrl)).arrayBuffer());
    const lines = parseAlipayBusinessCsv(bytes);
    const mine = lines.filter((line) => line.channelTradeNo === tradeNo);
    expect(mine.map((line) => [line.status, line.amountMinor, line.refundNo ?? null])).toEqual([
      ['SUCCESS', 800, null],
      ['REFUND', 250, 'bill_r1'],
    ]);
  });

  // ---------------------------------------------------------------------------------------------
  // WeChat Pay

  it('WeChat Pay: PROCESSING, then a verified REFUND.SUCCESS notification; query; idempotent; over-refund; REFUND trade_state', async () => {
    const { outTradeNo, transactionId } = await paidWechatOrder(1000);
    const outRefundNo = newNo('wxr');
    const { status, data } = await wxRefund(outTradeNo, outRefundNo, 300);
    expect(status).toBe(200);
    expect(data).toMatchObject({
      out_refund_no: outRefundNo,
      transaction_id: transactionId,
      out_trade_no: outTradeNo,
      status: 'PROCESSING',
      amount: { refund: 300, total: 1000, currency: 'CNY' },
    });
    const refundId = (data as Json).refund_id as string;
    expect(refundId).toMatch(/^503\d{26}$/);

    await waitFor(() => received.some((n) => n.refund.out_refund_no === outRefundNo));
    const notice = received.find((n) => n.refund.out_refund_no === outRefundNo)!;
    expect(notice.verified).toBe(true);
    expect(notice.body).toMatchObject({
      event_type: 'REFUND.SUCCESS',
      resource_type: 'encrypt-resource',
      resource: { original_type: 'refund', algorithm: 'AEAD_AES_256_GCM' },
    });
    expect(notice.refund).toMatchObject({
      mchid: DEMO_WECHAT_PAY_MCHID,
      out_trade_no: outTradeNo,
      transaction_id: transactionId,
      refund_id: refundId,
      refund_status: 'SUCCESS',
      amount: { refund: 300, total: 1000 },
    });
    expect(await wxRefundQuery(outRefundNo)).toMatchObject({
      refund_id: refundId,
      status: 'SUCCESS',
    });

    // The same out_refund_no again: the same refund, nothing new.
    const { data: again } = await wxRefund(outTradeNo, outRefundNo, 300);
    expect(again).toMatchObject({ refund_id: refundId, status: 'SUCCESS' });
    // More than is left: refused.
    const over = await failureOf(wxRefund(outTradeNo, newNo('wxr'), 701));
    expect(over.response?.status).toBe(400);
    expect(over.response?.data).toMatchObject({ code: 'INVALID_REQUEST' });
    const wrongTotal = await failureOf(wxRefund(outTradeNo, newNo('wxr'), 1, 999));
    expect(wrongTotal.response?.data).toMatchObject({ code: 'INVALID_REQUEST' });
    const missing = await failureOf(wxRefundQuery(newNo('never')));
    expect(missing.response?.status).toBe(404);
    expect(missing.response?.data).toMatchObject({ code: 'RESOURCE_NOT_EXISTS' });

    const { data: order } = await wxpay.v3.pay.transactions.outTradeNo.$out_trade_no$.get({
      params: { mchid: DEMO_WECHAT_PAY_MCHID },
      out_trade_no: outTradeNo,
    } as Json);
    expect((order as Json).trade_state).toBe('REFUND');
  });

  it('WeChat Pay faults: REFUND_FAILS ends ABNORMAL; DROP_REFUND_NOTIFICATION completes silently', async () => {
    const { outTradeNo } = await paidWechatOrder(1000);
    await stageFault('WECHAT_PAY', 'REFUND_FAILS');
    const failing = newNo('wxr');
    expect((await wxRefund(outTradeNo, failing, 100)).data).toMatchObject({ status: 'PROCESSING' });
    await waitFor(() => received.some((n) => n.refund.out_refund_no === failing));
    const abnormal = received.find((n) => n.refund.out_refund_no === failing)!;
    expect(abnormal.body.event_type).toBe('REFUND.ABNORMAL');
    expect(abnormal.refund.refund_status).toBe('ABNORMAL');
    expect(await wxRefundQuery(failing)).toMatchObject({ status: 'ABNORMAL' });

    await stageFault('WECHAT_PAY', 'DROP_REFUND_NOTIFICATION');
    const silent = newNo('wxr');
    await wxRefund(outTradeNo, silent, 100);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await wxRefundQuery(silent)).toMatchObject({ status: 'SUCCESS' });
    expect(received.some((n) => n.refund.out_refund_no === silent)).toBe(false);
  });

  it('WeChat Pay statement: REFUND rows with refund numbers and totals; reconciliation reads them', async () => {
    const { outTradeNo, transactionId } = await paidWechatOrder(1000);
    const outRefundNo = newNo('wxr');
    const { data } = await wxRefund(outTradeNo, outRefundNo, 400);
    await waitFor(() => received.some((n) => n.refund.out_refund_no === outRefundNo));
    const { data: bill } = await wxpay.v3.bill.tradebill.get({
      params: { bill_date: today(), bill_type: 'ALL' },
    });
    const token = new URL((bill as Json).download_url as string).searchParams.get('token');
    const { data: file } = await wxpay.v3.billdownload.file.get({
      params: { token },
      responseType: 'arraybuffer',
    });
    const bytes = Buffer.from(file as ArrayBuffer);
    const { rows } = Formatter.castCsvBill(bytes) as unknown as { rows: Json[] };
    const refundRow = rows.find((row) => row['商户退款单号'] === outRefundNo);
    expect(refundRow).toMatchObject({
      微信订单号: transactionId,
      商户订单号: outTradeNo,
      交易状态: 'REFUND',
      微信退款单号: (data as Json).refund_id,
      退款金额: '4.00',
      退款状态: 'SUCCESS',
      应结订单金额: '0.00',
    });
    const lines = parseWechatTradeBill(bytes).filter((l) => l.channelTradeNo === transactionId);
    expect(lines.map((l) => [l.status, l.amountMinor, l.refundNo ?? null])).toEqual([
      ['SUCCESS', 1000, null],
      ['REFUND', 400, (data as Json).refund_id],
    ]);
  });
});
