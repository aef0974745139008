import { isId } from '@paylab/ids';
import { LedgerError } from './ledger-error';

/** The two sides of a double entry (复式记账): 借 (debit) and 贷 (credit). */
export type EntrySide = 'DEBIT' | 'CREDIT';

export const ENTRY_SIDES: readonly EntrySide[] = Object.freeze(['DEBIT', 'CREDIT'] as const);

export function isEntrySide(value: unknown): value is EntrySide {
  return value === 'DEBIT' || value === 'CREDIT';
}

/** The five classic account types (会计要素). */
export type AccountType = 'ASSET' | 'LIABILITY' | 'EQUITY' | 'INCOME' | 'EXPENSE';

/**
 * The side on which each account type normally carries its balance (余额方向), and so the side that
 * increases it. Assets (资产) and expenses (费用) grow with debits; liabilities (负债), equity
 * (所有者权益) and income (收入) grow with credits. This is what makes "debits = credits" the same
 * statement as "assets + expenses = liabilities + equity + income".
 */
export const NORMAL_SIDE: Readonly<Record<AccountType, EntrySide>> = Object.freeze({
  ASSET: 'DEBIT',
  EXPENSE: 'DEBIT',
  LIABILITY: 'CREDIT',
  EQUITY: 'CREDIT',
  INCOME: 'CREDIT',
});

/** What the part after the colon in an account key names, if anything. */
export type AccountQualifier = 'CHANNEL' | 'MERCHANT' | 'NONE';

export interface AccountDefinition {
  readonly type: AccountType;
  readonly normalSide: EntrySide;
  /** Per-channel and per-merchant accounts are sub-accounts (明细账) of one ledger account. */
  readonly qualifier: AccountQualifier;
  /** Chinese name, as an accountant would write it in the 科目表. */
  readonly nameZh: string;
  readonly description: string;
}

/**
 * PayLab's chart of accounts (会计科目表), as data so that reports, admin screens and checks can
 * read it rather than re-encode it. Account keys are `CODE` or `CODE:qualifier`, e.g.
 * `CHANNEL_RECEIVABLE:ALIPAY` or `MERCHANT_PAYABLE_PENDING:mch_…`.
 *
 * Never rename a code: it is stored on every posted journal line.
 */
export const CHART_OF_ACCOUNTS = Object.freeze({
  CHANNEL_RECEIVABLE: Object.freeze({
    type: 'ASSET',
    normalSide: NORMAL_SIDE.ASSET,
    qualifier: 'CHANNEL',
    nameZh: '应收渠道款',
    description:
      'Money a channel has collected from payers for us and still owes us, net of its cost; ' +
      'cleared when the channel settles to our bank account.',
  }),
  MERCHANT_PAYABLE_PENDING: Object.freeze({
    type: 'LIABILITY',
    normalSide: NORMAL_SIDE.LIABILITY,
    qualifier: 'MERCHANT',
    nameZh: '应付商户款-待结算',
    description:
      'What we owe a merchant for cleared payments that are not yet due for settlement ' +
      '(before the cut-off of their T+1 / D+0 cycle).',
  }),
  MERCHANT_PAYABLE_AVAILABLE: Object.freeze({
    type: 'LIABILITY',
    normalSide: NORMAL_SIDE.LIABILITY,
    qualifier: 'MERCHANT',
    nameZh: '应付商户款-可结算',
    description: 'What we owe a merchant that is due and may be paid out in a settlement batch.',
  }),
  MERCHANT_RESERVE: Object.freeze({
    type: 'LIABILITY',
    normalSide: NORMAL_SIDE.LIABILITY,
    qualifier: 'MERCHANT',
    nameZh: '应付商户款-滚动保证金',
    description:
      "The rolling reserve (滚动保证金) held back from a merchant's settlements under its terms: " +
      'still owed to the merchant, released to available after the hold period.',
  }),
  MERCHANT_PAYABLE_IN_TRANSIT: Object.freeze({
    type: 'LIABILITY',
    normalSide: NORMAL_SIDE.LIABILITY,
    qualifier: 'MERCHANT',
    nameZh: '应付商户款-在途',
    description:
      'A payout (代付) sent to the bank and not yet confirmed: still owed to the merchant until ' +
      'the bank says it was paid, and returned to available if the bank refuses it.',
  }),
  PLATFORM_BANK: Object.freeze({
    type: 'ASSET',
    normalSide: NORMAL_SIDE.ASSET,
    qualifier: 'NONE',
    nameZh: '银行存款-备付金',
    description:
      'Our settlement account at the bank (备付金账户). Credited by every payout the bank ' +
      'confirms. Channel settlements into it are not booked yet, so its balance is negative: ' +
      'what we have paid merchants ahead of the channels settling to us.',
  }),
  FEE_REVENUE: Object.freeze({
    type: 'INCOME',
    normalSide: NORMAL_SIDE.INCOME,
    qualifier: 'NONE',
    nameZh: '手续费收入',
    description: 'Merchant fees we charged.',
  }),
  CHANNEL_COST: Object.freeze({
    type: 'EXPENSE',
    normalSide: NORMAL_SIDE.EXPENSE,
    qualifier: 'NONE',
    nameZh: '渠道成本',
    description:
      'Fees the channels charged us for carrying payments; reduced by the share a channel ' +
      'returns when a payment is refunded.',
  }),
  LATE_PAYMENT_SUSPENSE: Object.freeze({
    type: 'LIABILITY',
    normalSide: NORMAL_SIDE.LIABILITY,
    qualifier: 'NONE',
    nameZh: '暂收款-迟到支付',
    description:
      'Money a payer paid for an order that could no longer take it (closed, failed or already ' +
      'paid): owed back to the payer, never to the merchant. Credited when the late payment is ' +
      'recorded, debited when its return refund succeeds; its balance is what is still to return.',
  }),
} as const satisfies Record<string, AccountDefinition>);

