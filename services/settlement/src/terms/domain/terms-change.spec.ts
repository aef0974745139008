import { defaultTerms } from './settlement-terms';
import {
  diffTerms,
  effectiveFromOfChange,
  parseTermsChange,
  termsFromChange,
  type TermsChangeRequest,
} from './terms-change';
import { SettlementTermsError } from './terms-error';

const MERCHANT = 'mch_01M85DMB00EHTE541GQYE3T4V0';

const valid = (): Record<string, unknown> => ({
  cycle: { kind: 'T_PLUS_N', days: 1 },
  cutoff: '00:00',
  minimumPayoutMinor: 0,
  reserve: null,
  payoutAccount: {
    bankCode: 'PLBANK',
    accountNo: '6222020000000002',
    accountName: '北京演示书店有限公司',
  },
  reason: 'merchant asked for D+0 (ticket 42)',
});

/** The error a request raises, or a failure when it raises none. */
function refusal(body: unknown): SettlementTermsError {
  try {
    parseTermsChange(body);
  } catch (error) {
    if (error instanceof SettlementTermsError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(body)}`);
}

const withField = (path: string, value: unknown): Record<string, unknown> => {
  const body = valid();
  const keys = path.split('.');
  let target = body;
  for (const key of keys.slice(0, -1)) {
    target[key] = { ...(target[key] as Record<string, unknown>) };
    target = target[key] as Record<string, unknown>;
  }
  target[keys[keys.length - 1]] = value;
  return body;
};

describe('parseTermsChange', () => {
  it('accepts full terms and returns exactly what was asked', () => {
    expect(parseTermsChange(valid())).toEqual(valid());
  });

  it('accepts D+0, the boundaries of every number, and no payout account', () => {
    const body = {
      ...valid(),
      cycle: { kind: 'D_PLUS_0' },
      cutoff: '23:59',
      minimumPayoutMinor: 100_000_000_00,
      reserve: { percentBp: 10_000, holdDays: 365 },
      payoutAccount: null,
    };
    expect(parseTermsChange(body)).toEqual(body);
    const low = {
      ...body,
      cycle: { kind: 'T_PLUS_N', days: 30 },
      reserve: { percentBp: 1, holdDays: 1 },
    };
    expect(parseTermsChange(low)).toMatchObject({ cycle: { days: 30 }, reserve: { percentBp: 1 } });
  });

  it('says T+0 is not a T+N cycle and points to D_PLUS_0', () => {
    const error = refusal(withField('cycle.days', 0));
    expect(error).toMatchObject({ code: 'SETTLEMENT_TERMS.INVALID_CYCLE', param: 'cycle.days' });
    expect(error.message).toContain('D_PLUS_0');
  });

  it.each<[string, string, unknown, string]>([
    ['cycle', 'cycle', 'T+1', 'SETTLEMENT_TERMS.INVALID_CYCLE'],
    ['cycle', 'cycle', null, 'SETTLEMENT_TERMS.INVALID_CYCLE'],
    ['cycle', 'cycle', [{ kind: 'D_PLUS_0' }], 'SETTLEMENT_TERMS.INVALID_CYCLE'],
    ['cycle.kind', 'cycle.kind', 'T_PLUS_ONE', 'SETTLEMENT_TERMS.INVALID_CYCLE'],
    ['cycle.days', 'cycle.days', 31, 'SETTLEMENT_TERMS.INVALID_CYCLE'],
    ['cycle.days', 'cycle.days', -1, 'SETTLEMENT_TERMS.INVALID_CYCLE'],
    ['cycle.days', 'cycle.days', 1.5, 'SETTLEMENT_TERMS.INVALID_CYCLE'],
    ['cycle.days', 'cycle.days', '1', 'SETTLEMENT_TERMS.INVALID_CYCLE'],
    ['cycle.days', 'cycle.days', Number.NaN, 'SETTLEMENT_TERMS.INVALID_CYCLE'],
    ['cycle.days', 'cycle.days', Infinity, 'SETTLEMENT_TERMS.INVALID_CYCLE'],
    ['cycle.days', 'cycle.days', null, 'SETTLEMENT_TERMS.INVALID_CYCLE'],
    ['cycle.extra', 'cycle.extra', 1, 'SETTLEMENT_TERMS.INVALID_CYCLE'],
    ['cutoff', 'cutoff', '24:00', 'SETTLEMENT_TERMS.INVALID_CUTOFF'],
    ['cutoff', 'cutoff', '9:00', 'SETTLEMENT_TERMS.INVALID_CUTOFF'],
    ['cutoff', 'cutoff', '12:60', 'SETTLEMENT_TERMS.INVALID_CUTOFF'],
    ['cutoff', 'cutoff', '12:00:00', 'SETTLEMENT_TERMS.INVALID_CUTOFF'],
    ['cutoff', 'cutoff', '00:00\u0000', 'SETTLEMENT_TERMS.INVALID_CUTOFF'],
    ['cutoff', 'cutoff', 0, 'SETTLEMENT_TERMS.INVALID_CUTOFF'],
    ['minimumPayoutMinor', 'minimumPayoutMinor', -1, 'SETTLEMENT_TERMS.INVALID_MINIMUM_PAYOUT'],
    [
      'minimumPayoutMinor',
      'minimumPayoutMinor',
      100_000_000_01,
      'SETTLEMENT_TERMS.INVALID_MINIMUM_PAYOUT',
    ],
    ['minimumPayoutMinor', 'minimumPayoutMinor', 1e300, 'SETTLEMENT_TERMS.INVALID_MINIMUM_PAYOUT'],
    ['minimumPayoutMinor', 'minimumPayoutMinor', 99.5, 'SETTLEMENT_TERMS.INVALID_MINIMUM_PAYOUT'],
    ['minimumPayoutMinor', 'minimumPayoutMinor', '100', 'SETTLEMENT_TERMS.INVALID_MINIMUM_PAYOUT'],
    ['minimumPayoutMinor', 'minimumPayoutMinor', null, 'SETTLEMENT_TERMS.INVALID_MINIMUM_PAYOUT'],
    ['minimumPayoutMinor', 'minimumPayoutMinor', true, 'SETTLEMENT_TERMS.INVALID_MINIMUM_PAYOUT'],
    ['reserve', 'reserve', 10, 'SETTLEMENT_TERMS.INVALID_RESERVE'],
    ['reserve', 'reserve', {}, 'SETTLEMENT_TERMS.INVALID_RESERVE'],
    [
      'reserve.percentBp',
      'reserve',
      { percentBp: 10_001, holdDays: 7 },
      'SETTLEMENT_TERMS.INVALID_RESERVE',
    ],
    [
      'reserve.percentBp',
      'reserve',
      { percentBp: 0, holdDays: 7 },
      'SETTLEMENT_TERMS.INVALID_RESERVE',
    ],
    [
      'reserve.percentBp',
      'reserve',
      { percentBp: 10.5, holdDays: 7 },
      'SETTLEMENT_TERMS.INVALID_RESERVE',
    ],
    [
      'reserve.holdDays',
      'reserve',
      { percentBp: 1000, holdDays: 0 },
      'SETTLEMENT_TERMS.INVALID_RESERVE',
    ],
    [
      'reserve.holdDays',
      'reserve',
      { percentBp: 1000, holdDays: 366 },
      'SETTLEMENT_TERMS.INVALID_RESERVE',
    ],
    [
      'reserve.holdDays',
      'reserve',
      { percentBp: 1000, holdDays: '7' },
      'SETTLEMENT_TERMS.INVALID_RESERVE',
    ],
    [
      'reserve.extra',
      'reserve',
      { percentBp: 1000, holdDays: 7, extra: 1 },
      'SETTLEMENT_TERMS.INVALID_RESERVE',
    ],
    [
      'payoutAccount',
      'payoutAccount',
      '6222020000000002',
      'SETTLEMENT_TERMS.INVALID_PAYOUT_ACCOUNT',
    ],
    [
      'payoutAccount.bankCode',
      'payoutAccount.bankCode',
      'plbank',
      'SETTLEMENT_TERMS.INVALID_PAYOUT_ACCOUNT',
    ],
    [
      'payoutAccount.bankCode',
      'payoutAccount.bankCode',
      7,
      'SETTLEMENT_TERMS.INVALID_PAYOUT_ACCOUNT',
    ],
    [
      'payoutAccount.bankCode',
      'payoutAccount.bankCode',
      'ABCDEFGHIJKLM', // 13: longer than the bank takes
      'SETTLEMENT_TERMS.INVALID_PAYOUT_ACCOUNT',
    ],
    [
      'payoutAccount.accountNo',
      'payoutAccount.accountNo',
      '1234567',
      'SETTLEMENT_TERMS.INVALID_PAYOUT_ACCOUNT',
    ],
    [
      'payoutAccount.accountNo',
      'payoutAccount.accountNo',
      '1'.repeat(33),
      'SETTLEMENT_TERMS.INVALID_PAYOUT_ACCOUNT',
    ],
    [
      'payoutAccount.accountNo',
      'payoutAccount.accountNo',
      '62220200-0000',
      'SETTLEMENT_TERMS.INVALID_PAYOUT_ACCOUNT',
    ],
    [
      'payoutAccount.accountNo',
      'payoutAccount.accountNo',
      6222020000000002,
      'SETTLEMENT_TERMS.INVALID_PAYOUT_ACCOUNT',
    ],
    [
      'payoutAccount.accountName',
      'payoutAccount.accountName',
      '',
      'SETTLEMENT_TERMS.INVALID_PAYOUT_ACCOUNT',
    ],
    [
      'payoutAccount.accountName',
      'payoutAccount.accountName',
      '   ',
      'SETTLEMENT_TERMS.INVALID_PAYOUT_ACCOUNT',
    ],
    [
      'payoutAccount.accountName',
      'payoutAccount.accountName',
      'a\u0000b',
      'SETTLEMENT_TERMS.INVALID_PAYOUT_ACCOUNT',
    ],
    [
      'payoutAccount.accountName',
      'payoutAccount.accountName',
      'a\nb',
      'SETTLEMENT_TERMS.INVALID_PAYOUT_ACCOUNT',
    ],
    [
      'payoutAccount.accountName',
      'payoutAccount.accountName',
      '\ud800书店',
      'SETTLEMENT_TERMS.INVALID_PAYOUT_ACCOUNT',
    ],
    [
      'payoutAccount.accountName',
      'payoutAccount.accountName',
      ' 书店',
      'SETTLEMENT_TERMS.INVALID_PAYOUT_ACCOUNT',
    ],
    [
      'payoutAccount.accountName',
      'payoutAccount.accountName',
      '书'.repeat(101),
      'SETTLEMENT_TERMS.INVALID_PAYOUT_ACCOUNT',
    ],
    ['payoutAccount.extra', 'payoutAccount.extra', 'x', 'SETTLEMENT_TERMS.INVALID_PAYOUT_ACCOUNT'],
    ['reason', 'reason', '', 'SETTLEMENT_TERMS.INVALID_REASON'],
    ['reason', 'reason', ' \n ', 'SETTLEMENT_TERMS.INVALID_REASON'],
    ['reason', 'reason', 'why\u0000', 'SETTLEMENT_TERMS.INVALID_REASON'],
    ['reason', 'reason', 'x'.repeat(501), 'SETTLEMENT_TERMS.INVALID_REASON'],
    ['reason', 'reason', 42, 'SETTLEMENT_TERMS.INVALID_REASON'],
    ['reason', 'reason', null, 'SETTLEMENT_TERMS.INVALID_REASON'],
  ])('refuses %s (error on %s) = %p', (path, param, value, code) => {
    const error = refusal(withField(path, value));
    expect(error.code).toBe(code);
    expect(error.param?.startsWith(param)).toBe(true);
  });

  it('counts characters, not UTF-16 units: 100 Chinese characters or emoji are a valid name', () => {
    expect(
      parseTermsChange(withField('payoutAccount.accountName', '😀'.repeat(100))).payoutAccount
        ?.accountName,
    ).toHaveLength(200);
    expect(parseTermsChange(withField('reason', '因'.repeat(500))).reason).toHaveLength(500);
  });

  it('keeps line breaks in a reason', () => {
    expect(parseTermsChange(withField('reason', 'line one\nline two')).reason).toBe(
      'line one\nline two',
    );
  });

  it.each(['cycle', 'cutoff', 'minimumPayoutMinor', 'reserve', 'payoutAccount'])(
    'requires %s (a change states the whole terms)',
    (field) => {
      const body = valid();
      delete body[field];
      expect(refusal(body)).toMatchObject({
        code: 'SETTLEMENT_TERMS.INVALID_REQUEST',
        param: field,
      });
    },
  );

  it('requires a reason', () => {
    const body = valid();
    delete body.reason;
    expect(refusal(body)).toMatchObject({
      code: 'SETTLEMENT_TERMS.INVALID_REASON',
      param: 'reason',
    });
  });

  it('refuses unknown fields, and says the platform sets version and effectiveFrom', () => {
    expect(refusal({ ...valid(), cycleDays: 1 })).toMatchObject({
      code: 'SETTLEMENT_TERMS.UNKNOWN_FIELD',
      param: 'cycleDays',
    });
    for (const field of ['version', 'effectiveFrom', 'merchantId']) {
      const error = refusal({ ...valid(), [field]: 'x' });
      expect(error).toMatchObject({ code: 'SETTLEMENT_TERMS.UNKNOWN_FIELD', param: field });
      expect(error.message).toContain('set by the platform');
    }
  });

  it.each([null, 'terms', 42, [], [valid()]])(
    'refuses a body that is not an object: %p',
    (body) => {
      expect(refusal(body).code).toBe('SETTLEMENT_TERMS.INVALID_REQUEST');
    },
  );
});

describe('effectiveFromOfChange', () => {
  it('is tomorrow when no batches were built for tomorrow or later', () => {
    expect(effectiveFromOfChange('2026-03-01', null, null)).toBe('2026-03-02');
    expect(effectiveFromOfChange('2026-03-01', '2026-02-28', '2000-01-01')).toBe('2026-03-02');
  });

  it('is the day after the latest business date whose build has started', () => {
    expect(effectiveFromOfChange('2026-03-01', '2026-03-05', '2000-01-01')).toBe('2026-03-06');
    expect(effectiveFromOfChange('2026-12-31', '2026-12-31', null)).toBe('2027-01-01');
  });

  it('never goes before the newest version (a later change wins from the same date on)', () => {
    expect(effectiveFromOfChange('2026-03-01', null, '2026-03-09')).toBe('2026-03-09');
  });
});

describe('termsFromChange and diffTerms', () => {
  const change = (over: Partial<TermsChangeRequest> = {}): TermsChangeRequest => ({
    ...(parseTermsChange(valid()) as TermsChangeRequest),
    ...over,
  });

  it('builds the version with the merchant, number and date the platform chose', () => {
    expect(termsFromChange(MERCHANT, 3, '2026-03-02', change())).toEqual({
      merchantId: MERCHANT,
      version: 3,
      cycle: { kind: 'T_PLUS_N', days: 1 },
      cutoff: '00:00',
      minimumPayoutMinor: 0,
      reserve: null,
      payoutAccount: valid().payoutAccount,
      effectiveFrom: '2026-03-02',
    });
  });

  it('lists exactly the fields that changed, with before and after', () => {
    const before = termsFromChange(MERCHANT, 1, '2000-01-01', change());
    const after = termsFromChange(
      MERCHANT,
      2,
      '2026-03-02',
      change({ cycle: { kind: 'D_PLUS_0' }, reserve: { percentBp: 1000, holdDays: 7 } }),
    );
    expect(diffTerms(before, after)).toEqual([
      { field: 'cycle', before: { kind: 'T_PLUS_N', days: 1 }, after: { kind: 'D_PLUS_0' } },
      { field: 'reserve', before: null, after: { percentBp: 1000, holdDays: 7 } },
    ]);
  });

  it('sees no change when only the version, the date or the order of keys differ', () => {
    const before = termsFromChange(MERCHANT, 1, '2000-01-01', change());
    const reordered = {
      ...before,
      version: 2,
      effectiveFrom: '2026-03-02',
      payoutAccount: {
        accountName: before.payoutAccount!.accountName,
        accountNo: before.payoutAccount!.accountNo,
        bankCode: before.payoutAccount!.bankCode,
      },
    };
    expect(diffTerms(before, reordered)).toEqual([]);
  });

  it('compares against the defaults of a merchant never configured', () => {
    const after = termsFromChange(MERCHANT, 1, '2026-03-02', change());
    expect(diffTerms(defaultTerms(MERCHANT), after)).toEqual([
      { field: 'payoutAccount', before: null, after: valid().payoutAccount },
    ]);
  });
});
