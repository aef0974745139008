import type { ActiveFault } from '../../alipay/domain/faults';
import {
  type BankAccount,
  bankTxnNo,
  decidePayout,
  isBankNotifyAcknowledged,
  nextBankNotifyDelayMs,
  type PayoutRequest,
  payoutRequestSchema,
  planPayout,
  requestFingerprint,
} from './payout';

const coffee: BankAccount = {
  accountNo: '6222020000000001',
  bankCode: 'PLBANK',
  accountName: '上海演示咖啡有限公司',
  status: 'ACTIVE',
};

const request: PayoutRequest = {
  requestNo: 'PO_1',
  payerAccountNo: '6222020000009999',
  payeeBankCode: 'PLBANK',
  payeeAccountNo: coffee.accountNo,
  payeeAccountName: coffee.accountName,
  amountMinor: 12_345,
  currency: 'CNY',
  memo: 'settlement 2024-11-20',
  notifyUrl: 'http://settlement:3003/v1/bank/payout-notifications',
};

const fault = (id: number, kind: string, params: Record<string, unknown> = {}): ActiveFault =>
  ({ id, kind, params }) as ActiveFault;

describe('payout request', () => {
  it('accepts a well-formed request', () => {
    expect(payoutRequestSchema.parse(request)).toEqual(request);
  });

  it.each([
    ['a zero amount', { amountMinor: 0 }],
    ['a negative amount', { amountMinor: -1 }],
    ['a fractional amount', { amountMinor: 1.5 }],
    ['an amount past 2^53', { amountMinor: 2 ** 53 }],
    ['an amount as a string', { amountMinor: '100' }],
    ['another currency', { currency: 'USD' }],
    ['a request number with a space', { requestNo: 'PO 1' }],
    ['a 65-character request number', { requestNo: 'x'.repeat(65) }],
    ['a payee account with letters', { payeeAccountNo: '62220200000000AB' }],
    ['an empty payee name', { payeeAccountName: '' }],
    ['a notify URL that is not http', { notifyUrl: 'ftp://settlement/x' }],
    ['an unknown field', { extra: true }],
    ['a number where text belongs', { memo: 12 }],
  ])('refuses %s', (_, change) => {
    expect(payoutRequestSchema.safeParse({ ...request, ...change }).success).toBe(false);
  });

  it('fingerprints every field: the same request matches, any change does not', () => {
    const same = requestFingerprint({ ...request });
    expect(requestFingerprint(request)).toBe(same);
    for (const change of [
      { amountMinor: 12_346 },
      { payeeAccountName: '别人' },
      { memo: 'other' },
      { payeeAccountNo: '6222020000000002' },
      { notifyUrl: 'http://elsewhere/x' },
    ]) {
      expect(requestFingerprint({ ...request, ...change })).not.toBe(same);
    }
  });
});

describe('the bank’s checks of a payout', () => {
  it('pays a payee whose account exists, is active and whose name matches', () => {
    expect(decidePayout(request, coffee)).toEqual({ status: 'SUCCEEDED' });
  });

  it.each([
    ['an unknown account', request, null, 'ACCOUNT_NOT_FOUND'],
    [
      'a frozen account (账户冻结)',
      request,
      { ...coffee, status: 'FROZEN' as const },
      'ACCOUNT_FROZEN',
    ],
    [
      'another name (户名不符)',
      { ...request, payeeAccountName: '上海演示咖啡' },
      coffee,
      'NAME_MISMATCH',
    ],
    ['another bank', { ...request, payeeBankCode: 'ICBC' }, coffee, 'PAYEE_BANK_UNSUPPORTED'],
  ])('fails %s', (_, req, payee, code) => {
    const outcome = decidePayout(req, payee);
    expect(outcome).toMatchObject({ status: 'FAILED', failureCode: code });
    expect(outcome.status === 'FAILED' && outcome.failureMessage.length).toBeGreaterThan(0);
  });
});

