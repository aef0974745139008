import type { IdentityCheckResult } from '../books.port';
import { isAccountCode, normalSideOf, type AccountCode } from '../../ledger/domain';

/** One account's totals in one currency, as summed from its journal lines. */
export interface AccountTotals {
  readonly account: string;
  readonly currency: string;
  readonly debitsMinor: bigint;
  readonly creditsMinor: bigint;
}

/**
 * What the settlement tables (the sub-ledgers, 明细账) say the merchant accounts should hold, per
 * currency. Each is a plain sum over one table, so it is computed independently of the ledger.
 */
export interface SubLedgerTotals {
  readonly currency: string;
  /** Σ net of settlement items no batch owns yet. */
  readonly unbatchedItemsNetMinor: bigint;
  /** Σ reserve holds not released yet. */
  readonly heldReserveMinor: bigint;
  /** Σ reserve holds released (back to available). */
  readonly releasedReserveMinor: bigint;
  /** Σ over every batch of (items net − reserve held). */
  readonly batchedNetLessReserveMinor: bigint;
  /** Σ payouts SUBMITTING, SENT or UNKNOWN. */
  readonly inFlightPayoutsMinor: bigint;
  /** Σ payouts PAID. */
  readonly paidPayoutsMinor: bigint;
  /** Σ payouts in any state but FAILED. */
  readonly unfailedPayoutsMinor: bigint;
}

export const IDENTITY_NAMES = [
  'TRIAL_BALANCE',
  'ACCOUNTING_EQUATION',
  'PENDING_SUBLEDGER',
  'RESERVE_SUBLEDGER',
  'IN_TRANSIT_SUBLEDGER',
  'PAID_SUBLEDGER',
  'AVAILABLE_SUBLEDGER',
] as const;
export type IdentityName = (typeof IDENTITY_NAMES)[number];

const STATEMENTS: Readonly<Record<IdentityName, string>> = Object.freeze({
  TRIAL_BALANCE: 'total debits = total credits (借贷必相等)',
  ACCOUNTING_EQUATION:
    'what channels owe us + what we hold at the bank = what we owe merchants (pending + available + ' +
    'reserve + in transit) + our margin (fee revenue − channel cost) + late-payment suspense ' +
    '(应收渠道款 + 银行存款 = 应付商户款 + 手续费毛利 + 暂收款)',
  PENDING_SUBLEDGER:
    'Σ MERCHANT_PAYABLE_PENDING = Σ net of settlement items no batch owns yet (待结算 = 未入批明细)',
  RESERVE_SUBLEDGER: 'Σ MERCHANT_RESERVE = Σ reserve holds not released (保证金 = 未释放保证金)',
  IN_TRANSIT_SUBLEDGER:
    'Σ MERCHANT_PAYABLE_IN_TRANSIT = Σ payouts submitting, sent or unknown (在途 = 未决代付)',
  PAID_SUBLEDGER: '− PLATFORM_BANK = Σ payouts paid (银行付出 = 已付代付)',
  AVAILABLE_SUBLEDGER:
    'Σ MERCHANT_PAYABLE_AVAILABLE = Σ batches (items net − reserve held) + Σ released reserve − ' +
    'Σ payouts not failed (可结算 = 入批净额 − 留存 + 释放 − 代付)',
});

/** An account's balance signed on its normal side (余额方向); unknown accounts count as debit-normal. */
export function balanceOnNormalSide(totals: AccountTotals): bigint {
  return normalSideOrDebit(totals.account) === 'CREDIT'
    ? totals.creditsMinor - totals.debitsMinor
    : totals.debitsMinor - totals.creditsMinor;
}

function normalSideOrDebit(account: string): 'DEBIT' | 'CREDIT' {
  try {
    return normalSideOf(account);
  } catch {
    return 'DEBIT';
  }
}

function codeOf(account: string): AccountCode | undefined {
  const colon = account.indexOf(':');
  const code = colon === -1 ? account : account.slice(0, colon);
  return isAccountCode(code) ? code : undefined;
}

