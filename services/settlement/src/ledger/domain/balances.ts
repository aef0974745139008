import { CurrencyCode, Money } from '@paylab/money';
import { parseLedgerAccount } from './accounts';
import { JournalEntry } from './journal';
import { LedgerError } from './ledger-error';

/**
 * Each account's balance (余额) over `entries`, signed on the account's normal side: positive
 * means a balance on the side the account normally carries (a debit balance for an asset or
 * expense, a credit balance for a liability or income), negative means it has gone over to the
 * other side, e.g. a merchant payable in debit because we paid out more than we owed.
 *
 * Only accounts that appear in `entries` are in the map. Throws LEDGER.MIXED_CURRENCY if one
 * account has lines in two currencies (a sum across currencies means nothing).
 */
export function balances(entries: readonly JournalEntry[]): Map<string, Money> {
  const result = new Map<string, Money>();
  for (const entry of entries) {
    for (const line of entry.lines) {
      const { key, definition } = parseLedgerAccount(line.account);
      const signed = line.side === definition.normalSide ? line.amount : line.amount.negate();
      const current = result.get(key);
      if (current !== undefined && current.currency !== signed.currency) {
        throw new LedgerError(
          'LEDGER.MIXED_CURRENCY',
          `Account ${key} has lines in ${current.currency} and ${signed.currency}`,
        );
      }
      result.set(key, current === undefined ? signed : current.add(signed));
    }
  }
  return result;
}

export interface TrialBalance {
  readonly totalDebits: Money;
  readonly totalCredits: Money;
  /** totalDebits = totalCredits (试算平衡). */
  readonly balanced: boolean;
}

/**
 * Trial balance (试算平衡表) by totals: the sum of every debit line against the sum of every credit
 * line. It deliberately re-adds the lines instead of trusting that each entry was balanced when
 * posted: its job is to catch an entry that was altered, hand-built or partially stored.
 *
 * One currency per trial balance: `currency` defaults to that of the first line, or CNY for an
 * empty ledger, and lines in any other currency throw LEDGER.MIXED_CURRENCY.
 */
export function trialBalance(
  entries: readonly JournalEntry[],
  currency?: CurrencyCode,
): TrialBalance {
  const ledgerCurrency = currency ?? entries[0]?.lines[0]?.amount.currency ?? 'CNY';
  let totalDebits = Money.zero(ledgerCurrency);
  let totalCredits = Money.zero(ledgerCurrency);
  for (const entry of entries) {
    for (const line of entry.lines) {
      if (line.amount.currency !== ledgerCurrency) {
        throw new LedgerError(
          'LEDGER.MIXED_CURRENCY',
          `Entry ${entry.id} has a ${line.amount.currency} line in a ${ledgerCurrency} trial balance`,
        );
      }
      if (line.side === 'DEBIT') {
        totalDebits = totalDebits.add(line.amount);
      } else if (line.side === 'CREDIT') {
        totalCredits = totalCredits.add(line.amount);
      } else {
        throw new LedgerError(
          'LEDGER.INVALID_SIDE',
          `Entry ${entry.id} has a line with side ${String(line.side)}`,
        );
      }
    }
  }
  return Object.freeze({ totalDebits, totalCredits, balanced: totalDebits.equals(totalCredits) });
}
