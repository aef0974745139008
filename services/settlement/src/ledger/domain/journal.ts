import { isId, newId } from '@paylab/ids';
import { CurrencyCode, Money } from '@paylab/money';
import { isBusinessDate } from '../../calendar/domain/business-date';
import { EntrySide, isEntrySide, parseLedgerAccount } from './accounts';
import { LedgerError } from './ledger-error';

/** One line of a journal entry (分录行): one amount on one side (借/贷) of one account. */
export interface JournalLineInput {
  readonly account: string;
  readonly side: EntrySide;
  /** Always positive: the side says which way it moves the account, never the sign. */
  readonly amount: Money;
}

/** A posted line, with its own `led_` id so that it can be referenced (e.g. by a settlement). */
export interface JournalLine extends JournalLineInput {
  readonly id: string;
}

/**
 * A balanced journal entry (记账凭证): debits equal credits, in one currency. Only `postJournal`
 * builds them, so holding a JournalEntry means holding a balanced one.
 */
export interface JournalEntry {
  /** `jnl_…` */
  readonly id: string;
  /** When the entry was posted (UTC instant). */
  readonly postedAt: Date;
  readonly description: string;
  /** Business ids this entry is about (clearingId, paymentId, …), for audit and look-up. */
  readonly references: Readonly<Record<string, string>>;
  /**
   * The accounting date (账务日期, YYYY-MM-DD) the poster asked for. The database has the last
   * word: a closed date is never given, and without one the entry gets the Asia/Shanghai date of
   * postedAt (see the books migration).
   */
  readonly businessDate?: string;
  readonly lines: readonly JournalLine[];
}

export interface PostJournalInput {
  readonly description: string;
  readonly lines: readonly JournalLineInput[];
  /** Defaults to now. */
  readonly postedAt?: Date;
  /** A `jnl_` id to use, e.g. one reserved for idempotency; a new one otherwise. */
  readonly id?: string;
  readonly references?: Readonly<Record<string, string>>;
  /** The accounting date the entry should count for, YYYY-MM-DD; see JournalEntry.businessDate. */
  readonly businessDate?: string;
}

/**
 * Validates and posts a journal entry (过账). Rejects, with a LedgerError:
 * - LEDGER.EMPTY: fewer than two lines (a single line cannot balance anything);
 * - LEDGER.NON_POSITIVE_LINE: a zero or negative amount (zero lines are noise, and a negative
 *   amount would hide a debit as a credit; reversals are posted on the opposite side);
 * - LEDGER.MIXED_CURRENCY: lines in more than one currency (a CNY debit cannot balance a USD
 *   credit; currency conversion is a separate pair of entries);
 * - LEDGER.UNBALANCED: total debits ≠ total credits (借贷必相等);
 * - LEDGER.INVALID_ACCOUNT / INVALID_SIDE / INVALID_ENTRY for malformed input.
 */
export function postJournal(input: PostJournalInput): JournalEntry {
  if (input === null || typeof input !== 'object') {
    throw new LedgerError('LEDGER.INVALID_ENTRY', 'Journal input is required');
  }
  const { description, lines } = input;
  if (typeof description !== 'string' || description.trim() === '') {
    throw new LedgerError('LEDGER.INVALID_ENTRY', 'A journal entry needs a description');
  }
  const postedAt = input.postedAt ?? new Date();
  if (!(postedAt instanceof Date) || Number.isNaN(postedAt.getTime())) {
    throw new LedgerError('LEDGER.INVALID_ENTRY', `Invalid postedAt: ${String(postedAt)}`);
  }
  const references = validateReferences(input.references === undefined ? {} : input.references);
  if (input.businessDate !== undefined && !isBusinessDate(input.businessDate)) {
    throw new LedgerError(
      'LEDGER.INVALID_ENTRY',
      `Not a business date (YYYY-MM-DD): ${String(input.businessDate)}`,
    );
  }
  if (input.id !== undefined && !isId(input.id, 'jnl')) {
    throw new LedgerError('LEDGER.INVALID_ENTRY', `Not a jnl_ id: ${String(input.id)}`);
  }
  if (!Array.isArray(lines) || lines.length < 2) {
    throw new LedgerError(
      'LEDGER.EMPTY',
      `A journal entry needs at least two lines, got ${Array.isArray(lines) ? lines.length : 0}`,
    );
  }

  lines.forEach((line, index) => validateLine(line, index));

  const currency = lines[0].amount.currency;
  const mixed = lines.find((line) => line.amount.currency !== currency);
  if (mixed) {
    throw new LedgerError(
      'LEDGER.MIXED_CURRENCY',
      `Journal lines mix ${currency} and ${mixed.amount.currency}`,
    );
  }

  const debits = sumLines(lines, 'DEBIT', currency);
  const credits = sumLines(lines, 'CREDIT', currency);
  if (!debits.equals(credits)) {
    throw new LedgerError(
      'LEDGER.UNBALANCED',
      `Debits ${debits.toString()} do not equal credits ${credits.toString()}`,
    );
  }

  const time = postedAt.getTime();
  const posted = lines.map((line) =>
    Object.freeze({
      // The canonical key, so that equal accounts always compare equal as strings.
      id: newId('led', time),
      account: parseLedgerAccount(line.account).key,
      side: line.side,
      amount: line.amount,
    }),
  );
  return Object.freeze({
    // Stamped with the posting time so the id sorts with the entry's place in the ledger.
    id: input.id ?? newId('jnl', time),
    // A copy: Date is mutable, and the caller's object must not be able to move the entry.
    postedAt: new Date(time),
    description,
    references,
    ...(input.businessDate === undefined ? {} : { businessDate: input.businessDate }),
    lines: Object.freeze(posted),
  });
}

/** Total of one side of an entry (or any lines), in `currency`. */
export function sumLines(
  lines: readonly JournalLineInput[],
  side: EntrySide,
  currency: CurrencyCode,
): Money {
  return lines
    .filter((line) => line.side === side)
    .reduce((total, line) => total.add(line.amount), Money.zero(currency));
}

function validateLine(line: JournalLineInput, index: number): void {
  if (line === null || typeof line !== 'object') {
    throw new LedgerError('LEDGER.INVALID_ENTRY', `Line ${index} is missing`);
  }
  parseLedgerAccount(line.account); // throws LEDGER.INVALID_ACCOUNT
  if (!isEntrySide(line.side)) {
    throw new LedgerError(
      'LEDGER.INVALID_SIDE',
      `Line ${index} side must be DEBIT or CREDIT, got ${String(line.side)}`,
    );
  }
  if (!(line.amount instanceof Money)) {
    throw new LedgerError('LEDGER.INVALID_ENTRY', `Line ${index} amount must be Money`);
  }
  if (!line.amount.isPositive()) {
    throw new LedgerError(
      'LEDGER.NON_POSITIVE_LINE',
      `Line ${index} (${line.side} ${line.account}) must be positive, got ${line.amount.toString()}`,
    );
  }
}

function validateReferences(
  references: Readonly<Record<string, string>>,
): Readonly<Record<string, string>> {
  if (references === null || typeof references !== 'object' || Array.isArray(references)) {
    throw new LedgerError('LEDGER.INVALID_ENTRY', 'references must be an object of strings');
  }
  const copy: Record<string, string> = {};
  for (const [key, value] of Object.entries(references)) {
    if (typeof value !== 'string' || value === '') {
      throw new LedgerError('LEDGER.INVALID_ENTRY', `Reference ${key} must be a non-empty string`);
    }
    copy[key] = value;
  }
  return Object.freeze(copy);
}
