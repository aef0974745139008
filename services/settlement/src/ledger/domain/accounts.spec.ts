import { newId } from '@paylab/ids';
import {
  CHART_OF_ACCOUNTS,
  isAccountCode,
  isEntrySide,
  ledgerAccount,
  NORMAL_SIDE,
  normalSideOf,
  parseLedgerAccount,
} from './accounts';

const MERCHANT = newId('mch');
const invalidAccount = expect.objectContaining({ code: 'LEDGER.INVALID_ACCOUNT' });

describe('chart of accounts', () => {
  it('declares the clearing accounts with their type and qualifier', () => {
    expect(
      Object.fromEntries(
        Object.entries(CHART_OF_ACCOUNTS).map(([code, { type, qualifier }]) => [
          code,
          `${type}/${qualifier}`,
        ]),
      ),
    ).toEqual({
      CHANNEL_RECEIVABLE: 'ASSET/CHANNEL',
      MERCHANT_PAYABLE_PENDING: 'LIABILITY/MERCHANT',
      MERCHANT_PAYABLE_AVAILABLE: 'LIABILITY/MERCHANT',
      MERCHANT_RESERVE: 'LIABILITY/MERCHANT',
      MERCHANT_PAYABLE_IN_TRANSIT: 'LIABILITY/MERCHANT',
      PLATFORM_BANK: 'ASSET/NONE',
      FEE_REVENUE: 'INCOME/NONE',
      CHANNEL_COST: 'EXPENSE/NONE',
      LATE_PAYMENT_SUSPENSE: 'LIABILITY/NONE',
    });
  });

  it('gives every account the normal side of its type', () => {
    for (const definition of Object.values(CHART_OF_ACCOUNTS)) {
      expect(definition.normalSide).toBe(NORMAL_SIDE[definition.type]);
      expect(definition.nameZh).not.toBe('');
    }
  });

  it('puts assets and expenses on the debit side, the rest on the credit side', () => {
    expect(NORMAL_SIDE).toEqual({
      ASSET: 'DEBIT',
      EXPENSE: 'DEBIT',
      LIABILITY: 'CREDIT',
      EQUITY: 'CREDIT',
      INCOME: 'CREDIT',
    });
  });

  it('cannot be changed at runtime', () => {
    expect(Object.isFrozen(CHART_OF_ACCOUNTS)).toBe(true);
    expect(Object.isFrozen(CHART_OF_ACCOUNTS.FEE_REVENUE)).toBe(true);
    expect(Object.isFrozen(NORMAL_SIDE)).toBe(true);
  });

  it('recognises only its own codes', () => {
    expect(isAccountCode('FEE_REVENUE')).toBe(true);
    expect(isAccountCode('fee_revenue')).toBe(false);
    expect(isAccountCode('toString')).toBe(false);
    expect(isAccountCode('__proto__')).toBe(false);
    expect(isAccountCode(undefined)).toBe(false);
  });

  it('recognises only DEBIT and CREDIT as sides', () => {
    expect(isEntrySide('DEBIT')).toBe(true);
    expect(isEntrySide('CREDIT')).toBe(true);
    expect(isEntrySide('debit')).toBe(false);
    expect(isEntrySide('借')).toBe(false);
    expect(isEntrySide(null)).toBe(false);
  });
});