describe('BANK faults on a payout', () => {
  it('does nothing without faults', () => {
    expect(planPayout(request, coffee, [])).toEqual({
      outcome: { status: 'SUCCEEDED' },
      holdResponseSeconds: 0,
      notify: true,
      applied: [],
    });
  });

  it('freezes or mismatches the payee, and uses the fault up', () => {
    expect(planPayout(request, coffee, [fault(3, 'BANK_ACCOUNT_FROZEN')])).toMatchObject({
      outcome: { status: 'FAILED', failureCode: 'ACCOUNT_FROZEN' },
      applied: [3],
    });
    expect(planPayout(request, coffee, [fault(4, 'BANK_NAME_MISMATCH')])).toMatchObject({
      outcome: { status: 'FAILED', failureCode: 'NAME_MISMATCH' },
      applied: [4],
    });
  });

  it('applies a fault naming an account only to payouts to that account', () => {
    const elsewhere = fault(5, 'BANK_ACCOUNT_FROZEN', { accountNo: '6222020000000002' });
    expect(planPayout(request, coffee, [elsewhere])).toMatchObject({
      outcome: { status: 'SUCCEEDED' },
      applied: [],
    });
    const here = fault(6, 'BANK_ACCOUNT_FROZEN', { accountNo: coffee.accountNo });
    expect(planPayout(request, coffee, [elsewhere, here]).applied).toEqual([6]);
  });

  it('uses the oldest fault of a kind and combines kinds', () => {
    const plan = planPayout(request, coffee, [
      fault(9, 'BANK_TIMEOUT_UNKNOWN', { holdSeconds: 20 }),
      fault(8, 'BANK_NAME_MISMATCH'),
      fault(7, 'BANK_TIMEOUT_UNKNOWN', { holdSeconds: 10 }),
    ]);
    expect(plan).toEqual({
      outcome: expect.objectContaining({ status: 'FAILED', failureCode: 'NAME_MISMATCH' }),
      holdResponseSeconds: 10,
      notify: false,
      applied: [7, 8],
    });
  });

  it('keeps the bank’s own reason for a payout it refuses anyway', () => {
    const plan = planPayout(request, null, [fault(1, 'BANK_NAME_MISMATCH')]);
    expect(plan.outcome).toMatchObject({ failureCode: 'ACCOUNT_NOT_FOUND' });
  });

  it('ignores the faults of other channels', () => {
    expect(planPayout(request, coffee, [fault(1, 'DROP_CALLBACK')]).applied).toEqual([]);
  });

  it('pays a timed-out payout but withholds its notification', () => {
    const plan = planPayout(request, coffee, [
      fault(2, 'BANK_TIMEOUT_UNKNOWN', { holdSeconds: 30 }),
    ]);
    expect(plan).toMatchObject({
      outcome: { status: 'SUCCEEDED' },
      holdResponseSeconds: 30,
      notify: false,
    });
  });
});

describe('bank transaction numbers and notifications', () => {
  it('numbers by Shanghai date and sequence', () => {
    expect(bankTxnNo('2024-11-20', 42)).toBe('PLB20241120000000000042');
    expect(() => bankTxnNo('2024-11-20', 0)).toThrow(RangeError);
  });

  it('retries on the bank’s schedule, scaled, then gives up', () => {
    expect(nextBankNotifyDelayMs(1, 1)).toBe(5_000);
    expect(nextBankNotifyDelayMs(4, 0.001)).toBe(60);
    expect(nextBankNotifyDelayMs(10, 1)).toBe(6 * 60 * 60_000);
    expect(nextBankNotifyDelayMs(11, 1)).toBeNull();
    expect(() => nextBankNotifyDelayMs(0, 1)).toThrow(RangeError);
  });

  it('takes any 2xx as received', () => {
    expect([200, 204, 299].map(isBankNotifyAcknowledged)).toEqual([true, true, true]);
    expect([199, 302, 404, 500].map(isBankNotifyAcknowledged)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});
