/**
 * Settlement terms (结算条款) on real Postgres: the real settlement service runs in-process on a
 * database of its own; terms are read and changed through its admin API with the demo operator
 * credentials, checked in its tables, and read back through the SETTLEMENT_TERMS_READER the end
 * of day will use.
 */
import { newId } from '@paylab/ids';
import type { EntityManager } from 'typeorm';
import {
  addDays,
  shanghaiDateOf,
} from '../../../services/settlement/src/calendar/domain/business-date';
import {
  MERCHANT_BUSINESS_DATES,
  SETTLEMENT_TERMS_READER,
  type MerchantBusinessDates,
  type SettlementTermsReader,
} from '../../../services/settlement/src/terms/terms.port';
import type {
  TermsChangeResultView,
  TermsHistoryView,
  TermsOverviewView,
} from '../../../services/settlement/src/terms/settlement-terms.views';
import type { DemoOperatorRole } from '../../e2e/support/operator-credentials';
import {
  startSettlementUnderTest,
  type RequestOptions,
  type SettlementUnderTest,
} from './settlement-under-test';

const DEMO_COFFEE = 'mch_01M85DMB00EHTE541GQYE3T4TJ';
const DEMO_BOOKS = 'mch_01M85DMB00EHTE541GQYE3T4V0';

interface ErrorBody {
  error: { type: string; code: string; message: string; param?: string; requestId?: string };
}

const termsBody = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  cycle: { kind: 'T_PLUS_N', days: 2 },
  cutoff: '22:00',
  minimumPayoutMinor: 10_000,
  reserve: { percentBp: 1_000, holdDays: 7 },
  payoutAccount: {
    bankCode: 'PLBANK',
    accountNo: '6222020000000123',
    accountName: '测试商户有限公司',
  },
  reason: 'risk review: new merchant gets a 10 % reserve',
  ...over,
});