describe('ledgerAccount', () => {
  it('builds keys for qualified and unqualified accounts', () => {
    expect(ledgerAccount('CHANNEL_RECEIVABLE', 'ALIPAY')).toBe('CHANNEL_RECEIVABLE:ALIPAY');
    expect(ledgerAccount('CHANNEL_RECEIVABLE', 'WECHAT_PAY')).toBe('CHANNEL_RECEIVABLE:WECHAT_PAY');
    expect(ledgerAccount('MERCHANT_PAYABLE_PENDING', MERCHANT)).toBe(
      `MERCHANT_PAYABLE_PENDING:${MERCHANT}`,
    );
    expect(ledgerAccount('MERCHANT_PAYABLE_AVAILABLE', MERCHANT)).toBe(
      `MERCHANT_PAYABLE_AVAILABLE:${MERCHANT}`,
    );
    expect(ledgerAccount('FEE_REVENUE')).toBe('FEE_REVENUE');
    expect(ledgerAccount('CHANNEL_COST')).toBe('CHANNEL_COST');
  });

  it.each<[string, string, string | undefined]>([
    ['an unknown code', 'CASH', undefined],
    ['a lower-case code', 'fee_revenue', undefined],
    ['a qualifier on an unqualified account', 'FEE_REVENUE', 'ALIPAY'],
    ['an empty qualifier on an unqualified account', 'CHANNEL_COST', ''],
    ['a channel account without a channel', 'CHANNEL_RECEIVABLE', undefined],
    ['a lower-case channel', 'CHANNEL_RECEIVABLE', 'alipay'],
    ['a one-letter lower-case channel', 'CHANNEL_RECEIVABLE', 'a'],
    ['a channel starting with a digit', 'CHANNEL_RECEIVABLE', '9PAY'],
    ['a channel with a colon', 'CHANNEL_RECEIVABLE', 'ALIPAY:X'],
    ['a channel with spaces', 'CHANNEL_RECEIVABLE', 'ALI PAY'],
    ['an over-long channel', 'CHANNEL_RECEIVABLE', 'A'.repeat(33)],
    ['a merchant account without a merchant', 'MERCHANT_PAYABLE_PENDING', undefined],
    ['a merchant account with a channel', 'MERCHANT_PAYABLE_PENDING', 'ALIPAY'],
    ['a merchant account with a payment id', 'MERCHANT_PAYABLE_AVAILABLE', newId('pay')],
    ['a merchant account with a malformed id', 'MERCHANT_PAYABLE_AVAILABLE', 'mch_123'],
  ])('rejects %s', (_label, code, qualifier) => {
    expect(() => ledgerAccount(code as never, qualifier)).toThrow(invalidAccount);
  });
});

describe('parseLedgerAccount', () => {
  it('splits a key into code and qualifier', () => {
    expect(parseLedgerAccount('CHANNEL_RECEIVABLE:UNIONPAY')).toEqual({
      key: 'CHANNEL_RECEIVABLE:UNIONPAY',
      code: 'CHANNEL_RECEIVABLE',
      qualifier: 'UNIONPAY',
      definition: CHART_OF_ACCOUNTS.CHANNEL_RECEIVABLE,
    });
    expect(parseLedgerAccount('FEE_REVENUE')).toMatchObject({
      code: 'FEE_REVENUE',
      qualifier: undefined,
    });
    expect(parseLedgerAccount(`MERCHANT_PAYABLE_PENDING:${MERCHANT}`).qualifier).toBe(MERCHANT);
  });

  it.each([
    '',
    'CASH',
    'FEE_REVENUE:',
    'FEE_REVENUE:X',
    'CHANNEL_RECEIVABLE',
    'CHANNEL_RECEIVABLE:',
    'CHANNEL_RECEIVABLE:alipay',
    'CHANNEL_RECEIVABLE:ALIPAY:EXTRA',
    'MERCHANT_PAYABLE_PENDING',
    'MERCHANT_PAYABLE_PENDING:mch_nope',
    ' FEE_REVENUE',
    'toString',
  ])('rejects %p', (key) => {
    expect(() => parseLedgerAccount(key)).toThrow(invalidAccount);
  });

  it('rejects a key that is not a string', () => {
    expect(() => parseLedgerAccount(42 as never)).toThrow(invalidAccount);
    expect(() => parseLedgerAccount(undefined as never)).toThrow(invalidAccount);
  });
});

describe('normalSideOf', () => {
  it.each([
    ['CHANNEL_RECEIVABLE:ALIPAY', 'DEBIT'],
    ['CHANNEL_COST', 'DEBIT'],
    [`MERCHANT_PAYABLE_PENDING:${MERCHANT}`, 'CREDIT'],
    [`MERCHANT_PAYABLE_AVAILABLE:${MERCHANT}`, 'CREDIT'],
    ['FEE_REVENUE', 'CREDIT'],
  ])('%s is normally a %s balance', (account, side) => {
    expect(normalSideOf(account)).toBe(side);
  });

  it('rejects an unknown account', () => {
    expect(() => normalSideOf('SUSPENSE')).toThrow(invalidAccount);
  });
});
