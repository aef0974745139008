import { join } from 'node:path';
import { Client } from 'pg';
import { openServiceDatabase } from '@paylab/database';
import { newId } from '@paylab/ids';
import { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS } from '@paylab/messaging';
import { createDatabase, dropDatabase, ENV_VARIABLES, freePort, REPO_ROOT } from '@paylab/testing';
import { routingSchema } from '../../services/routing/src/config';
import {
  DEMO_BOOKS_CHANNEL_ACCOUNTS,
  DEMO_BOOKS_ROUTING_MERCHANT_ID,
  DEMO_CHANNEL_ACCOUNTS,
  DEMO_ROUTING_MERCHANT_ID,
  seedRoutingDemoData,
} from '../../services/routing/src/demo-data';
import { ROUTING_ENTITIES, ROUTING_MIGRATIONS } from '../../services/routing/src/persistence';
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

const DECISION_ID = /^rtd_[0-9A-HJKMNP-TV-Z]{26}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;
const HEADER = 'route-decision-id';
const ALIPAY = DEMO_CHANNEL_ACCOUNTS.alipay;
const ALIPAY_LARGE = DEMO_CHANNEL_ACCOUNTS.alipayLarge;
const WECHAT = DEMO_CHANNEL_ACCOUNTS.wechatPay;
const UNIONPAY = DEMO_CHANNEL_ACCOUNTS.unionPay;

interface Reason {
  code: string;
  message: string;
}
interface TraceEntry {
  channelAccountId: string;
  channel: string;
  outcome: 'KEPT' | 'DROPPED';
  rank: number | null;
  reasons: Reason[];
}
interface Decision {
  id: string;
  merchantId: string;
  method: string;
  amount: { amountMinor: number; currency: string };
  device: string | null;
  strategy: string;
  outcome: 'ROUTED' | 'NO_CHANNEL_AVAILABLE';
  chosen: Record<string, unknown> | null;
  fallbacks: Array<Record<string, unknown>>;
  trace: TraceEntry[];
  createdAt: string;
}
interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}
interface ExpectedError {
  status: number;
  type: string;
  code: string;
  /** Absent means the error must carry no param at all. */
  param?: string;
}

