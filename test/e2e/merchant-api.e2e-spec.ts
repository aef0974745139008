import { randomBytes, randomUUID } from 'node:crypto';

import { join } from 'node:path';
import { Client } from 'pg';
import { newId } from '@paylab/ids';
import { createDatabase, dropDatabase, ENV_VARIABLES, freePort, REPO_ROOT } from '@paylab/testing';
import { DEMO_MERCHANT } from '../../services/cashier/src/merchants/demo-merchant';
import { localEnvOf } from '../../tools/local/env-files';
import {
  startServiceProcess,
  stopServiceProcess,
  assertReady,
  type ServiceProcess,
} from '../../tools/local/service-processes';
import { seedDemoData } from '../../tools/seed';
import {
  MerchantApiClient,
  nowSeconds,
  randomNonce,
  send,
  type ApiResponse,
} from './support/merchant-api-client';

const infra = {
  databaseUrl: process.env[ENV_VARIABLES.databaseUrl]!,
  redisUrl: process.env[ENV_VARIABLES.redisUrl]!,
  kafkaBrokers: process.env[ENV_VARIABLES.kafkaBrokers]!,
};

/** The merchant-facing representation of a payment order (contract of the Open API). */
interface PaymentView {
  id: string;
  merchantId: string;
  appId: string;
  merchantOrderNo: string;
  amount: { amountMinor: number; currency: string };
  subject: string;
  description: string | null;
  state: string;
  channel: string | null;
  transactionId: string | null;
  expiresAt: string;
  createdAt: string;
  succeededAt: string | null;
  closedAt: string | null;
  closeReason: string | null;
  checkoutUrl: string;
  qrCodeUrl: string;
}

interface CreatePaymentBody {
  merchantOrderNo?: unknown;
  amount?: { amountMinor?: unknown; currency?: unknown };
  subject?: unknown;
  description?: string;
  notifyUrl?: string;
  returnUrl?: string;
  expiresInSeconds?: number;
}

interface ExpectedError {
  status: number;
  type: string;
  code: string;
  /** Asserted when given; when not, a param in the body only has to be a string. */
  param?: string;
}

interface RejectedCreateCase {
  name: string;
  change: (body: CreatePaymentBody) => CreatePaymentBody;
  expected: ExpectedError;
}

const PAYMENT_ID = /^pay_[0-9A-HJKMNP-TV-Z]{26}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;
const REPLAYED_HEADER = 'idempotent-replayed';

