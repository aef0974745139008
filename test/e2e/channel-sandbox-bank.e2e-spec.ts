import { createSign, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { Client } from 'pg';
import { createDatabase, dropDatabase, ENV_VARIABLES, REPO_ROOT } from '@paylab/testing';
import { shanghaiBusinessDate } from '../../services/channel-sandbox/src/alipay/domain/shanghai-time';
import {
  DEMO_BANK_CLIENT_ID,
  DEMO_BANK_CLIENT_PRIVATE_KEY,
  DEMO_BANK_PRIVATE_KEY,
  DEMO_BANK_PUBLIC_KEY,
} from '../../services/channel-sandbox/src/bank/demo-keys';
import type {
  PayoutInstruction,
  PayoutNotification,
} from '../../services/settlement/src/payouts/bank/bank-client';
import { publicKeyOf } from '@paylab/platform';
import {
  canonicalString,
  isSignedByBank,
} from '../../services/settlement/src/payouts/bank/bank-protocol';
import { HttpBankClient } from '../../services/settlement/src/payouts/bank/http-bank-client';
import { localEnvOf } from '../../tools/local/env-files';
import {
  assertReady,
  type ServiceProcess,
  startServiceProcess,
  stopServiceProcess,
} from '../../tools/local/service-processes';
import { OPERATOR_TOKENS } from './support/operator-credentials';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Ports assigned to this suite (the sandbox and the test's notification receiver). */
const SANDBOX_PORT = 47101;
const RECEIVER_PORT = 47102;
const CLIENT_TIMEOUT_MS = 1_500;

const PLATFORM_ACCOUNT = '6222020000009999';
const COFFEE = { accountNo: '6222020000000001', name: '上海演示咖啡有限公司' };
const BOOKS = { accountNo: '6222020000000002', name: '北京演示书店有限公司' };
const FROZEN = { accountNo: '6222020000000003', name: '广州冻结示例有限公司' };

interface Received {
  requestNo: string | null;
  notification: PayoutNotification | null;
  error: string | null;
}

/**
 * The sandbox bank (银企直连) driven through settlement's own HttpBankClient: payouts paid once
 * and notified (verified with verifyNotification), idempotent request numbers, the bank's checks
 * and the instructor's BANK faults, a timeout whose result only a query reveals, refused forgeries,
 * replays and garbage, and the statement file that shows each payout exactly once.
 */
describe('channel-sandbox bank through settlement’s HttpBankClient', () => {
  const databaseName = `paylab_sbxbank_${Date.now().toString(36)}`;
  const stateDir = join(REPO_ROOT, '.cache', 'test', databaseName);
  const adminUrl = process.env[ENV_VARIABLES.databaseUrl]!;
  const baseUrl = `http://127.0.0.1:${SANDBOX_PORT}`;
  const notifyUrl = `http://127.0.0.1:${RECEIVER_PORT}/v1/bank/payout-notifications`;
  let sandbox: ServiceProcess | undefined;
  let db: Client | undefined;
  let receiver: Server | undefined;
  let bank: HttpBankClient;
  const received: Received[] = [];
  /** Request numbers whose first notification the receiver refuses with a 500. */
  const refuseFirst = new Set<string>();

  beforeAll(async () => {
    const databaseUrl = await createDatabase(adminUrl, databaseName);
    db = new Client({ connectionString: databaseUrl });
    await db.connect();
    receiver = createServer((request, response) => {
      let raw = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (raw += chunk));
      request.on('end', () => {
        const headers = Object.fromEntries(
          Object.entries(request.headers).map(([key, value]) => [key, String(value)]),
        );
        try {
          const notification = bank.verifyNotification(headers, raw);
          if (refuseFirst.delete(notification.requestNo)) {
            response.writeHead(500).end('try again');
            return;
          }
          received.push({ requestNo: notification.requestNo, notification, error: null });
          response.writeHead(204).end();
        } catch (error) {
          received.push({ requestNo: null, notification: null, error: String(error) });
          response.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((resolve) => receiver!.listen(RECEIVER_PORT, '127.0.0.1', resolve));
    sandbox = startServiceProcess('channel-sandbox', {
      env: localEnvOf('channel-sandbox', {
        HTTP_PORT: String(SANDBOX_PORT),
        DATABASE_URL: databaseUrl,
        PUBLIC_BASE_URL: baseUrl,
        API_BASE_URL: baseUrl,
        CALLBACK_TIME_SCALE: '0.0005',
        CALLBACK_POLL_INTERVAL_MS: '50',
        BANK_PAYOUT_DELAY_MS: '300',
      }),
      stateDir,
    });
    await assertReady(sandbox);
    bank = new HttpBankClient({
      baseUrl: `${baseUrl}/bank`,
      clientId: DEMO_BANK_CLIENT_ID,
      clientPrivateKey: DEMO_BANK_CLIENT_PRIVATE_KEY,
      bankPublicKey: DEMO_BANK_PUBLIC_KEY,
      payerAccountNo: PLATFORM_ACCOUNT,
      notifyUrl,
      requestTimeoutMs: CLIENT_TIMEOUT_MS,
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

  const newRequestNo = () => `PO_${randomBytes(6).toString('hex')}`;

  const instruction = (
    payee = COFFEE,
    changes: Partial<PayoutInstruction> = {},
  ): PayoutInstruction => ({
    requestNo: newRequestNo(),
    amountMinor: 12_345,
    currency: 'CNY',
    payeeBankCode: 'PLBANK',
    payeeAccountNo: payee.accountNo,
    payeeAccountName: payee.name,
    memo: 'PayLab 结算 stb_test',
    ...changes,
  });

  async function notificationOf(requestNo: string, timeoutMs = 10_000): Promise<Received[]> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = received.filter((entry) => entry.requestNo === requestNo);
      if (found.length > 0) return found;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`no notification for ${requestNo}`);
  }

  async function finalQuery(requestNo: string) {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const result = await bank.queryPayout(requestNo);
      if (result.status !== 'PROCESSING' || Date.now() > deadline) return result;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async function stageFault(kind: string, params?: Json, channel = 'BANK'): Promise<Response> {
    return fetch(`${baseUrl}/v1/faults`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${OPERATOR_TOKENS.instructor}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ channel, kind, params, remaining: 1 }),
    });
  }

  async function rowsOf(requestNo: string): Promise<Json[]> {
    const { rows } = await db!.query(
      `SELECT * FROM "channel_sandbox"."bank_payouts" WHERE "request_no" = $1`,
      [requestNo],
    );
    return rows;
  }

  interface RawOptions {
    timestamp?: number;
    nonce?: string;
    key?: string;
    clientId?: string;
    signedBody?: string;
    omit?: string;
    contentType?: string;
  }

  /** A hand-made request to the bank, signed (or mis-signed) as `options` say. */
  async function raw(method: 'GET' | 'POST', path: string, body = '', options: RawOptions = {}) {
    const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
    const nonce = options.nonce ?? randomBytes(16).toString('hex');
    const signature = createSign('RSA-SHA256')
      .update(canonicalString(method, path, timestamp, nonce, options.signedBody ?? body), 'utf8')
      .sign(options.key ?? DEMO_BANK_CLIENT_PRIVATE_KEY, 'base64');
    const headers: Record<string, string> = {
      'X-Bank-Client-Id': options.clientId ?? DEMO_BANK_CLIENT_ID,
      'X-Bank-Timestamp': timestamp,
      'X-Bank-Nonce': nonce,
      'X-Bank-Signature': signature,
    };
    if (method === 'POST') headers['content-type'] = options.contentType ?? 'application/json';
    if (options.omit) delete headers[options.omit];
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: method === 'POST' ? body : undefined,
    });
    const text = await response.text();
    const signedByBank = isSignedByBank(
      'RESPONSE',
      path,
      Object.fromEntries(response.headers.entries()),
      text,
      publicKeyOf(DEMO_BANK_PUBLIC_KEY),
    );
    let json: Json = {};
    try {
      json = JSON.parse(text) as Json;
    } catch {
      // a statement file
    }
    return { status: response.status, text, json, signedByBank };
  }

  const payoutBody = (changes: Json = {}) =>
    JSON.stringify({
      requestNo: newRequestNo(),
      payerAccountNo: PLATFORM_ACCOUNT,
      payeeBankCode: 'PLBANK',
      payeeAccountNo: COFFEE.accountNo,
      payeeAccountName: COFFEE.name,
      amountMinor: 100,
      currency: 'CNY',
      memo: 'raw',
      notifyUrl,
      ...changes,
    });

  /** Request numbers of payouts that reached SUCCEEDED in this suite, for the statement. */
  const succeeded = new Map<string, number>();

  // ---------------------------------------------------------------------------------------------

  it('accepts a payout, finishes it, and notifies it signed; a query agrees', async () => {
    const payout = instruction();
    refuseFirst.add(payout.requestNo); // the first delivery is answered 500: the bank retries
    const submission = await bank.submitPayout(payout);
    expect(submission).toEqual({
      outcome: 'ACCEPTED',
      bankTxnNo: expect.stringMatching(/^PLB\d{20}$/),
    });
    const [notified] = await notificationOf(payout.requestNo);
    expect(notified.notification).toEqual({
      requestNo: payout.requestNo,
      result: {
        status: 'SUCCEEDED',
        bankTxnNo: submission.outcome === 'ACCEPTED' ? submission.bankTxnNo : null,
        finishedAt: expect.any(Date),
      },
    });
    expect(await bank.queryPayout(payout.requestNo)).toEqual(notified.notification!.result);
    const { rows } = await db!.query(
      `SELECT n."status", n."attempts" FROM "channel_sandbox"."bank_notifications" n
       JOIN "channel_sandbox"."bank_payouts" p USING ("bank_txn_no") WHERE p."request_no" = $1`,
      [payout.requestNo],
    );
    expect(rows).toEqual([{ status: 'DELIVERED', attempts: 2 }]);
    succeeded.set(payout.requestNo, payout.amountMinor);

    // The same request again: the same payout, never a second one.
    const again = await bank.submitPayout(payout);
    expect(again).toEqual({
      outcome: 'SUCCEEDED',
      bankTxnNo: notified.notification!.result.bankTxnNo,
      finishedAt: (notified.notification!.result as { finishedAt: Date }).finishedAt,
    });
    expect(await rowsOf(payout.requestNo)).toHaveLength(1);

    // The same request number with another amount: refused, and the client cannot call it FAILED.
    const reused = await bank.submitPayout({ ...payout, amountMinor: payout.amountMinor + 1 });
    expect(reused).toEqual({
      outcome: 'UNKNOWN',
      reason: expect.stringContaining('BANK.REQUEST_NO_CONFLICT'),
    });
    const rawReuse = await raw(
      'POST',
      '/bank/v1/payouts',
      payoutBody({ requestNo: payout.requestNo }),
    );
    expect(rawReuse).toMatchObject({
      status: 409,
      signedByBank: true,
      json: {
        error: { type: 'conflict_error', code: 'BANK.REQUEST_NO_CONFLICT', param: 'requestNo' },
      },
    });
    expect(await rowsOf(payout.requestNo)).toEqual([
      expect.objectContaining({ amount_minor: String(payout.amountMinor), status: 'SUCCEEDED' }),
    ]);
  });

  it('answers a resubmission while the payout is still processing with the same payout', async () => {
    const payout = instruction(BOOKS, { amountMinor: 501 });
    const [first, second] = await Promise.all([
      bank.submitPayout(payout),
      bank.submitPayout(payout),
    ]);
    expect(first.outcome).toBe('ACCEPTED');
    expect(second).toEqual(first);
    expect(await rowsOf(payout.requestNo)).toHaveLength(1);
    expect(await finalQuery(payout.requestNo)).toMatchObject({ status: 'SUCCEEDED' });
    succeeded.set(payout.requestNo, payout.amountMinor);
  });

  it.each([
    ['an unknown payee account', { payeeAccountNo: '6222020000000404' }, 'ACCOUNT_NOT_FOUND'],
    [
      'a frozen payee account (账户冻结)',
      { payeeAccountNo: FROZEN.accountNo, payeeAccountName: FROZEN.name },
      'ACCOUNT_FROZEN',
    ],
    [
      'a payee name that does not match (户名不符)',
      { payeeAccountName: '上海演示咖啡' },
      'NAME_MISMATCH',
    ],
  ])('fails a payout to %s, notified and queried', async (_, changes, code) => {
    const payout = instruction(COFFEE, changes);
    expect(await bank.submitPayout(payout)).toMatchObject({ outcome: 'ACCEPTED' });
    const [notified] = await notificationOf(payout.requestNo);
    expect(notified.notification!.result).toEqual({
      status: 'FAILED',
      bankTxnNo: expect.any(String),
      failureCode: code,
      failureMessage: expect.any(String),
    });
    expect(await bank.queryPayout(payout.requestNo)).toEqual(notified.notification!.result);
  });

  it('freezes the payee named by a BANK_ACCOUNT_FROZEN fault, once', async () => {
    expect((await stageFault('BANK_ACCOUNT_FROZEN', { accountNo: BOOKS.accountNo })).status).toBe(
      201,
    );
    // A payout to another account is untouched and does not use the fault up.
    const coffee = instruction(COFFEE, { amountMinor: 700 });
    await bank.submitPayout(coffee);
    expect(await finalQuery(coffee.requestNo)).toMatchObject({ status: 'SUCCEEDED' });
    succeeded.set(coffee.requestNo, coffee.amountMinor);

    const frozen = instruction(BOOKS);
    await bank.submitPayout(frozen);
    expect(await finalQuery(frozen.requestNo)).toMatchObject({
      status: 'FAILED',
      failureCode: 'ACCOUNT_FROZEN',
    });
    const after = instruction(BOOKS, { amountMinor: 800 });
    await bank.submitPayout(after);
    expect(await finalQuery(after.requestNo)).toMatchObject({ status: 'SUCCEEDED' });
    succeeded.set(after.requestNo, after.amountMinor);
  });

  it('refuses the next payout with 户名不符 under BANK_NAME_MISMATCH', async () => {
    expect((await stageFault('BANK_NAME_MISMATCH')).status).toBe(201);
    const payout = instruction(COFFEE);
    await bank.submitPayout(payout);
    const [notified] = await notificationOf(payout.requestNo);
    expect(notified.notification!.result).toMatchObject({
      status: 'FAILED',
      failureCode: 'NAME_MISMATCH',
    });
  });

  it('pays under BANK_TIMEOUT_UNKNOWN but never answers or notifies: UNKNOWN, then a query tells', async () => {
    expect((await stageFault('BANK_TIMEOUT_UNKNOWN', { holdSeconds: 5 })).status).toBe(201);
    const payout = instruction(BOOKS, { amountMinor: 9_999 });
    const startedAt = Date.now();
    const submission = await bank.submitPayout(payout);
    expect(submission).toEqual({ outcome: 'UNKNOWN', reason: 'timed out' });
    expect(Date.now() - startedAt).toBeLessThan(CLIENT_TIMEOUT_MS + 1_000);
    expect(await finalQuery(payout.requestNo)).toEqual({
      status: 'SUCCEEDED',
      bankTxnNo: expect.any(String),
      finishedAt: expect.any(Date),
    });
    // Resubmitting after the query is harmless: the same payout, paid once.
    expect(await bank.submitPayout(payout)).toMatchObject({ outcome: 'SUCCEEDED' });
    expect(await rowsOf(payout.requestNo)).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(received.filter((entry) => entry.requestNo === payout.requestNo)).toEqual([]);
    const { rows } = await db!.query(
      `SELECT count(*)::int AS "n" FROM "channel_sandbox"."bank_notifications" n
       JOIN "channel_sandbox"."bank_payouts" p USING ("bank_txn_no") WHERE p."request_no" = $1`,
      [payout.requestNo],
    );
    expect(rows[0].n).toBe(0);
    succeeded.set(payout.requestNo, payout.amountMinor);
  });

  it('says NOT_FOUND only for a request number the bank never received', async () => {
    expect(await bank.queryPayout(newRequestNo())).toEqual({ status: 'NOT_FOUND' });
    const dead = new HttpBankClient({
      baseUrl: 'http://127.0.0.1:47199/bank',
      clientId: DEMO_BANK_CLIENT_ID,
      clientPrivateKey: DEMO_BANK_CLIENT_PRIVATE_KEY,
      bankPublicKey: DEMO_BANK_PUBLIC_KEY,
      payerAccountNo: PLATFORM_ACCOUNT,
      notifyUrl,
      requestTimeoutMs: CLIENT_TIMEOUT_MS,
    });
    await expect(dead.queryPayout('PO_1')).rejects.toMatchObject({ code: 'BANK.UNAVAILABLE' });
    expect(await dead.submitPayout(instruction())).toMatchObject({ outcome: 'UNKNOWN' });
    await expect(dead.fetchStatement('2024-11-20')).rejects.toMatchObject({
      code: 'BANK.UNAVAILABLE',
    });
  });

  it('treats answers it cannot verify as unknown, never as refusals', async () => {
    // A client that trusts another key sees every genuine answer as unverifiable.
    const suspicious = new HttpBankClient({
      baseUrl: `${baseUrl}/bank`,
      clientId: DEMO_BANK_CLIENT_ID,
      clientPrivateKey: DEMO_BANK_CLIENT_PRIVATE_KEY,
      bankPublicKey: DEMO_BANK_CLIENT_PRIVATE_KEY, // the public half of the wrong pair
      payerAccountNo: PLATFORM_ACCOUNT,
      notifyUrl,
      requestTimeoutMs: CLIENT_TIMEOUT_MS,
    });
    const payout = instruction(COFFEE, { payeeAccountNo: '6222020000000404' });
    expect(await suspicious.submitPayout(payout)).toMatchObject({ outcome: 'UNKNOWN' });
    await expect(suspicious.queryPayout(payout.requestNo)).rejects.toMatchObject({
      code: 'BANK.INVALID_RESPONSE',
    });
  });

  it('refuses forged, replayed, stale and unsigned requests, signed, in the error shape', async () => {
    const body = payoutBody();
    const requestNo = (JSON.parse(body) as Json).requestNo as string;
    const cases: Array<[string, RawOptions, string]> = [
      ['signed with the wrong key', { key: DEMO_BANK_PRIVATE_KEY }, 'BANK.SIGNATURE_INVALID'],
      [
        'a signature over another body',
        { signedBody: body.replace('100', '1') },
        'BANK.SIGNATURE_INVALID',
      ],
      [
        'a timestamp 10 minutes old',
        { timestamp: Math.floor(Date.now() / 1000) - 600 },
        'BANK.TIMESTAMP_OUT_OF_WINDOW',
      ],
      [
        'a timestamp 10 minutes ahead',
        { timestamp: Math.floor(Date.now() / 1000) + 600 },
        'BANK.TIMESTAMP_OUT_OF_WINDOW',
      ],
      ['no signature', { omit: 'X-Bank-Signature' }, 'BANK.SIGNATURE_MISSING'],
      ['no client id', { omit: 'X-Bank-Client-Id' }, 'BANK.SIGNATURE_MISSING'],
      ['an unknown client', { clientId: 'SOMEONE-ELSE' }, 'BANK.UNKNOWN_CLIENT'],
    ];
    for (const [what, options, code] of cases) {
      const answer = await raw('POST', '/bank/v1/payouts', body, options);
      expect({
        what,
        status: answer.status,
        signed: answer.signedByBank,
        error: answer.json.error,
      }).toEqual({
        what,
        status: 401,
        signed: true,
        error: expect.objectContaining({ type: 'authentication_error', code }),
      });
    }
    expect(await rowsOf(requestNo)).toEqual([]);

    // A replay: the same signed request twice with the same nonce.
    const nonce = randomBytes(16).toString('hex');
    const timestamp = Math.floor(Date.now() / 1000);
    const first = await raw('GET', `/bank/v1/payouts/${requestNo}`, '', { nonce, timestamp });
    expect(first).toMatchObject({
      status: 404,
      signedByBank: true,
      json: { error: { code: 'BANK.PAYOUT_NOT_FOUND' } },
    });
    const replay = await raw('GET', `/bank/v1/payouts/${requestNo}`, '', { nonce, timestamp });
    expect(replay).toMatchObject({
      status: 401,
      signedByBank: true,
      json: { error: { code: 'BANK.NONCE_REUSED' } },
    });
  });

  it('refuses garbage bodies before anything is written', async () => {
    const cases: Array<[string, string, number, string]> = [
      [
        'an amount as a string',
        payoutBody({ amountMinor: '100' }),
        400,
        'REQUEST.VALIDATION_FAILED',
      ],
      ['a fractional amount', payoutBody({ amountMinor: 1.5 }), 400, 'REQUEST.VALIDATION_FAILED'],
      ['an amount of 10^20', payoutBody({ amountMinor: 1e20 }), 400, 'REQUEST.VALIDATION_FAILED'],
      ['a negative amount', payoutBody({ amountMinor: -100 }), 400, 'REQUEST.VALIDATION_FAILED'],
      ['US dollars', payoutBody({ currency: 'USD' }), 400, 'REQUEST.VALIDATION_FAILED'],
      ['an array', '[1,2,3]', 400, 'REQUEST.VALIDATION_FAILED'],
      ['an unknown field', payoutBody({ priority: 'HIGH' }), 400, 'REQUEST.VALIDATION_FAILED'],
      [
        'a payer account that is not ours',
        payoutBody({ payerAccountNo: COFFEE.accountNo }),
        403,
        'BANK.ACCOUNT_NOT_ALLOWED',
      ],
    ];
    for (const [what, body, status, code] of cases) {
      const answer = await raw('POST', '/bank/v1/payouts', body);
      expect({
        what,
        status: answer.status,
        signed: answer.signedByBank,
        code: answer.json.error?.code,
      }).toEqual({
        what,
        status,
        signed: true,
        code,
      });
    }
    // Refused by the HTTP pipeline before the bank sees them (PayLab's shape, unsigned).
    const nul = await raw('POST', '/bank/v1/payouts', payoutBody({ payeeAccountName: 'a\u0000b' }));
    expect(nul).toMatchObject({
      status: 400,
      json: { error: { code: 'REQUEST.INVALID_CHARACTERS' } },
    });
    const broken = await raw('POST', '/bank/v1/payouts', '{"requestNo": ');
    expect(broken.status).toBe(400);
    expect(broken.json.error.code).toEqual(expect.any(String));
    const { rows } = await db!.query(
      `SELECT count(*)::int AS "n" FROM "channel_sandbox"."bank_payouts" WHERE "memo" = 'raw'`,
    );
    expect(rows[0].n).toBe(0);

    // Through the client: a signed refusal before acceptance is a definite FAILED.
    expect(await bank.submitPayout(instruction(COFFEE, { currency: 'USD' }))).toMatchObject({
      outcome: 'FAILED',
      failureCode: 'REQUEST.VALIDATION_FAILED',
    });
  });

  it('keeps BANK faults on the BANK channel', async () => {
    const response = await stageFault('BANK_TIMEOUT_UNKNOWN', undefined, 'ALIPAY');
    expect(response.status).toBe(400);
    expect(((await response.json()) as Json).error.code).toBe('FAULT.KIND_NOT_FOR_CHANNEL');
    expect((await stageFault('DROP_CALLBACK')).status).toBe(400);
    expect((await stageFault('BANK_ACCOUNT_FROZEN', { accountNo: 'abc' })).status).toBe(400);
  });

  it('lists each paid payout once in the day’s statement file, with the summary', async () => {
    const date = shanghaiBusinessDate(new Date());
    const text = await bank.fetchStatement(date);
    const lines = text.split('\r\n');
    expect(lines.slice(0, 6)).toEqual([
      '# PayLab 演示银行 (PLBANK) 账户明细对账单',
      `# 账号,${PLATFORM_ACCOUNT}`,
      '# 户名,PayLab 支付科技有限公司',
      '# 币种,CNY',
      `# 账单日期,${date}`,
      '交易日期,交易时间,银行流水号,客户流水号,借贷标志,金额,币种,对方账号,对方户名,对方行号,摘要',
    ]);
    const debits = lines.filter((line) => line !== '' && !line.startsWith('#')).slice(1);
    const byRequest = new Map<string, string[]>();
    for (const line of debits) {
      const fields = line.split(',');
      byRequest.set(fields[3], [...(byRequest.get(fields[3]) ?? []), line]);
      expect(fields[0]).toBe(date);
      expect(fields[4]).toBe('借');
    }
    // Only what was paid, each exactly once (the timed-out payout included, the failed ones not).
    expect([...byRequest.keys()].sort()).toEqual([...succeeded.keys()].sort());
    for (const [requestNo, amountMinor] of succeeded) {
      const lines = byRequest.get(requestNo)!;
      expect(lines).toHaveLength(1);
      expect(lines[0].split(',')[5]).toBe((amountMinor / 100).toFixed(2));
    }
    const total = [...succeeded.values()].reduce((sum, amount) => sum + amount, 0);
    expect(lines.at(-2)).toBe(`# 合计,笔数,${succeeded.size},借方金额,${(total / 100).toFixed(2)}`);

    // Someone else's account, a future date, a non-date: refused, signed.
    const coffee = await raw('GET', `/bank/v1/statements/${date}?accountNo=${COFFEE.accountNo}`);
    expect(coffee).toMatchObject({
      status: 403,
      signedByBank: true,
      json: { error: { code: 'BANK.ACCOUNT_NOT_ALLOWED' } },
    });
    const future = await raw('GET', `/bank/v1/statements/2999-01-01?accountNo=${PLATFORM_ACCOUNT}`);
    expect(future).toMatchObject({
      status: 400,
      json: { error: { code: 'BANK.STATEMENT_NOT_AVAILABLE' } },
    });
    const bad = await raw('GET', `/bank/v1/statements/2024-02-30?accountNo=${PLATFORM_ACCOUNT}`);
    expect(bad).toMatchObject({
      status: 400,
      json: { error: { code: 'REQUEST.VALIDATION_FAILED' } },
    });
    await expect(bank.fetchStatement('2999-01-01')).rejects.toMatchObject({
      code: 'BANK.REJECTED',
    });
  });

  it('refuses notifications that are not the bank’s', () => {
    const body = JSON.stringify({ requestNo: 'PO_x', status: 'SUCCEEDED' });
    expect(() => bank.verifyNotification({}, body)).toThrow(
      expect.objectContaining({ code: 'BANK.INVALID_NOTIFICATION' }),
    );
    expect(received.filter((entry) => entry.error !== null)).toEqual([]);
  });
});