describe('settlement terms (real Postgres)', () => {
  let settlement: SettlementUnderTest;
  let today: string;
  let tomorrow: string;

  beforeAll(async () => {
    settlement = await startSettlementUnderTest('terms');
    today = shanghaiDateOf(new Date());
    tomorrow = addDays(today, 1);
  });

  afterAll(() => settlement?.stop());

  // ---- helpers -------------------------------------------------------------------------

  const path = (merchantId: string, suffix = '') =>
    `/v1/admin/merchants/${merchantId}/settlement-terms${suffix}`;

  /** As an operator unless told otherwise: operators change terms; role null sends none. */
  const call = <T>(
    method: 'GET' | 'PUT',
    target: string,
    { role = 'operator', ...options }: RequestOptions = {},
  ) => settlement.request<T>(method, target, { role, ...options });

  const overview = (merchantId: string) => call<TermsOverviewView>('GET', path(merchantId));
  const history = (merchantId: string) =>
    call<TermsHistoryView>('GET', path(merchantId, '/history'));
  const change = (merchantId: string, body: unknown, role: DemoOperatorRole = 'operator') =>
    call<TermsChangeResultView>('PUT', path(merchantId), { role, body });

  const rowCounts = async () => {
    const result = await settlement.db.query<{ versions: number; changes: number }>(
      `SELECT (SELECT COUNT(*)::int FROM settlement_terms) AS versions,
              (SELECT COUNT(*)::int FROM settlement_terms_changes) AS changes`,
    );
    return result.rows[0];
  };

  const manager = (): EntityManager => settlement.dataSource.manager;
  const reader = (): SettlementTermsReader => settlement.service.app.get(SETTLEMENT_TERMS_READER);

  const expectError = (
    answer: { status: number; body: unknown },
    status: number,
    code: string | RegExp,
    param?: string,
  ) => {
    expect(answer.status).toBe(status);
    const error = (answer.body as ErrorBody).error;
    expect(error).toEqual({
      type: expect.any(String),
      code: typeof code === 'string' ? code : expect.stringMatching(code),
      message: expect.any(String),
      ...(param !== undefined
        ? { param }
        : error.param !== undefined
          ? { param: error.param }
          : {}),
      requestId: expect.stringMatching(/^req_/),
    });
  };

  // ---- reading ---------------------------------------------------------------------------

  it('reads a merchant never configured as the defaults, with no history', async () => {
    const merchantId = newId('mch');
    const answer = await overview(merchantId);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      merchantId,
      configured: false,
      today,
      current: {
        merchantId,
        version: 0,
        cycle: { kind: 'T_PLUS_N', days: 1 },
        cycleLabel: 'T+1',
        cutoff: '00:00',
        minimumPayoutMinor: 0,
        reserve: null,
        payoutAccount: null,
        effectiveFrom: '2000-01-01',
      },
      scheduled: [],
    });
    expect(await history(merchantId)).toEqual({ status: 200, body: { merchantId, changes: [] } });
  });

  it('has the demo merchants seeded: Demo Coffee T+1, Demo Books D+0 without a reserve', async () => {
    const coffee = (await overview(DEMO_COFFEE)).body;
    expect(coffee).toMatchObject({
      configured: true,
      current: {
        version: 1,
        cycleLabel: 'T+1',
        cutoff: '00:00',
        minimumPayoutMinor: 0,
        reserve: null,
        payoutAccount: {
          bankCode: 'PLBANK',
          accountNo: '6222020000000001',
          accountName: '上海演示咖啡有限公司',
        },
        effectiveFrom: '2000-01-01',
      },
    });
    const books = (await overview(DEMO_BOOKS)).body;
    expect(books).toMatchObject({
      configured: true,
      current: {
        version: 1,
        cycle: { kind: 'D_PLUS_0' },
        cycleLabel: 'D+0',
        reserve: null,
        payoutAccount: { accountNo: '6222020000000002', accountName: '北京演示书店有限公司' },
      },
    });
    const seeded = await settlement.db.query(
      `SELECT created_by FROM settlement_terms WHERE merchant_id = ANY($1)`,
      [[DEMO_COFFEE, DEMO_BOOKS]],
    );
    expect(seeded.rows).toEqual([{ created_by: 'seed' }, { created_by: 'seed' }]);
  });

  // ---- changing --------------------------------------------------------------------------

  it('saves a change as the next version from tomorrow, keeps today on the old terms, and audits who, why, before and after', async () => {
    const merchantId = newId('mch');
    const before = await rowCounts();
    const answer = await change(merchantId, termsBody());
    expect(answer.status).toBe(200);
    expect(answer.body.created).toBe(true);
    expect(answer.body.terms).toEqual({
      merchantId,
      version: 1,
      cycle: { kind: 'T_PLUS_N', days: 2 },
      cycleLabel: 'T+2',
      cutoff: '22:00',
      minimumPayoutMinor: 10_000,
      reserve: { percentBp: 1_000, holdDays: 7 },
      payoutAccount: termsBody().payoutAccount,
      effectiveFrom: tomorrow,
    });
    expect(await rowCounts()).toEqual({
      versions: before.versions + 1,
      changes: before.changes + 1,
    });

    // Today still runs on the defaults; the new version waits for tomorrow.
    const read = (await overview(merchantId)).body;
    expect(read.configured).toBe(true);
    expect(read.current).toMatchObject({ version: 0, cycleLabel: 'T+1' });
    expect(read.scheduled).toEqual([answer.body.terms]);

    const trail = (await history(merchantId)).body.changes;
    expect(trail).toHaveLength(1);
    expect(trail[0]).toEqual({
      changeId: expect.stringMatching(/^stc_[0-9A-Z]{26}$/),
      merchantId,
      version: 1,
      changedBy: { operator: 'demo-operator', role: 'operator' },
      changedAt: expect.any(String),
      reason: 'risk review: new merchant gets a 10 % reserve',
      effectiveFrom: tomorrow,
      changes: [
        {
          field: 'cycle',
          before: { kind: 'T_PLUS_N', days: 1 },
          after: { kind: 'T_PLUS_N', days: 2 },
        },
        { field: 'cutoff', before: '00:00', after: '22:00' },
        { field: 'minimumPayoutMinor', before: 0, after: 10_000 },
        { field: 'reserve', before: null, after: { percentBp: 1_000, holdDays: 7 } },
        { field: 'payoutAccount', before: null, after: termsBody().payoutAccount },
      ],
      before: expect.objectContaining({ version: 0, cycleLabel: 'T+1' }),
      after: answer.body.terms,
    });
    const stored = await settlement.db.query(
      `SELECT changed_by, changed_by_role, reason, before->>'version' AS before_version,
              after->>'version' AS after_version, effective_from::text AS effective_from
         FROM settlement_terms_changes WHERE merchant_id = $1`,
      [merchantId],
    );
    expect(stored.rows).toEqual([
      {
        changed_by: 'demo-operator',
        changed_by_role: 'operator',
        reason: 'risk review: new merchant gets a 10 % reserve',
        before_version: '0',
        after_version: '1',
        effective_from: tomorrow,
      },
    ]);

    // The same terms again write nothing.
    const again = await change(merchantId, termsBody({ reason: 'clicked twice' }));
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ created: false, terms: answer.body.terms, change: null });
    expect(await rowCounts()).toEqual({
      versions: before.versions + 1,
      changes: before.changes + 1,
    });

    // A second change before tomorrow: the later one wins for that date.
    const second = await change(
      merchantId,
      termsBody({ cycle: { kind: 'D_PLUS_0' }, reason: 'v2' }),
      'admin',
    );
    expect(second.body.terms).toMatchObject({
      version: 2,
      cycleLabel: 'D+0',
      effectiveFrom: tomorrow,
    });
    expect(second.body.change?.changedBy).toEqual({ operator: 'demo-admin', role: 'admin' });
    expect(second.body.change?.changes).toEqual([
      { field: 'cycle', before: { kind: 'T_PLUS_N', days: 2 }, after: { kind: 'D_PLUS_0' } },
    ]);
    const terms = await reader().effectiveOn(manager(), tomorrow, [merchantId]);
    expect(terms.get(merchantId)).toMatchObject({ version: 2, cycle: { kind: 'D_PLUS_0' } });
    expect(
      (await reader().effectiveOn(manager(), today, [merchantId])).get(merchantId),
    ).toMatchObject({
      version: 0,
    });
    expect((await overview(merchantId)).body.scheduled.map((t) => t.version)).toEqual([2]);
    expect((await history(merchantId)).body.changes.map((c) => c.version)).toEqual([2, 1]);
  });

  it('applies a change only after the latest business date whose batches were built', async () => {
    const merchantId = newId('mch');
    const built = addDays(today, 5);
    await settlement.db.query(
      `INSERT INTO scheduled_job_runs (job, business_date, status, trigger, replica, finished_at)
       VALUES ('BUILD_BATCHES', $1, 'SUCCEEDED', 'INSTRUCTOR', 'it-terms', now()),
              ('PAY_OUT', $2, 'SUCCEEDED', 'INSTRUCTOR', 'it-terms', now())`,
      [built, addDays(today, 9)],
    );
    try {
      const answer = await change(merchantId, termsBody());
      expect(answer.status).toBe(200);
      // BUILD_BATCHES counts, other jobs do not.
      expect(answer.body.terms.effectiveFrom).toBe(addDays(built, 1));
      const onBuiltDate = await reader().effectiveOn(manager(), built, [merchantId]);
      expect(onBuiltDate.get(merchantId)?.version).toBe(0);
    } finally {
      await settlement.db.query(`DELETE FROM scheduled_job_runs WHERE replica = 'it-terms'`);
    }
    // Once that run is gone a new change could start tomorrow, but versions never go back in time.
    const later = await change(merchantId, termsBody({ minimumPayoutMinor: 1, reason: 'later' }));
    expect(later.body.terms).toMatchObject({ version: 2, effectiveFrom: addDays(built, 1) });
  });

  it('serialises concurrent changes of one merchant: versions 1..n, each audited against the one before', async () => {
    const merchantId = newId('mch');
    const n = 8;
    const answers = await Promise.all(
      Array.from({ length: n }, (_, index) =>
        change(
          merchantId,
          termsBody({ minimumPayoutMinor: 1_000 + index, reason: `change ${index}` }),
        ),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(n).fill(200));
    expect(answers.map((answer) => answer.body.terms.version).sort((a, b) => a - b)).toEqual(
      Array.from({ length: n }, (_, index) => index + 1),
    );
    const trail = (await history(merchantId)).body.changes;
    expect(trail.map((entry) => entry.version)).toEqual(
      Array.from({ length: n }, (_, index) => n - index),
    );
    // Changed in version order: each one saw the time after the one before it.
    const times = trail.map((entry) => Date.parse(entry.changedAt)).reverse();
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // Each change's "before" is exactly the version it replaced.
    for (const entry of trail) {
      expect(entry.before.version).toBe(entry.version - 1);
      if (entry.version > 1) {
        const previous = trail.find((other) => other.version === entry.version - 1)!;
        expect(entry.before).toEqual(previous.after);
      }
    }
  });

  // ---- the reader --------------------------------------------------------------------------

  it('reads ten thousand merchants in one query: configured, pending and never-configured ones', async () => {
    const configured = newId('mch');
    await change(configured, termsBody({ reason: 'for the reader' }));
    const unconfigured = Array.from({ length: 9_997 }, () => newId('mch'));
    const ids = [DEMO_COFFEE, DEMO_BOOKS, configured, ...unconfigured];

    let queries = 0;
    const real = manager();
    const counting = new Proxy(real, {
      get(target, property, receiver) {
        if (property === 'query') {
          return (...args: Parameters<EntityManager['query']>) => {
            queries += 1;
            return target.query(...args);
          };
        }
        return Reflect.get(target, property, receiver) as unknown;
      },
    });

    const onToday = await reader().effectiveOn(counting, today, ids);
    expect(queries).toBe(1);
    expect(onToday.size).toBe(10_000);
    expect(onToday.get(DEMO_COFFEE)).toMatchObject({
      version: 1,
      cycle: { kind: 'T_PLUS_N', days: 1 },
    });
    expect(onToday.get(DEMO_BOOKS)).toMatchObject({ version: 1, cycle: { kind: 'D_PLUS_0' } });
    // The configured merchant's version is pending: the defaults still apply today.
    expect(onToday.get(configured)).toMatchObject({ version: 0, merchantId: configured });
    expect(onToday.get(unconfigured[1234])).toEqual({
      merchantId: unconfigured[1234],
      version: 0,
      cycle: { kind: 'T_PLUS_N', days: 1 },
      cutoff: '00:00',
      minimumPayoutMinor: 0,
      reserve: null,
      payoutAccount: null,
      effectiveFrom: '2000-01-01',
    });

    const onTomorrow = await reader().effectiveOn(counting, tomorrow, ids);
    expect(queries).toBe(2);
    expect(onTomorrow.get(configured)).toMatchObject({
      version: 1,
      cycle: { kind: 'T_PLUS_N', days: 2 },
      reserve: { percentBp: 1_000, holdDays: 7 },
      effectiveFrom: tomorrow,
    });
    expect(onTomorrow.get(unconfigured[0])?.version).toBe(0);
    expect((await reader().effectiveOn(counting, today, [])).size).toBe(0);
    expect(queries).toBe(2);
  });

  it("gives clearing a merchant's business date at an instant under the cut-off in force", async () => {
    const dates: MerchantBusinessDates = settlement.service.app.get(MERCHANT_BUSINESS_DATES);
    // Demo Coffee: cut-off 00:00, so 23:30 local time is still that date.
    const lateEvening = new Date(`${today}T23:30:00+08:00`);
    expect(await dates.businessDateAt(manager(), DEMO_COFFEE, lateEvening)).toMatchObject({
      businessDate: today,
      terms: { version: 1 },
    });
    // A merchant whose 22:00 cut-off applies from tomorrow: 22:30 tomorrow is the day after.
    const merchantId = newId('mch');
    await change(merchantId, termsBody({ reason: 'cut-off 22:00' }));
    expect(
      (await dates.businessDateAt(manager(), merchantId, new Date(`${tomorrow}T22:30:00+08:00`)))
        .businessDate,
    ).toBe(addDays(tomorrow, 1));
    expect(
      (await dates.businessDateAt(manager(), merchantId, new Date(`${today}T22:30:00+08:00`)))
        .businessDate,
    ).toBe(today);
  });

  // ---- refusals ----------------------------------------------------------------------------

  it.each<[string, { body?: unknown; rawBody?: string }, string | RegExp, string | undefined]>([
    [
      'T+0 as a T+N cycle',
      { body: termsBody({ cycle: { kind: 'T_PLUS_N', days: 0 } }) },
      'SETTLEMENT_TERMS.INVALID_CYCLE',
      'cycle.days',
    ],
    [
      '31 days',
      { body: termsBody({ cycle: { kind: 'T_PLUS_N', days: 31 } }) },
      'SETTLEMENT_TERMS.INVALID_CYCLE',
      'cycle.days',
    ],
    [
      'days as a string',
      { body: termsBody({ cycle: { kind: 'T_PLUS_N', days: '1' } }) },
      'SETTLEMENT_TERMS.INVALID_CYCLE',
      'cycle.days',
    ],
    [
      'an unknown cycle',
      { body: termsBody({ cycle: { kind: 'WEEKLY' } }) },
      'SETTLEMENT_TERMS.INVALID_CYCLE',
      'cycle.kind',
    ],
    [
      'cut-off 24:00',
      { body: termsBody({ cutoff: '24:00' }) },
      'SETTLEMENT_TERMS.INVALID_CUTOFF',
      'cutoff',
    ],
    [
      'a float minimum',
      { body: termsBody({ minimumPayoutMinor: 100.5 }) },
      'SETTLEMENT_TERMS.INVALID_MINIMUM_PAYOUT',
      'minimumPayoutMinor',
    ],
    [
      'a huge minimum',
      {
        rawBody: JSON.stringify(termsBody()).replace(
          '"minimumPayoutMinor":10000',
          '"minimumPayoutMinor":1e400',
        ),
      },
      'SETTLEMENT_TERMS.INVALID_MINIMUM_PAYOUT',
      'minimumPayoutMinor',
    ],
    [
      'a negative minimum',
      { body: termsBody({ minimumPayoutMinor: -1 }) },
      'SETTLEMENT_TERMS.INVALID_MINIMUM_PAYOUT',
      'minimumPayoutMinor',
    ],
    [
      'a minimum as a string',
      { body: termsBody({ minimumPayoutMinor: '10000' }) },
      'SETTLEMENT_TERMS.INVALID_MINIMUM_PAYOUT',
      'minimumPayoutMinor',
    ],
    [
      'a reserve above 100 %',
      { body: termsBody({ reserve: { percentBp: 10_001, holdDays: 7 } }) },
      'SETTLEMENT_TERMS.INVALID_RESERVE',
      'reserve.percentBp',
    ],
    [
      'a reserve held 0 days',
      { body: termsBody({ reserve: { percentBp: 1_000, holdDays: 0 } }) },
      'SETTLEMENT_TERMS.INVALID_RESERVE',
      'reserve.holdDays',
    ],
    [
      'an account number with letters',
      {
        body: termsBody({
          payoutAccount: { bankCode: 'PLBANK', accountNo: '6222x20000000001', accountName: 'x' },
        }),
      },
      'SETTLEMENT_TERMS.INVALID_PAYOUT_ACCOUNT',
      'payoutAccount.accountNo',
    ],
    [
      'a control character in the account name',
      {
        body: termsBody({
          payoutAccount: {
            bankCode: 'PLBANK',
            accountNo: '6222020000000001',
            accountName: 'a\u0007b',
          },
        }),
      },
      'SETTLEMENT_TERMS.INVALID_PAYOUT_ACCOUNT',
      'payoutAccount.accountName',
    ],
    [
      'a NUL byte in the reason',
      { body: termsBody({ reason: 'why\u0000' }) },
      'REQUEST.INVALID_CHARACTERS',
      'reason',
    ],
    [
      'a lone surrogate in the account name',
      { rawBody: JSON.stringify(termsBody()).replace('测试商户有限公司', '\\ud800') },
      'REQUEST.INVALID_CHARACTERS',
      'payoutAccount.accountName',
    ],
    [
      'no reason',
      { body: termsBody({ reason: undefined }) },
      'SETTLEMENT_TERMS.INVALID_REASON',
      'reason',
    ],
    [
      'a 501-character reason',
      { body: termsBody({ reason: '因'.repeat(501) }) },
      'SETTLEMENT_TERMS.INVALID_REASON',
      'reason',
    ],
    [
      'a version in the body',
      { body: termsBody({ version: 7 }) },
      'SETTLEMENT_TERMS.UNKNOWN_FIELD',
      'version',
    ],
    [
      'an unknown field',
      { body: termsBody({ settleOnWeekends: true }) },
      'SETTLEMENT_TERMS.UNKNOWN_FIELD',
      'settleOnWeekends',
    ],
    [
      'a missing field',
      { body: termsBody({ reserve: undefined }) },
      'SETTLEMENT_TERMS.INVALID_REQUEST',
      'reserve',
    ],
    ['an array body', { body: [termsBody()] }, 'SETTLEMENT_TERMS.INVALID_REQUEST', undefined],
    ['malformed JSON', { rawBody: '{"cycle":' }, /^REQUEST\./, undefined],
  ])(
    'refuses %s with a 400 in the error shape and writes nothing',
    async (_case, request, code, param) => {
      const merchantId = newId('mch');
      const before = await rowCounts();
      const answer = await call('PUT', path(merchantId), { role: 'operator', ...request });
      expectError(answer, 400, code, param);
      expect((answer.body as ErrorBody).error.type).toBe('invalid_request_error');
      expect(await rowCounts()).toEqual(before);
      expect((await overview(merchantId)).body.configured).toBe(false);
    },
  );

  it.each([
    ['not an id', 'coffee'],
    ['another kind of id', newId('pay')],
    ['a lower-case id', DEMO_COFFEE.toLowerCase()],
  ])('refuses a merchant id that is %s on every endpoint', async (_case, merchantId) => {
    const before = await rowCounts();
    expectError(
      await call('GET', path(merchantId)),
      400,
      'REQUEST.VALIDATION_FAILED',
      'merchantId',
    );
    expectError(
      await call('GET', path(merchantId, '/history')),
      400,
      'REQUEST.VALIDATION_FAILED',
      'merchantId',
    );
    expectError(
      await change(merchantId, termsBody()),
      400,
      'REQUEST.VALIDATION_FAILED',
      'merchantId',
    );
    expect(await rowCounts()).toEqual(before);
  });

  // ---- who may ---------------------------------------------------------------------------

  it('lets viewers read but not change, and keeps out callers without a token', async () => {
    const merchantId = newId('mch');
    const before = await rowCounts();
    for (const role of ['viewer', 'instructor'] as const) {
      const refused = await change(merchantId, termsBody(), role);
      expectError(refused, 403, 'AUTH.ROLE_NOT_ALLOWED');
      expect((refused.body as unknown as ErrorBody).error.message).toContain(
        'allowed: admin, operator',
      );
      expect((await call('GET', path(merchantId), { role })).status).toBe(200);
      expect((await call('GET', path(merchantId, '/history'), { role })).status).toBe(200);
    }
    expectError(
      await call('PUT', path(merchantId), { role: null, body: termsBody() }),
      401,
      'AUTH.OPERATOR_CREDENTIAL_REQUIRED',
    );
    expectError(
      await call('GET', path(merchantId), { role: null }),
      401,
      'AUTH.OPERATOR_CREDENTIAL_REQUIRED',
    );
    expectError(
      await call('GET', path(merchantId, '/history'), { role: null }),
      401,
      'AUTH.OPERATOR_CREDENTIAL_REQUIRED',
    );
    expect(await rowCounts()).toEqual(before);
  });
});