/** Every sub-ledger total at zero, for a currency with nothing in it yet. */
export const ZERO_SUBLEDGERS = (currency: string): SubLedgerTotals => ({
  currency,
  unbatchedItemsNetMinor: 0n,
  heldReserveMinor: 0n,
  releasedReserveMinor: 0n,
  batchedNetLessReserveMinor: 0n,
  inFlightPayoutsMinor: 0n,
  paidPayoutsMinor: 0n,
  unfailedPayoutsMinor: 0n,
});

/**
 * Checks the accounting identities (会计恒等式) of the books, per currency: the ledger against
 * itself (debits = credits; the balance-sheet equation over the chart of accounts) and each
 * merchant account against the settlement table that explains it. Lines booked to an account the
 * chart does not know count in the trial balance but in no other check, so such a line breaks
 * the accounting equation. With nothing booked at all every check holds at 0 = 0 in CNY.
 */
export function checkAccountingIdentities(
  accounts: readonly AccountTotals[],
  subLedgers: readonly SubLedgerTotals[],
): IdentityCheckResult[] {
  const currencies = [
    ...new Set([...accounts.map((a) => a.currency), ...subLedgers.map((s) => s.currency)]),
  ].sort();
  if (currencies.length === 0) currencies.push('CNY');

  const results: IdentityCheckResult[] = [];
  for (const currency of currencies) {
    const inCurrency = accounts.filter((a) => a.currency === currency);
    const sub = subLedgers.find((s) => s.currency === currency) ?? ZERO_SUBLEDGERS(currency);
    const sumOf = (...codes: AccountCode[]) =>
      inCurrency
        .filter((a) => {
          const code = codeOf(a.account);
          return code !== undefined && codes.includes(code);
        })
        .reduce((total, a) => total + balanceOnNormalSide(a), 0n);
    const check = (name: IdentityName, left: bigint, right: bigint) =>
      results.push(result(name, currency, left, right));

    check(
      'TRIAL_BALANCE',
      inCurrency.reduce((total, a) => total + a.debitsMinor, 0n),
      inCurrency.reduce((total, a) => total + a.creditsMinor, 0n),
    );
    check(
      'ACCOUNTING_EQUATION',
      sumOf('CHANNEL_RECEIVABLE') + sumOf('PLATFORM_BANK'),
      sumOf(
        'MERCHANT_PAYABLE_PENDING',
        'MERCHANT_PAYABLE_AVAILABLE',
        'MERCHANT_RESERVE',
        'MERCHANT_PAYABLE_IN_TRANSIT',
      ) +
        (sumOf('FEE_REVENUE') - sumOf('CHANNEL_COST')) +
        sumOf('LATE_PAYMENT_SUSPENSE'),
    );
    check('PENDING_SUBLEDGER', sumOf('MERCHANT_PAYABLE_PENDING'), sub.unbatchedItemsNetMinor);
    check('RESERVE_SUBLEDGER', sumOf('MERCHANT_RESERVE'), sub.heldReserveMinor);
    check('IN_TRANSIT_SUBLEDGER', sumOf('MERCHANT_PAYABLE_IN_TRANSIT'), sub.inFlightPayoutsMinor);
    check('PAID_SUBLEDGER', -sumOf('PLATFORM_BANK'), sub.paidPayoutsMinor);
    check(
      'AVAILABLE_SUBLEDGER',
      sumOf('MERCHANT_PAYABLE_AVAILABLE'),
      sub.batchedNetLessReserveMinor + sub.releasedReserveMinor - sub.unfailedPayoutsMinor,
    );
  }
  return results;
}

function result(
  name: IdentityName,
  currency: string,
  left: bigint,
  right: bigint,
): IdentityCheckResult {
  const difference = left - right;
  return Object.freeze({
    name,
    statement: STATEMENTS[name],
    currency,
    leftMinor: toSafeNumber(left, name),
    rightMinor: toSafeNumber(right, name),
    differenceMinor: toSafeNumber(difference, name),
    holds: difference === 0n,
  });
}

function toSafeNumber(value: bigint, name: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number)) {
    throw new RangeError(`${name}: ${value} minor units is beyond a safe integer`);
  }
  return number;
}