export type AccountCode = keyof typeof CHART_OF_ACCOUNTS;

export function isAccountCode(value: unknown): value is AccountCode {
  // hasOwn rather than `in` so that 'toString' or '__proto__' are never mistaken for codes.
  return typeof value === 'string' && Object.hasOwn(CHART_OF_ACCOUNTS, value);
}

/** Channel codes as the rest of PayLab spells them: ALIPAY, WECHAT_PAY, UNIONPAY. */
const CHANNEL_CODE_PATTERN = /^[A-Z][A-Z0-9_]{0,31}$/;

export interface ParsedAccount {
  readonly key: string;
  readonly code: AccountCode;
  /** The channel code or merchant id after the colon; undefined for unqualified accounts. */
  readonly qualifier: string | undefined;
  readonly definition: AccountDefinition;
}

/**
 * Builds an account key, validating the qualifier against the chart: a per-merchant account needs
 * a real `mch_` id and a per-channel account a channel code, so a typo cannot open a new account.
 */
export function ledgerAccount(code: AccountCode, qualifier?: string): string {
  if (!isAccountCode(code)) {
    throw new LedgerError('LEDGER.INVALID_ACCOUNT', `Unknown account code: ${String(code)}`);
  }
  const definition: AccountDefinition = CHART_OF_ACCOUNTS[code];
  switch (definition.qualifier) {
    case 'NONE':
      if (qualifier !== undefined) {
        throw new LedgerError('LEDGER.INVALID_ACCOUNT', `${code} takes no qualifier`);
      }
      return code;
    case 'CHANNEL':
      if (typeof qualifier !== 'string' || !CHANNEL_CODE_PATTERN.test(qualifier)) {
        throw new LedgerError(
          'LEDGER.INVALID_ACCOUNT',
          `${code} needs a channel code such as ALIPAY, got ${String(qualifier)}`,
        );
      }
      return `${code}:${qualifier}`;
    case 'MERCHANT':
      if (!isId(qualifier, 'mch')) {
        throw new LedgerError(
          'LEDGER.INVALID_ACCOUNT',
          `${code} needs a mch_ merchant id, got ${String(qualifier)}`,
        );
      }
      return `${code}:${qualifier}`;
  }
}

/** Parses and validates an account key such as `CHANNEL_RECEIVABLE:ALIPAY`. */
export function parseLedgerAccount(key: string): ParsedAccount {
  if (typeof key !== 'string') {
    throw new LedgerError('LEDGER.INVALID_ACCOUNT', `Account must be a string, got ${String(key)}`);
  }
  const colon = key.indexOf(':');
  const code = colon === -1 ? key : key.slice(0, colon);
  const qualifier = colon === -1 ? undefined : key.slice(colon + 1);
  if (!isAccountCode(code)) {
    throw new LedgerError('LEDGER.INVALID_ACCOUNT', `Unknown account: ${key}`);
  }
  // Rebuilding the key validates the qualifier and rejects anything non-canonical.
  const canonical = ledgerAccount(code, qualifier);
  return Object.freeze({
    key: canonical,
    code,
    qualifier,
    definition: CHART_OF_ACCOUNTS[code],
  });
}

export function normalSideOf(account: string): EntrySide {
  return parseLedgerAccount(account).definition.normalSide;
}