describe('routing (支付路由) as its own process: route decisions with a trace', () => {
  const databaseName = `paylab_routing_${Date.now().toString(36)}`;
  const stateDir = join(REPO_ROOT, '.cache', 'test', databaseName);
  let baseUrl: string;
  let routing: ServiceProcess | undefined;
  let db: Client | undefined;
  let databaseUrl: string;
  let firstSeed: string | undefined;

  /** Opens the routing schema the way tools/seed.ts does, and seeds the demo accounts. */
  async function seed(): Promise<string> {
    const dataSource = await openServiceDatabase({
      url: databaseUrl,
      schema: routingSchema,
      entities: [...MESSAGING_ENTITIES, ...ROUTING_ENTITIES],
      migrations: [...MESSAGING_MIGRATIONS, ...ROUTING_MIGRATIONS],
      applicationName: 'e2e-seed',
    });
    try {
      return await seedRoutingDemoData(dataSource);
    } finally {
      await dataSource.destroy();
    }
  }

  beforeAll(async () => {
    databaseUrl = await createDatabase(infra.databaseUrl, databaseName);
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    routing = startServiceProcess('routing', {
      env: localEnvOf('routing', {
        HTTP_PORT: String(port),
        DATABASE_URL: databaseUrl,
        REDIS_URL: infra.redisUrl,
        KAFKA_BROKERS: infra.kafkaBrokers,
        LOG_LEVEL: 'info',
      }),
      stateDir,
    });
    await assertReady(routing);
    db = new Client({ connectionString: databaseUrl });
    await db.connect();
    // After the service has migrated its schema on start-up, as in compose and local mode.
    firstSeed = await seed();
  });

  afterAll(async () => {
    if (routing) await stopServiceProcess(routing.pid);
    await db?.end();
    await dropDatabase(infra.databaseUrl, databaseName);
  });

  // ---------------------------------------------------------------------------------------------
  // Helpers

  async function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Answer> {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...asOperator('operator'),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  }

  const decide = (body: unknown) => call('POST', '/v1/route-decisions', body);
  const simulate = (body: unknown) => call('POST', '/v1/route-decisions/simulate', body);

  const request = (method: string, amountMinor: number, currency = 'CNY') => ({
    merchantId: DEMO_ROUTING_MERCHANT_ID,
    method,
    amount: { amountMinor, currency },
  });

  async function storedDecisions(): Promise<number> {
    const result = await db!.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM routing.route_decisions',
    );
    return result.rows[0].n;
  }

  function expectApiError(answer: Answer, expected: ExpectedError): void {
    expect({ status: answer.status, body: answer.json ?? answer.text }).toEqual({
      status: expected.status,
      body: {
        error: {
          type: expected.type,
          code: expected.code,
          message: expect.stringMatching(/\S/),
          ...(expected.param === undefined ? {} : { param: expected.param }),
          requestId: expect.stringMatching(/^req_/),
        },
      },
    });
  }

  const codesOf = (trace: TraceEntry[]) =>
    trace.map((entry) => [
      entry.channelAccountId,
      entry.outcome,
      entry.rank,
      entry.reasons.map((reason) => reason.code),
    ]);

  // ---------------------------------------------------------------------------------------------

  describe('demo data (seedRoutingDemoData, for tools/seed.ts)', () => {
    it('inserts Demo Coffee’s four and Demo Books’ two channel accounts once, and is safe to run again', async () => {
      expect(firstSeed).toBe('created');
      expect(await seed()).toBe('already present');
      const rows = await db!.query(
        'SELECT id, merchant_id, channel, channel_merchant_no FROM routing.channel_accounts ORDER BY id',
      );
      expect(
        rows.rows.map((row: Record<string, string>) => [
          row.id,
          row.merchant_id,
          row.channel,
          row.channel_merchant_no,
        ]),
      ).toEqual([
        [ALIPAY.id, DEMO_ROUTING_MERCHANT_ID, 'ALIPAY', '2088000000000001'],
        [WECHAT.id, DEMO_ROUTING_MERCHANT_ID, 'WECHAT_PAY', '1900000001'],
        [UNIONPAY.id, DEMO_ROUTING_MERCHANT_ID, 'UNIONPAY', '777000000000001'],
        [ALIPAY_LARGE.id, DEMO_ROUTING_MERCHANT_ID, 'ALIPAY', '2088000000000002'],
        [
          DEMO_BOOKS_CHANNEL_ACCOUNTS.alipay.id,
          DEMO_BOOKS_ROUTING_MERCHANT_ID,
          'ALIPAY',
          '2088000000000003',
        ],
        [
          DEMO_BOOKS_CHANNEL_ACCOUNTS.wechatPay.id,
          DEMO_BOOKS_ROUTING_MERCHANT_ID,
          'WECHAT_PAY',
          '1900000002',
        ],
      ]);
    });
  });

  describe('configuration', () => {
    it('lists the three channels seeded by the migration', async () => {
      const answer = await call('GET', '/v1/channels');
      expect({ status: answer.status, body: answer.json }).toEqual({
        status: 200,
        body: {
          data: [
            expect.objectContaining({
              code: 'ALIPAY',
              enabled: true,
              supportedMethods: ['ALIPAY'],
            }),
            expect.objectContaining({
              code: 'UNIONPAY',
              enabled: true,
              supportedMethods: ['UNIONPAY'],
            }),
            expect.objectContaining({
              code: 'WECHAT_PAY',
              enabled: true,
              supportedMethods: ['WECHAT_PAY'],
              supportedCurrencies: ['CNY'],
            }),
          ],
        },
      });
    });

    it("lists the demo merchant's channel accounts with limits and fee rates", async () => {
      const answer = await call(
        'GET',
        `/v1/merchants/${DEMO_ROUTING_MERCHANT_ID}/channel-accounts`,
      );
      expect(answer.status).toBe(200);
      const data = (answer.json as { data: Array<Record<string, unknown>> }).data;
      expect(
        data.map((account) => [
          account.id,
          account.channel,
          account.enabled,
          account.merchantFeeRate,
        ]),
      ).toEqual([
        [ALIPAY.id, 'ALIPAY', true, '0.55%'],
        [WECHAT.id, 'WECHAT_PAY', true, '0.60%'],
        [UNIONPAY.id, 'UNIONPAY', false, '0.38%'],
        [ALIPAY_LARGE.id, 'ALIPAY', true, '0.50%'],
      ]);
      expect(data[1]).toEqual({
        id: WECHAT.id,
        merchantId: DEMO_ROUTING_MERCHANT_ID,
        channel: 'WECHAT_PAY',
        channelMerchantNo: WECHAT.channelMerchantNo,
        enabled: true,
        limits: {
          minAmount: { amountMinor: 1, currency: 'CNY' },
          maxAmount: { amountMinor: 2_000_000, currency: 'CNY' },
        },
        merchantFeePpm: 6_000,
        merchantFeeRate: '0.60%',
        priority: 100,
        createdAt: expect.stringMatching(ISO_UTC),
        updatedAt: expect.stringMatching(ISO_UTC),
      });
    });

    it('an unknown merchant has no accounts; a malformed merchant id is a 400', async () => {
      const unknown = await call('GET', `/v1/merchants/${newId('mch')}/channel-accounts`);
      expect({ status: unknown.status, body: unknown.json }).toEqual({
        status: 200,
        body: { data: [] },
      });
      expectApiError(await call('GET', '/v1/merchants/cha_nope/channel-accounts'), {
        status: 400,
        type: 'invalid_request_error',
        code: 'REQUEST.VALIDATION_FAILED',
        param: 'merchantId',
      });
    });
  });

  describe('route decisions', () => {
    it('WECHAT_PAY ¥100: the WeChat Pay account is chosen; the trace shows the others dropped, with reasons', async () => {
      const before = await storedDecisions();
      const answer = await decide({ ...request('WECHAT_PAY', 10_000), device: 'MOBILE' });
      expect({ status: answer.status, body: answer.json }).toEqual({
        status: 200,
        body: {
          id: expect.stringMatching(DECISION_ID),
          merchantId: DEMO_ROUTING_MERCHANT_ID,
          method: 'WECHAT_PAY',
          amount: { amountMinor: 10_000, currency: 'CNY' },
          device: 'MOBILE',
          strategy: 'PRIORITY_THEN_FEE',
          outcome: 'ROUTED',
          chosen: {
            channelAccountId: WECHAT.id,
            channel: 'WECHAT_PAY',
            channelMerchantNo: WECHAT.channelMerchantNo,
            merchantFeePpm: 6_000,
            estimatedMerchantFee: { amountMinor: 60, currency: 'CNY' },
            priority: 100,
            prioritySource: 'ACCOUNT',
            ruleId: null,
          },
          fallbacks: [],
          trace: expect.any(Array),
          createdAt: expect.stringMatching(ISO_UTC),
        },
      });
      const decision = answer.json as Decision;
      expect(answer.headers.get(HEADER)).toBe(decision.id);
      expect(codesOf(decision.trace)).toEqual([
        [WECHAT.id, 'KEPT', 1, ['ELIGIBLE', 'DEFAULT_PRIORITY', 'CHOSEN']],
        [ALIPAY.id, 'DROPPED', null, ['METHOD_UNSUPPORTED']],
        [UNIONPAY.id, 'DROPPED', null, ['ACCOUNT_DISABLED', 'METHOD_UNSUPPORTED']],
        [ALIPAY_LARGE.id, 'DROPPED', null, ['METHOD_UNSUPPORTED', 'AMOUNT_BELOW_MIN']],
      ]);
      for (const entry of decision.trace) {
        for (const reason of entry.reasons) expect(reason.message).toMatch(/\S/);
      }
      expect(await storedDecisions()).toBe(before + 1);

      const read = await call('GET', `/v1/route-decisions/${decision.id}`);
      expect({ status: read.status, body: read.json }).toEqual({ status: 200, body: decision });
    });

    it('ALIPAY ¥45,000 goes to the large-amounts Alipay account (¥5,000.01 … ¥50,000)', async () => {
      const answer = await decide(request('ALIPAY', 4_500_000));
      expect(answer.status).toBe(200);
      const decision = answer.json as Decision;
      expect(decision.chosen).toMatchObject({
        channelAccountId: ALIPAY_LARGE.id,
        estimatedMerchantFee: { amountMinor: 22_500, currency: 'CNY' },
      });
      expect(decision.device).toBeNull();
    });

    it('Demo Books is routed to its own accounts only, never to Demo Coffee’s', async () => {
      const BOOKS_ALIPAY = DEMO_BOOKS_CHANNEL_ACCOUNTS.alipay;
      const BOOKS_WECHAT = DEMO_BOOKS_CHANNEL_ACCOUNTS.wechatPay;
      // ¥45,000 would go to Coffee's large-amounts account; Books has one Alipay account for all.
      for (const [method, amountMinor, account, fee] of [
        ['ALIPAY', 100, BOOKS_ALIPAY.id, 1],
        ['ALIPAY', 4_500_000, BOOKS_ALIPAY.id, 24_750],
        ['WECHAT_PAY', 10_000, BOOKS_WECHAT.id, 60],
      ] as const) {
        const answer = await decide({
          ...request(method, amountMinor),
          merchantId: DEMO_BOOKS_ROUTING_MERCHANT_ID,
        });
        expect(answer.status).toBe(200);
        const decision = answer.json as Decision;
        expect(decision.chosen).toMatchObject({
          channelAccountId: account,
          estimatedMerchantFee: { amountMinor: fee, currency: 'CNY' },
        });
        // The trace names Books' two accounts and none of Coffee's.
        expect(decision.trace.map((entry) => entry.channelAccountId).sort()).toEqual(
          [BOOKS_ALIPAY.id, BOOKS_WECHAT.id].sort(),
        );
      }
      const listed = await call(
        'GET',
        `/v1/merchants/${DEMO_BOOKS_ROUTING_MERCHANT_ID}/channel-accounts`,
      );
      expect(
        (listed.json as { data: Array<Record<string, unknown>> }).data.map((account) => [
          account.id,
          account.channelMerchantNo,
          account.merchantFeeRate,
        ]),
      ).toEqual([
        [BOOKS_ALIPAY.id, '2088000000000003', '0.55%'],
        [BOOKS_WECHAT.id, '1900000002', '0.60%'],
      ]);
    });

    it('WECHAT_PAY ¥30,000: 422 ROUTING.NO_CHANNEL_AVAILABLE; the rejected decision is stored and its trace readable by id', async () => {
      const before = await storedDecisions();
      const answer = await decide(request('WECHAT_PAY', 3_000_000));
      expectApiError(answer, {
        status: 422,
        type: 'unprocessable_error',
        code: 'ROUTING.NO_CHANNEL_AVAILABLE',
      });
      const id = answer.headers.get(HEADER);
      expect(id).toMatch(DECISION_ID);
      expect((answer.json as { error: { message: string } }).error.message).toContain(
        `GET /v1/route-decisions/${id}`,
      );
      expect(await storedDecisions()).toBe(before + 1);

      const read = await call('GET', `/v1/route-decisions/${id}`);
      expect(read.status).toBe(200);
      const decision = read.json as Decision;
      expect(decision).toMatchObject({
        id,
        outcome: 'NO_CHANNEL_AVAILABLE',
        chosen: null,
        fallbacks: [],
        amount: { amountMinor: 3_000_000, currency: 'CNY' },
      });
      expect(codesOf(decision.trace)).toEqual([
        [ALIPAY.id, 'DROPPED', null, ['METHOD_UNSUPPORTED', 'AMOUNT_ABOVE_MAX']],
        [WECHAT.id, 'DROPPED', null, ['AMOUNT_ABOVE_MAX']],
        [UNIONPAY.id, 'DROPPED', null, ['ACCOUNT_DISABLED', 'METHOD_UNSUPPORTED']],
        [ALIPAY_LARGE.id, 'DROPPED', null, ['METHOD_UNSUPPORTED']],
      ]);
      expect(decision.trace[1].reasons[0].message).toBe(
        "30000.00 CNY is above the account's per-transaction maximum of 20000.00 CNY.",
      );
    });

    it('a known currency no channel accepts (USD) is a routing outcome, not an input error', async () => {
      const answer = await decide(request('ALIPAY', 100, 'USD'));
      expectApiError(answer, {
        status: 422,
        type: 'unprocessable_error',
        code: 'ROUTING.NO_CHANNEL_AVAILABLE',
      });
      const read = await call('GET', `/v1/route-decisions/${answer.headers.get(HEADER)}`);
      expect(codesOf((read.json as Decision).trace)[0]).toEqual([
        ALIPAY.id,
        'DROPPED',
        null,
        ['CURRENCY_UNSUPPORTED'],
      ]);
    });

    it('an unknown or malformed decision id is 404 ROUTE_DECISION.NOT_FOUND', async () => {
      for (const id of [newId('rtd'), 'rtd_nope', newId('pay')]) {
        expectApiError(await call('GET', `/v1/route-decisions/${id}`), {
          status: 404,
          type: 'not_found_error',
          code: 'ROUTE_DECISION.NOT_FOUND',
        });
      }
    });
  });

  describe('rejected requests: the documented error, and nothing stored', () => {
    const valid = request('WECHAT_PAY', 10_000);
    const cases: Array<[string, unknown, ExpectedError]> = [
      [
        'a zero amount',
        { ...valid, amount: { amountMinor: 0, currency: 'CNY' } },
        {
          status: 400,
          type: 'invalid_request_error',
          code: 'ROUTING.INVALID_AMOUNT',
          param: 'amount.amountMinor',
        },
      ],
      [
        'a negative amount',
        { ...valid, amount: { amountMinor: -100, currency: 'CNY' } },
        {
          status: 400,
          type: 'invalid_request_error',
          code: 'ROUTING.INVALID_AMOUNT',
          param: 'amount.amountMinor',
        },
      ],
      [
        'a fractional amount',
        { ...valid, amount: { amountMinor: 100.5, currency: 'CNY' } },
        {
          status: 400,
          type: 'invalid_request_error',
          code: 'REQUEST.VALIDATION_FAILED',
          param: 'amount.amountMinor',
        },
      ],
      [
        'an amount sent as a string',
        { ...valid, amount: { amountMinor: '100', currency: 'CNY' } },
        {
          status: 400,
          type: 'invalid_request_error',
          code: 'REQUEST.VALIDATION_FAILED',
          param: 'amount.amountMinor',
        },
      ],
      [
        'an unknown method',
        { ...valid, method: 'PAYPAL' },
        {
          status: 400,
          type: 'invalid_request_error',
          code: 'REQUEST.VALIDATION_FAILED',
          param: 'method',
        },
      ],
      [
        'an unknown currency',
        { ...valid, amount: { amountMinor: 100, currency: 'XYZ' } },
        {
          status: 400,
          type: 'invalid_request_error',
          code: 'ROUTING.UNKNOWN_CURRENCY',
          param: 'amount.currency',
        },
      ],
      [
        'an unknown device',
        { ...valid, device: 'TABLET' },
        {
          status: 400,
          type: 'invalid_request_error',
          code: 'REQUEST.VALIDATION_FAILED',
          param: 'device',
        },
      ],
      [
        'an unknown field',
        { ...valid, channel: 'ALIPAY' },
        {
          status: 400,
          type: 'invalid_request_error',
          code: 'REQUEST.VALIDATION_FAILED',
          param: 'channel',
        },
      ],
      [
        'a malformed merchant id',
        { ...valid, merchantId: 'shop-42' },
        {
          status: 400,
          type: 'invalid_request_error',
          code: 'REQUEST.VALIDATION_FAILED',
          param: 'merchantId',
        },
      ],
      [
        'a missing amount',
        { merchantId: valid.merchantId, method: valid.method },
        {
          status: 400,
          type: 'invalid_request_error',
          code: 'REQUEST.VALIDATION_FAILED',
          param: 'amount',
        },
      ],
      [
        'malformed JSON',
        '{"merchantId": "mch_01M85DMB00EHTE541GQYE3T4TJ", "method": ',
        { status: 400, type: 'invalid_request_error', code: 'REQUEST.MALFORMED_JSON' },
      ],
      [
        'an unknown merchant (no channel accounts)',
        { ...valid, merchantId: 'mch_01M85DMB00EHTE541GQYE3T4ZZ' },
        {
          status: 422,
          type: 'unprocessable_error',
          code: 'ROUTING.MERCHANT_HAS_NO_CHANNEL_ACCOUNTS',
          param: 'merchantId',
        },
      ],
    ];

    it.each(cases)('%s', async (_name, body, expected) => {
      const before = await storedDecisions();
      const answer = await decide(body);
      expectApiError(answer, expected);
      expect(answer.headers.get(HEADER)).toBeNull();
      expect(await storedDecisions()).toBe(before);
    });

    it.each(cases)('simulate refuses it the same way: %s', async (_name, body, expected) => {
      expectApiError(await simulate(body), expected);
    });
  });

  describe('what-if simulation (not stored)', () => {
    it('disabling the WeChat Pay channel: 200 with outcome NO_CHANNEL_AVAILABLE and the override in the trace', async () => {
      const before = await storedDecisions();
      const answer = await simulate({
        ...request('WECHAT_PAY', 10_000),
        overrides: { disabledChannels: ['WECHAT_PAY'] },
      });
      expect(answer.status).toBe(200);
      const result = answer.json as Decision & { simulated: boolean; overrides: unknown };
      expect(result).toMatchObject({
        simulated: true,
        overrides: { disabledChannels: ['WECHAT_PAY'] },
        outcome: 'NO_CHANNEL_AVAILABLE',
        chosen: null,
        fallbacks: [],
      });
      expect(result).not.toHaveProperty('id');
      expect(codesOf(result.trace)).toContainEqual([
        WECHAT.id,
        'DROPPED',
        null,
        ['CHANNEL_DISABLED', 'SIMULATED_OVERRIDE'],
      ]);
      expect(answer.headers.get(HEADER)).toBeNull();
      expect(await storedDecisions()).toBe(before);
    });

    it('enabling the disabled UnionPay account routes UNIONPAY to it; the real account stays disabled', async () => {
      const answer = await simulate({
        ...request('UNIONPAY', 10_000),
        overrides: { enabledChannelAccounts: [UNIONPAY.id] },
      });
      expect(answer.status).toBe(200);
      expect((answer.json as Decision).chosen).toMatchObject({ channelAccountId: UNIONPAY.id });
      expectApiError(await decide(request('UNIONPAY', 10_000)), {
        status: 422,
        type: 'unprocessable_error',
        code: 'ROUTING.NO_CHANNEL_AVAILABLE',
      });
      const row = await db!.query('SELECT enabled FROM routing.channel_accounts WHERE id = $1', [
        UNIONPAY.id,
      ]);
      expect(row.rows[0]).toEqual({ enabled: false });
    });

    it.each<[string, Record<string, unknown>, ExpectedError]>([
      [
        'an account that is not the merchant’s',
        { enabledChannelAccounts: [newId('cha')] },
        {
          status: 400,
          type: 'invalid_request_error',
          code: 'ROUTING.UNKNOWN_CHANNEL_ACCOUNT',
          param: 'overrides.enabledChannelAccounts',
        },
      ],
      [
        'a channel both enabled and disabled',
        { enabledChannels: ['ALIPAY'], disabledChannels: ['ALIPAY'] },
        {
          status: 400,
          type: 'invalid_request_error',
          code: 'ROUTING.CONFLICTING_OVERRIDES',
          param: 'overrides.enabledChannels',
        },
      ],
      [
        'an unknown override',
        { raiseLimits: true },
        {
          status: 400,
          type: 'invalid_request_error',
          code: 'REQUEST.VALIDATION_FAILED',
          param: 'overrides.raiseLimits',
        },
      ],
    ])('refuses overrides naming %s', async (_name, overrides, expected) => {
      expectApiError(await simulate({ ...request('ALIPAY', 100), overrides }), expected);
    });
  });

  it('documents the endpoints in its OpenAPI document', async () => {
    const document = (await (await fetch(`${baseUrl}/docs/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/v1/route-decisions',
        '/v1/route-decisions/simulate',
        '/v1/route-decisions/{decisionId}',
        '/v1/channels',
        '/v1/merchants/{merchantId}/channel-accounts',
      ]),
    );
    expect(document.paths['/v1/route-decisions']).toHaveProperty('post.requestBody');
  });
});