describe('the merchant Open API of cashier (create, read and close payment orders)', () => {
  const databaseName = `paylab_mapi_${Date.now().toString(36)}`;
  const stateDir = join(REPO_ROOT, '.cache', 'test', databaseName);
  let databaseUrl: string;
  let baseUrl: string;
  let cashier: ServiceProcess | undefined;
  let db: Client | undefined;
  /** The seeded demo merchant's app. */
  let demo: MerchantApiClient;
  /** A second merchant with its own app, to prove nothing crosses merchants. */
  let other: MerchantApiClient;
  const otherMerchant = {
    merchantId: newId('mch'),
    appId: newId('app'),
    signingSecret: `sk_e2e_other_${randomBytes(24).toString('hex')}`,
  };

  beforeAll(async () => {
    databaseUrl = await createDatabase(infra.databaseUrl, databaseName);
    // Runs cashier's migrations and inserts the demo merchant, exactly as `npm run seed` does.
    await seedDemoData(databaseUrl, () => undefined);
    db = new Client({ connectionString: databaseUrl });
    await db.connect();
    await db.query(`INSERT INTO cashier.merchants (id, name, status) VALUES ($1, $2, 'ACTIVE')`, [
      otherMerchant.merchantId,
      'E2E Other Tea House (另一家茶馆)',
    ]);
    await db.query(
      `INSERT INTO cashier.merchant_apps (id, merchant_id, name, signing_secret, webhook_url, status)
       VALUES ($1, $2, $3, $4, NULL, 'ACTIVE')`,
      [
        otherMerchant.appId,
        otherMerchant.merchantId,
        'Other web shop',
        otherMerchant.signingSecret,
      ],
    );

    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    cashier = startServiceProcess('cashier', {
      env: localEnvOf('cashier', {
        HTTP_PORT: String(port),
        DATABASE_URL: databaseUrl,
        REDIS_URL: infra.redisUrl,
        KAFKA_BROKERS: infra.kafkaBrokers,
        PUBLIC_BASE_URL: baseUrl,
        LOG_LEVEL: 'info',
        // Its own consumer group: it must not take partitions from another run's cashier.
        KAFKA_CONSUMER_GROUP: `cashier-${databaseName}`,
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
  });

  afterAll(async () => {
    if (cashier) await stopServiceProcess(cashier.pid);
    await db?.end();
    await dropDatabase(infra.databaseUrl, databaseName);
  });

  // ---------------------------------------------------------------------------------------------
  // Helpers

  const newOrderNo = () => `e2e_${randomBytes(8).toString('hex')}`;

  const paymentBody = (overrides: CreatePaymentBody = {}): CreatePaymentBody => ({
    merchantOrderNo: newOrderNo(),
    amount: { amountMinor: 1_999, currency: 'CNY' },
    subject: 'Flat white 馥芮白',
    expiresInSeconds: 1_800,
    ...overrides,
  });

  async function counts(): Promise<{ orders: number; outbox: number }> {
    const orders = await db!.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM cashier.payment_orders',
    );
    const outbox = await db!.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM cashier.outbox_messages',
    );
    return { orders: orders.rows[0].n, outbox: outbox.rows[0].n };
  }

  /** Runs `action` (a rejected create) and checks it wrote neither an order nor an event. */
  async function expectNothingWritten(action: () => Promise<void>): Promise<void> {
    const before = await counts();
    await action();
    expect(await counts()).toEqual(before);
  }

  async function outboxRowsOf(paymentId: string) {
    const result = await db!.query<{
      event_type: string;
      message_key: string;
      payload: Record<string, unknown>;
    }>(
      `SELECT event_type, message_key, payload FROM cashier.outbox_messages
       WHERE message_key = $1 OR payload->>'paymentId' = $1 ORDER BY sequence`,
      [paymentId],
    );
    return result.rows;
  }

  async function createdEventsFor(merchantId: string, merchantOrderNo: string): Promise<number> {
    const result = await db!.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM cashier.outbox_messages
       WHERE event_type = 'payment_order.created'
         AND payload->>'merchantId' = $1 AND payload->>'merchantOrderNo' = $2`,
      [merchantId, merchantOrderNo],
    );
    return result.rows[0].n;
  }

  function expectApiError(response: ApiResponse, expected: ExpectedError): void {
    const error =
      typeof response.json === 'object' && response.json !== null
        ? (response.json as { error?: Record<string, unknown> }).error
        : undefined;
    const param =
      expected.param !== undefined
        ? { param: expected.param }
        : error !== undefined && 'param' in error
          ? { param: expect.any(String) }
          : {};
    expect({ status: response.status, body: response.json ?? response.text }).toEqual({
      status: expected.status,
      body: {
        error: {
          type: expected.type,
          code: expected.code,
          message: expect.stringMatching(/\S/),
          ...param,
          requestId: expect.stringMatching(/^req_/),
        },
      },
    });
  }

  function expectCreatedView(
    response: ApiResponse,
    merchant: { merchantId: string; appId: string },
    body: CreatePaymentBody,
  ): PaymentView {
    expect({ status: response.status, body: response.json ?? response.text }).toEqual({
      status: 201,
      body: {
        id: expect.stringMatching(PAYMENT_ID),
        merchantId: merchant.merchantId,
        appId: merchant.appId,
        merchantOrderNo: body.merchantOrderNo,
        amount: body.amount,
        subject: body.subject,
        description: body.description ?? null,
        state: 'CREATED',
        channel: null,
        transactionId: null,
        expiresAt: expect.stringMatching(ISO_UTC),
        createdAt: expect.stringMatching(ISO_UTC),
        succeededAt: null,
        closedAt: null,
        closeReason: null,
        checkoutUrl: expect.any(String),
        qrCodeUrl: expect.any(String),
        refundedAmount: { amountMinor: 0, currency: 'CNY' },
        refundingAmount: { amountMinor: 0, currency: 'CNY' },
        refundStatus: 'NONE',
        latePayments: [],
      },
    });
    const view = response.json as PaymentView;
    expect(view.checkoutUrl).toBe(`${baseUrl}/checkout/${view.id}`);
    expect(view.qrCodeUrl).toBe(`${baseUrl}/qr/${view.id}`);
    return view;
  }

  async function createPayment(
    client: MerchantApiClient = demo,
    overrides: CreatePaymentBody = {},
  ): Promise<PaymentView> {
    const body = paymentBody(overrides);
    const response = await client.createPayment(body, randomUUID());
    const merchant =
      client === other
        ? otherMerchant
        : { merchantId: DEMO_MERCHANT.merchantId, appId: DEMO_MERCHANT.appId };
    return expectCreatedView(response, merchant, body);
  }

  const demoMerchant = () => ({ merchantId: DEMO_MERCHANT.merchantId, appId: DEMO_MERCHANT.appId });

  // ---------------------------------------------------------------------------------------------
  // Happy path

  describe('happy path', () => {
    it('creates a payment order: 201 with the PaymentView, one row and one payment_order.created event', async () => {
      const before = await counts();
      const body = paymentBody({
        amount: { amountMinor: 2_850, currency: 'CNY' },
        description: 'Two cups, oat milk\nTable 7',
        notifyUrl: 'https://shop.example.com/paylab/notify',
        returnUrl: 'https://shop.example.com/orders/42',
      });
      const started = Date.now();
      const response = await demo.createPayment(body, randomUUID());
      const finished = Date.now();

      const view = expectCreatedView(response, demoMerchant(), body);
      expect(response.headers.get(REPLAYED_HEADER)).not.toBe('true');
      const createdAt = Date.parse(view.createdAt);
      expect(createdAt).toBeGreaterThanOrEqual(started - 5_000);
      expect(createdAt).toBeLessThanOrEqual(finished + 5_000);
      expect(Date.parse(view.expiresAt) - createdAt).toBe(1_800 * 1000);

      expect(await counts()).toEqual({ orders: before.orders + 1, outbox: before.outbox + 1 });
      expect(await outboxRowsOf(view.id)).toEqual([
        {
          event_type: 'payment_order.created',
          message_key: view.id,
          payload: {
            paymentId: view.id,
            merchantId: DEMO_MERCHANT.merchantId,
            merchantOrderNo: body.merchantOrderNo,
            amount: { amountMinor: 2_850, currency: 'CNY' },
            subject: body.subject,
            expiresAt: view.expiresAt,
            createdAt: view.createdAt,
          },
        },
      ]);
    });

    it('reads a payment back by id and by merchantOrderNo (the query is signed)', async () => {
      const created = await createPayment();
      expect(created.description).toBeNull();

      const byId = await demo.getPayment(created.id);
      expect({ status: byId.status, body: byId.json }).toEqual({ status: 200, body: created });

      const byOrderNo = await demo.findPayment(created.merchantOrderNo);
      expect({ status: byOrderNo.status, body: byOrderNo.json }).toEqual({
        status: 200,
        body: created,
      });
    });

    it('replays a create with the same Idempotency-Key and body: identical 201, Idempotent-Replayed, no second order or event', async () => {
      const key = randomUUID();
      const raw = JSON.stringify(paymentBody());
      const first = await demo.createPayment(raw, key);
      const view = expectCreatedView(first, demoMerchant(), JSON.parse(raw) as CreatePaymentBody);
      expect(first.headers.get(REPLAYED_HEADER)).not.toBe('true');
      const afterFirst = await counts();

      // Same key, byte-for-byte the same body, signed afresh (a new nonce and timestamp).
      const replay = await demo.createPayment(raw, key);
      expect({ status: replay.status, body: replay.json }).toEqual({ status: 201, body: view });
      expect(replay.headers.get(REPLAYED_HEADER)).toBe('true');

      expect(await counts()).toEqual(afterFirst);
      expect((await outboxRowsOf(view.id)).map((row) => row.event_type)).toEqual([
        'payment_order.created',
      ]);
    });

    it('closes a payment at the merchant request: CLOSED with one payment_order.closed event; closing again changes nothing', async () => {
      const created = await createPayment();
      const before = await counts();

      const closed = await demo.closePayment(created.id);
      expect({ status: closed.status, body: closed.json }).toEqual({
        status: 200,
        body: {
          ...created,
          state: 'CLOSED',
          closeReason: 'MERCHANT_REQUEST',
          closedAt: expect.stringMatching(ISO_UTC),
        },
      });
      const closedView = closed.json as PaymentView;
      expect(Date.parse(closedView.closedAt!)).toBeGreaterThanOrEqual(
        Date.parse(created.createdAt),
      );
      expect(await counts()).toEqual({ orders: before.orders, outbox: before.outbox + 1 });
      const rows = await outboxRowsOf(created.id);
      expect(rows.map((row) => [row.event_type, row.message_key])).toEqual([
        ['payment_order.created', created.id],
        ['payment_order.closed', created.id],
      ]);
      expect(rows[1].payload).toEqual({
        paymentId: created.id,
        merchantId: DEMO_MERCHANT.merchantId,
        reason: 'MERCHANT_REQUEST',
        closedAt: closedView.closedAt,
      });

      const again = await demo.closePayment(created.id, '{}');
      expect({ status: again.status, body: again.json }).toEqual({ status: 200, body: closedView });
      expect(await counts()).toEqual({ orders: before.orders, outbox: before.outbox + 1 });
      expect((await outboxRowsOf(created.id)).length).toBe(2);

      const read = await demo.getPayment(created.id);
      expect({ status: read.status, body: read.json }).toEqual({ status: 200, body: closedView });
    });
  });

  // ---------------------------------------------------------------------------------------------
  // Authentication

  describe('authentication', () => {
    const unauthenticated = (code: string): ExpectedError => ({
      status: 401,
      type: 'authentication_error',
      code,
    });

    it('rejects a request without Authorization: 401 AUTH.MISSING_HEADER, nothing written', async () => {
      await expectNothingWritten(async () => {
        const response = await demo.request({
          method: 'POST',
          path: '/v1/payments',
          body: JSON.stringify(paymentBody()),
          idempotencyKey: randomUUID(),
          authorization: null,
        });
        expectApiError(response, unauthenticated('AUTH.MISSING_HEADER'));
      });
      const read = await demo.request({
        method: 'GET',
        path: `/v1/payments/${newId('pay')}`,
        authorization: null,
      });
      expectApiError(read, unauthenticated('AUTH.MISSING_HEADER'));
    });

    it.each([
      ['another scheme', 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl'],
      ['the scheme alone', 'PAYLAB-HMAC-SHA256'],
      ['unquoted garbage parameters', 'PAYLAB-HMAC-SHA256 app_id=x,timestamp=y,nonce=z'],
      [
        'a signature that is not base64 of 32 bytes',
        `PAYLAB-HMAC-SHA256 app_id="${DEMO_MERCHANT.appId}",timestamp="${nowSeconds()}",nonce="${randomNonce()}",signature="not-a-signature"`,
      ],
    ])(
      'rejects a garbage Authorization header (%s): 401 AUTH.MALFORMED_HEADER, nothing written',
      async (_label, authorization) => {
        await expectNothingWritten(async () => {
          const response = await demo.request({
            method: 'POST',
            path: '/v1/payments',
            body: JSON.stringify(paymentBody()),
            idempotencyKey: randomUUID(),
            authorization,
          });
          expectApiError(response, unauthenticated('AUTH.MALFORMED_HEADER'));
        });
      },
    );

    it('rejects an app id nobody registered: 401 AUTH.UNKNOWN_APP, nothing written', async () => {
      const stranger = new MerchantApiClient(baseUrl, {
        appId: newId('app'),
        secret: `sk_unknown_${randomBytes(24).toString('hex')}`,
      });
      await expectNothingWritten(async () => {
        const response = await stranger.createPayment(paymentBody(), randomUUID());
        expectApiError(response, unauthenticated('AUTH.UNKNOWN_APP'));
      });
    });

    it('rejects a request signed with the wrong secret: 401 AUTH.SIGNATURE_MISMATCH, nothing written', async () => {
      const impostor = new MerchantApiClient(baseUrl, {
        appId: DEMO_MERCHANT.appId,
        secret: `sk_wrong_${randomBytes(24).toString('hex')}`,
      });
      await expectNothingWritten(async () => {
        const response = await impostor.createPayment(paymentBody(), randomUUID());
        expectApiError(response, unauthenticated('AUTH.SIGNATURE_MISMATCH'));
      });
    });

    it("rejects another merchant's app signing with the demo app's secret: 401 AUTH.SIGNATURE_MISMATCH", async () => {
      const crossed = new MerchantApiClient(baseUrl, {
        appId: otherMerchant.appId,
        secret: DEMO_MERCHANT.signingSecret,
      });
      await expectNothingWritten(async () => {
        const response = await crossed.createPayment(paymentBody(), randomUUID());
        expectApiError(response, unauthenticated('AUTH.SIGNATURE_MISMATCH'));
      });
    });

    it('rejects a body tampered with after signing: 401 AUTH.SIGNATURE_MISMATCH, nothing written', async () => {
      const signed = paymentBody({ amount: { amountMinor: 1, currency: 'CNY' } });
      const tampered = { ...signed, amount: { amountMinor: 100, currency: 'CNY' } };
      await expectNothingWritten(async () => {
        const response = await demo.request({
          method: 'POST',
          path: '/v1/payments',
          body: JSON.stringify(tampered),
          idempotencyKey: randomUUID(),
          signAs: { body: JSON.stringify(signed) },
        });
        expectApiError(response, unauthenticated('AUTH.SIGNATURE_MISMATCH'));
      });
    });

    it('rejects a query changed after signing: 401 AUTH.SIGNATURE_MISMATCH', async () => {
      const created = await createPayment();
      const response = await demo.request({
        method: 'GET',
        path: '/v1/payments',
        query: { merchantOrderNo: created.merchantOrderNo },
        signAs: { query: { merchantOrderNo: newOrderNo() } },
      });
      expectApiError(response, unauthenticated('AUTH.SIGNATURE_MISMATCH'));
    });

    it.each([
      ['10 minutes old', -600],
      ['10 minutes in the future', 600],
    ])(
      'rejects a timestamp %s: 401 AUTH.TIMESTAMP_OUT_OF_WINDOW, nothing written',
      async (_label, offsetSeconds) => {
        await expectNothingWritten(async () => {
          const response = await demo.request({
            method: 'POST',
            path: '/v1/payments',
            body: JSON.stringify(paymentBody()),
            idempotencyKey: randomUUID(),
            timestamp: nowSeconds() + offsetSeconds,
          });
          expectApiError(response, unauthenticated('AUTH.TIMESTAMP_OUT_OF_WINDOW'));
        });
      },
    );

    it('rejects the exact same signed request sent twice: the second is 401 AUTH.NONCE_REPLAYED and writes nothing', async () => {
      const body = paymentBody();
      const prepared = demo.prepare({
        method: 'POST',
        path: '/v1/payments',
        body: JSON.stringify(body),
        idempotencyKey: randomUUID(),
      });
      const first = await send(prepared);
      expectCreatedView(first, demoMerchant(), body);
      await expectNothingWritten(async () => {
        const second = await send(prepared);
        expectApiError(second, unauthenticated('AUTH.NONCE_REPLAYED'));
      });
    });
  });

  // ---------------------------------------------------------------------------------------------
  // Rejected creates

  describe('creating a payment, rejected', () => {
    const invalid = (code: string, param?: string): ExpectedError => ({
      status: 400,
      type: 'invalid_request_error',
      code,
      ...(param === undefined ? {} : { param }),
    });

    it('requires an Idempotency-Key: 400 IDEMPOTENCY.KEY_REQUIRED, nothing written', async () => {
      await expectNothingWritten(async () => {
        const response = await demo.request({
          method: 'POST',
          path: '/v1/payments',
          body: JSON.stringify(paymentBody()),
        });
        expectApiError(response, invalid('IDEMPOTENCY.KEY_REQUIRED'));
      });
    });

    const withAmountMinor = (amountMinor: unknown) => (body: CreatePaymentBody) => ({
      ...body,
      amount: { ...body.amount, amountMinor },
    });
    const withCurrency = (currency: unknown) => (body: CreatePaymentBody) => ({
      ...body,
      amount: { ...body.amount, currency },
    });

    it.each<RejectedCreateCase>([
      {
        name: 'amountMinor 0',
        change: withAmountMinor(0),
        expected: invalid('PAYMENT.INVALID_AMOUNT', 'amount.amountMinor'),
      },
      {
        name: 'amountMinor -100',
        change: withAmountMinor(-100),
        expected: invalid('PAYMENT.INVALID_AMOUNT', 'amount.amountMinor'),
      },
      {
        name: 'amountMinor 1.5 (not whole fen)',
        change: withAmountMinor(1.5),
        expected: invalid('REQUEST.VALIDATION_FAILED', 'amount.amountMinor'),
      },
      {
        name: 'amountMinor "100" (a string)',
        change: withAmountMinor('100'),
        expected: invalid('REQUEST.VALIDATION_FAILED', 'amount.amountMinor'),
      },
      {
        name: 'amountMinor 10000000000 (absurdly large)',
        change: withAmountMinor(10_000_000_000),
        expected: invalid('PAYMENT.AMOUNT_TOO_LARGE', 'amount.amountMinor'),
      },
      {
        name: "currency 'XYZ' (not a currency)",
        change: withCurrency('XYZ'),
        expected: invalid('PAYMENT.UNSUPPORTED_CURRENCY', 'amount.currency'),
      },
      {
        name: "currency 'USD' (real but unsupported)",
        change: withCurrency('USD'),
        expected: invalid('PAYMENT.UNSUPPORTED_CURRENCY', 'amount.currency'),
      },
      {
        name: 'a missing subject',
        change: ({ subject: _subject, ...rest }) => rest,
        expected: invalid('REQUEST.VALIDATION_FAILED', 'subject'),
      },
    ])('rejects $name: $expected.status $expected.code, nothing written', async (testCase) => {
      await expectNothingWritten(async () => {
        const response = await demo.createPayment(testCase.change(paymentBody()), randomUUID());
        expectApiError(response, testCase.expected);
      });
    });

    it('rejects a malformed JSON body, signed as sent: 400 REQUEST.MALFORMED_JSON, nothing written', async () => {
      await expectNothingWritten(async () => {
        const response = await demo.createPayment('{"merchantOrderNo": ', randomUUID());
        expectApiError(response, invalid('REQUEST.MALFORMED_JSON'));
      });
    });

    it('rejects the same Idempotency-Key with a different body: 422 IDEMPOTENCY.KEY_REUSED_WITH_DIFFERENT_REQUEST, nothing written', async () => {
      const key = randomUUID();
      const body = paymentBody();
      expectCreatedView(await demo.createPayment(body, key), demoMerchant(), body);
      await expectNothingWritten(async () => {
        const changed = { ...body, amount: { amountMinor: 1, currency: 'CNY' } };
        const response = await demo.createPayment(changed, key);
        expectApiError(response, {
          status: 422,
          type: 'idempotency_error',
          code: 'IDEMPOTENCY.KEY_REUSED_WITH_DIFFERENT_REQUEST',
        });
      });
      await expectNothingWritten(async () => {
        const response = await demo.createPayment({ ...body, merchantOrderNo: newOrderNo() }, key);
        expectApiError(response, {
          status: 422,
          type: 'idempotency_error',
          code: 'IDEMPOTENCY.KEY_REUSED_WITH_DIFFERENT_REQUEST',
        });
      });
    });

    it('lets two concurrent requests with one new Idempotency-Key create exactly one order (409 IDEMPOTENCY.REQUEST_IN_PROGRESS or a replay)', async () => {
      const outcomes: string[] = [];
      for (let attempt = 1; attempt <= 10; attempt++) {
        const key = randomUUID();
        const body = paymentBody();
        const raw = JSON.stringify(body);
        const before = await counts();

        const responses = await Promise.all([
          demo.createPayment(raw, key),
          demo.createPayment(raw, key),
        ]);
        const created = responses.filter((response) => response.status === 201);
        const refused = responses.filter((response) => response.status !== 201);
        expect(created.length).toBeGreaterThanOrEqual(1);
        const view = expectCreatedView(created[0], demoMerchant(), body);
        if (refused.length === 1) {
          expectApiError(refused[0], {
            status: 409,
            type: 'conflict_error',
            code: 'IDEMPOTENCY.REQUEST_IN_PROGRESS',
          });
          outcomes.push('409');
        } else {
          expect(created[1].json).toEqual(view);
          expect(
            created.map((response) => response.headers.get(REPLAYED_HEADER) === 'true').sort(),
          ).toEqual([false, true]);
          outcomes.push('replay');
        }

        // Whatever the interleaving: exactly one order and one created event.
        expect(await counts()).toEqual({ orders: before.orders + 1, outbox: before.outbox + 1 });
        expect(
          await createdEventsFor(DEMO_MERCHANT.merchantId, body.merchantOrderNo as string),
        ).toBe(1);
        const found = await demo.findPayment(body.merchantOrderNo as string);
        expect({ status: found.status, body: found.json }).toEqual({ status: 200, body: view });

        // Once the first request has finished, retrying with the same key is a replay.
        const retry = await demo.createPayment(raw, key);
        expect({ status: retry.status, body: retry.json }).toEqual({ status: 201, body: view });
        expect(retry.headers.get(REPLAYED_HEADER)).toBe('true');
        expect(await counts()).toEqual({ orders: before.orders + 1, outbox: before.outbox + 1 });

        if (refused.length === 1) break;
      }
      process.stdout.write(`[e2e] concurrent idempotent creates: ${outcomes.join(', ')}\n`);
    });

    it('rejects a merchantOrderNo already used with a different Idempotency-Key: 409 PAYMENT.DUPLICATE_MERCHANT_ORDER_NO, nothing written', async () => {
      const created = await createPayment();
      await expectNothingWritten(async () => {
        const response = await demo.createPayment(
          paymentBody({
            merchantOrderNo: created.merchantOrderNo,
            amount: { amountMinor: 500, currency: 'CNY' },
          }),
          randomUUID(),
        );
        expectApiError(response, {
          status: 409,
          type: 'conflict_error',
          code: 'PAYMENT.DUPLICATE_MERCHANT_ORDER_NO',
        });
      });
      const found = await demo.findPayment(created.merchantOrderNo);
      expect({ status: found.status, body: found.json }).toEqual({ status: 200, body: created });
    });
  });

  // ---------------------------------------------------------------------------------------------
  // Tenant isolation and unknown ids

  describe('tenant isolation and unknown payments', () => {
    const notFound: ExpectedError = {
      status: 404,
      type: 'not_found_error',
      code: 'PAYMENT.NOT_FOUND',
    };

    it("answers 404 PAYMENT.NOT_FOUND for another merchant's payment (GET and close), leaving it unchanged", async () => {
      const theirs = await createPayment(other);
      const before = await counts();

      expectApiError(await demo.getPayment(theirs.id), notFound);
      expectApiError(await demo.closePayment(theirs.id), notFound);
      expectApiError(await demo.findPayment(theirs.merchantOrderNo), notFound);

      expect(await counts()).toEqual(before);
      expect((await outboxRowsOf(theirs.id)).map((row) => row.event_type)).toEqual([
        'payment_order.created',
      ]);
      const unchanged = await other.getPayment(theirs.id);
      expect({ status: unchanged.status, body: unchanged.json }).toEqual({
        status: 200,
        body: theirs,
      });
    });

    it('keeps merchantOrderNo unique per merchant only: two merchants may use the same one', async () => {
      const mine = await createPayment(demo);
      const theirs = await createPayment(other, { merchantOrderNo: mine.merchantOrderNo });
      expect(theirs.id).not.toBe(mine.id);

      const myLookup = await demo.findPayment(mine.merchantOrderNo);
      expect({ status: myLookup.status, body: myLookup.json }).toEqual({ status: 200, body: mine });
      const theirLookup = await other.findPayment(mine.merchantOrderNo);
      expect({ status: theirLookup.status, body: theirLookup.json }).toEqual({
        status: 200,
        body: theirs,
      });
    });

    it("scopes Idempotency-Keys to the merchant: another merchant's key never replays or blocks", async () => {
      const key = randomUUID();
      const mine = await demo.createPayment(paymentBody(), key);
      expect(mine.status).toBe(201);
      const theirBody = paymentBody({ amount: { amountMinor: 777, currency: 'CNY' } });
      const theirs = await other.createPayment(theirBody, key);
      const view = expectCreatedView(theirs, otherMerchant, theirBody);
      expect(theirs.headers.get(REPLAYED_HEADER)).not.toBe('true');
      expect(view.id).not.toBe((mine.json as PaymentView).id);
    });

    it('answers 404 PAYMENT.NOT_FOUND for a well-formed id nobody created (GET and close)', async () => {
      const unknown = newId('pay');
      await expectNothingWritten(async () => {
        expectApiError(await demo.getPayment(unknown), notFound);
        expectApiError(await demo.closePayment(unknown), notFound);
      });
      expectApiError(await demo.findPayment(newOrderNo()), notFound);
    });

    it("answers a malformed id 'abc' with 404 PAYMENT.NOT_FOUND or 400 REQUEST.VALIDATION_FAILED (GET and close)", async () => {
      await expectNothingWritten(async () => {
        for (const response of [await demo.getPayment('abc'), await demo.closePayment('abc')]) {
          expectApiError(
            response,
            response.status === 400
              ? { status: 400, type: 'invalid_request_error', code: 'REQUEST.VALIDATION_FAILED' }
              : notFound,
          );
        }
      });
    });
  });

  describe('bad input and webhook destinations', () => {
    const errorOf = (response: ApiResponse) =>
      (response.json as { error?: Record<string, unknown> } | undefined)?.error;

    it('answers 400 REQUEST.INVALID_CHARACTERS for a NUL in a query, naming the parameter', async () => {
      const response = await demo.findPayment('\u0000');
      expect(response.status).toBe(400);
      expect(errorOf(response)).toEqual({
        type: 'invalid_request_error',
        code: 'REQUEST.INVALID_CHARACTERS',
        message: expect.stringContaining('NUL'),
        param: 'merchantOrderNo',
        requestId: expect.stringMatching(/^req_/),
      });
    });

    it.each([
      ['a NUL in a merchant API id', '/v1/payments/pay_%00'],
      ['a NUL in the public checkout status', '/checkout/pay_%00/status'],
      ['a NUL in the checkout page', '/checkout/pay_%00'],
      ['broken percent-encoding', '/v1/payments/pay_%E4%B9'],
      ['invalid UTF-8 in a query', '/v1/payments?merchantOrderNo=%FF'],
    ])('answers 400 REQUEST.INVALID_CHARACTERS for %s (%s)', async (_case, path) => {
      const response = await fetch(`${baseUrl}${path}`);
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: Record<string, unknown> };
      expect(body.error).toMatchObject({
        type: 'invalid_request_error',
        code: 'REQUEST.INVALID_CHARACTERS',
        requestId: expect.stringMatching(/^req_/),
      });
    });

    it.each([
      ['a NUL in the subject', '"Tea\\u0000"', 'subject'],
      ['a lone surrogate in the subject', '"Tea\\ud83d"', 'subject'],
    ])('rejects a create with %s: 400, nothing written', async (_case, subjectJson, param) => {
      await expectNothingWritten(async () => {
        const raw = JSON.stringify(paymentBody()).replace(
          /"subject":"[^"]*"/,
          `"subject":${subjectJson}`,
        );
        expect(raw).toContain(subjectJson);
        const response = await demo.createPayment(raw, randomUUID());
        expectApiError(response, {
          status: 400,
          type: 'invalid_request_error',
          code: 'REQUEST.INVALID_CHARACTERS',
          param,
        });
      });
    });

    it.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])(
      'answers 415 REQUEST.UNSUPPORTED_MEDIA_TYPE for a correctly signed create sent as %s, nothing written',
      async (contentType) => {
        await expectNothingWritten(async () => {
          const prepared = demo.prepare({
            method: 'POST',
            path: '/v1/payments',
            body: JSON.stringify(paymentBody()),
            idempotencyKey: randomUUID(),
          });
          prepared.headers['content-type'] = contentType;
          const response = await send(prepared);
          expectApiError(response, {
            status: 415,
            type: 'unsupported_media_type_error',
            code: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
          });
        });
      },
    );

    it.each([
      ['the cloud metadata service', 'http://169.254.169.254/latest/meta-data/'],
      ['a private address', 'http://10.0.0.8/hook'],
      ['a private address behind https', 'https://192.168.1.1/hook'],
      ['CGNAT', 'http://100.64.0.1/hook'],
      ['loopback not on the allow-list', 'http://127.0.0.2:8080/hook'],
      ['IPv6 loopback', 'http://[::1]:3000/hook'],
      ['IPv4-mapped metadata', 'http://[::ffff:a9fe:a9fe]/latest'],
      ['the unspecified address', 'http://0.0.0.0:3000/hook'],
    ])(
      'refuses a notifyUrl pointing at %s: 400 PAYMENT.WEBHOOK_URL_NOT_ALLOWED, nothing written',
      async (_case, notifyUrl) => {
        await expectNothingWritten(async () => {
          const response = await demo.createPayment(paymentBody({ notifyUrl }), randomUUID());
          expectApiError(response, {
            status: 400,
            type: 'invalid_request_error',
            code: 'PAYMENT.WEBHOOK_URL_NOT_ALLOWED',
            param: 'notifyUrl',
          });
        });
      },
    );

    it("takes a notifyUrl on the allow-list (the lab's test receiver on loopback)", async () => {
      const body = paymentBody({ notifyUrl: 'http://127.0.0.1:9/webhooks' });
      expectCreatedView(await demo.createPayment(body, randomUUID()), demoMerchant(), body);
    });

    it('refuses, at delivery, a webhook URL that was never checked at create: recorded as REFUSED, never sent, not retried', async () => {
      // The app-level webhook URL is configuration, not a request field: only delivery checks it.
      await db!.query(`UPDATE cashier.merchant_apps SET webhook_url = $1 WHERE id = $2`, [
        'http://169.254.169.254/latest/meta-data/',
        otherMerchant.appId,
      ]);
      try {
        const created = await other.createPayment(paymentBody(), randomUUID());
        expect(created.status).toBe(201);
        const id = (created.json as PaymentView).id;
        expect((await other.closePayment(id)).status).toBe(200);

        type Listed = {
          data: Array<{
            status: string;
            attemptCount: number;
            attempts: Array<{ outcome: string; responseStatus: number | null; error: string }>;
          }>;
        };
        const list = async () =>
          (await other.request({ method: 'GET', path: `/v1/payments/${id}/notifications` }))
            .json as Listed;
        const deadline = Date.now() + 20_000;
        while ((await list()).data[0]?.status !== 'FAILED') {
          if (Date.now() > deadline) throw new Error(JSON.stringify(await list()));
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        // Long enough for the worker to have tried again, had it meant to.
        await new Promise((resolve) => setTimeout(resolve, 2_500));
        const [notification] = (await list()).data;
        expect(notification).toMatchObject({ status: 'FAILED', attemptCount: 1 });
        expect(notification.attempts).toEqual([
          expect.objectContaining({
            outcome: 'REFUSED',
            responseStatus: null,
            error: expect.stringMatching(/^refused, not sent: 169\.254\.169\.254: a link-local/),
          }),
        ]);
      } finally {
        await db!.query(`UPDATE cashier.merchant_apps SET webhook_url = NULL WHERE id = $1`, [
          otherMerchant.appId,
        ]);
      }
    });
  });
});
