/**
 * Changing a merchant's settlement terms (结算条款): checking an operator's request, building the
 * next version, what changed (for the audit trail) and from which business date it applies.
 * Pure: no clock, no database.
 */
import { addDays, isBusinessDate, isCutoff } from '../../calendar/domain/business-date';
import type {
  PayoutAccount,
  RollingReserve,
  SettlementCycle,
  SettlementTerms,
} from './settlement-terms';
import { SettlementTermsError, type SettlementTermsErrorCode } from './terms-error';

export const MAX_CYCLE_DAYS = 30;
/** ¥100,000,000.00: far above any demo payout, far below Number.MAX_SAFE_INTEGER. */
export const MAX_MINIMUM_PAYOUT_MINOR = 100_000_000_00;
/** 10000 bp = 100 %: a reserve can hold back the whole batch, never more. */
export const MAX_RESERVE_PERCENT_BP = 10_000;
export const MAX_RESERVE_HOLD_DAYS = 365;
export const MAX_REASON_LENGTH = 500;
export const MAX_ACCOUNT_NAME_LENGTH = 100;

// The bank (银企直连) takes codes of 2 to 12 characters; a longer one would fail every payout.
const BANK_CODE = /^[A-Z][A-Z0-9]{1,11}$/;
const ACCOUNT_NO = /^[0-9]{8,32}$/;
/** Control characters (NUL included); a reason may still span lines. */
const CONTROL = /\p{Cc}/u;
const CONTROL_EXCEPT_LINE_BREAKS = /[^\P{Cc}\n\r\t]/u;

/** What an operator sends: the whole terms but version and effectiveFrom, plus why. */
export interface TermsChangeRequest {
  readonly cycle: SettlementCycle;
  readonly cutoff: string;
  readonly minimumPayoutMinor: number;
  readonly reserve: RollingReserve | null;
  readonly payoutAccount: PayoutAccount | null;
  readonly reason: string;
}

const REQUEST_FIELDS = [
  'cycle',
  'cutoff',
  'minimumPayoutMinor',
  'reserve',
  'payoutAccount',
  'reason',
] as const;
/** Fields of SettlementTerms the platform sets itself: named in the error so nobody guesses. */
const SET_BY_PLATFORM = ['merchantId', 'version', 'effectiveFrom'];

function fail(code: SettlementTermsErrorCode, param: string, message: string): never {
  throw new SettlementTermsError(code, `${param}: ${message}`, param);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null)
  );
}

function onlyKnownFields(
  value: Record<string, unknown>,
  allowed: readonly string[],
  path: string,
  code: SettlementTermsErrorCode,
): void {
  for (const key of Object.keys(value)) {
    if (allowed.includes(key)) continue;
    const param = path ? `${path}.${key}` : key;
    if (!path && SET_BY_PLATFORM.includes(key)) {
      fail(
        'SETTLEMENT_TERMS.UNKNOWN_FIELD',
        param,
        'is set by the platform (the merchant from the path, version and effectiveFrom on saving); leave it out.',
      );
    }
    fail(code, param, `unknown field; expected only ${allowed.join(', ')}.`);
  }
}

function wholeNumber(
  value: unknown,
  min: number,
  max: number,
  code: SettlementTermsErrorCode,
  param: string,
  unit: string,
): number {
  if (typeof value !== 'number') {
    fail(code, param, `must be a JSON number (${unit}), not ${describe(value)}.`);
  }
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    fail(code, param, `must be a whole number of ${unit} from ${min} to ${max}, got ${value}.`);
  }
  return value === 0 ? 0 : value; // -0 reads as 0
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

function text(
  value: unknown,
  code: SettlementTermsErrorCode,
  param: string,
  maxLength: number,
  allowLineBreaks: boolean,
): string {
  if (typeof value !== 'string') fail(code, param, `must be a string, not ${describe(value)}.`);
  // A lone UTF-16 surrogate does not survive UTF-8 (Postgres would refuse it or store U+FFFD).
  if (Buffer.from(value, 'utf8').toString('utf8') !== value) {
    fail(code, param, 'is not valid Unicode text (a lone surrogate).');
  }
  if ((allowLineBreaks ? CONTROL_EXCEPT_LINE_BREAKS : CONTROL).test(value)) {
    fail(code, param, 'must not contain control characters (NUL included).');
  }
  if (value.trim() === '') fail(code, param, 'must not be empty.');
  const length = [...value].length;
  if (length > maxLength) {
    fail(code, param, `must be at most ${maxLength} characters, got ${length}.`);
  }
  return value;
}

export function parseCycle(value: unknown, param = 'cycle'): SettlementCycle {
  const code = 'SETTLEMENT_TERMS.INVALID_CYCLE';
  if (!isPlainObject(value)) {
    fail(code, param, `must be {"kind":"T_PLUS_N","days":N} or {"kind":"D_PLUS_0"}.`);
  }
  if (value.kind === 'D_PLUS_0') {
    onlyKnownFields(value, ['kind'], param, code);
    return { kind: 'D_PLUS_0' };
  }
  if (value.kind === 'T_PLUS_N') {
    onlyKnownFields(value, ['kind', 'days'], param, code);
    if (value.days === 0) {
      fail(
        code,
        `${param}.days`,
        'T+0 is not a T+N cycle: to pay the same business date, use {"kind":"D_PLUS_0"}.',
      );
    }
    const days = wholeNumber(value.days, 1, MAX_CYCLE_DAYS, code, `${param}.days`, 'days');
    return { kind: 'T_PLUS_N', days };
  }
  fail(code, `${param}.kind`, 'must be "T_PLUS_N" or "D_PLUS_0".');
}

export function parseCutoff(value: unknown, param = 'cutoff'): string {
  if (!isCutoff(value)) {
    fail(
      'SETTLEMENT_TERMS.INVALID_CUTOFF',
      param,
      'must be a time HH:MM from 00:00 to 23:59 in Asia/Shanghai (00:00 = midnight).',
    );
  }
  return value;
}

export function parseMinimumPayout(value: unknown, param = 'minimumPayoutMinor'): number {
  return wholeNumber(
    value,
    0,
    MAX_MINIMUM_PAYOUT_MINOR,
    'SETTLEMENT_TERMS.INVALID_MINIMUM_PAYOUT',
    param,
    'fen',
  );
}

export function parseReserve(value: unknown, param = 'reserve'): RollingReserve | null {
  const code = 'SETTLEMENT_TERMS.INVALID_RESERVE';
  if (value === null) return null;
  if (!isPlainObject(value)) {
    fail(code, param, 'must be null (no reserve) or {"percentBp":…,"holdDays":…}.');
  }
  onlyKnownFields(value, ['percentBp', 'holdDays'], param, code);
  const percentBp = wholeNumber(
    value.percentBp,
    1,
    MAX_RESERVE_PERCENT_BP,
    code,
    `${param}.percentBp`,
    'basis points (10000 = 100 %)',
  );
  const holdDays = wholeNumber(
    value.holdDays,
    1,
    MAX_RESERVE_HOLD_DAYS,
    code,
    `${param}.holdDays`,
    'days',
  );
  return { percentBp, holdDays };
}

export function parsePayoutAccount(value: unknown, param = 'payoutAccount'): PayoutAccount | null {
  const code = 'SETTLEMENT_TERMS.INVALID_PAYOUT_ACCOUNT';
  if (value === null) return null;
  if (!isPlainObject(value)) {
    fail(code, param, 'must be null or {"bankCode":…,"accountNo":…,"accountName":…}.');
  }
  onlyKnownFields(value, ['bankCode', 'accountNo', 'accountName'], param, code);
  if (typeof value.bankCode !== 'string' || !BANK_CODE.test(value.bankCode)) {
    fail(code, `${param}.bankCode`, 'must be 2 to 12 upper-case letters or digits, e.g. PLBANK.');
  }
  if (typeof value.accountNo !== 'string' || !ACCOUNT_NO.test(value.accountNo)) {
    fail(code, `${param}.accountNo`, 'must be a string of 8 to 32 digits.');
  }
  const accountName = text(
    value.accountName,
    code,
    `${param}.accountName`,
    MAX_ACCOUNT_NAME_LENGTH,
    false,
  );
  if (accountName !== accountName.trim()) {
    fail(code, `${param}.accountName`, 'must not start or end with spaces (banks match names).');
  }
  return { bankCode: value.bankCode, accountNo: value.accountNo, accountName };
}

/** Checks a request body; the first problem found is the error, with `param` naming the field. */
export function parseTermsChange(input: unknown): TermsChangeRequest {
  if (!isPlainObject(input)) {
    throw new SettlementTermsError(
      'SETTLEMENT_TERMS.INVALID_REQUEST',
      `The body must be a JSON object with ${REQUEST_FIELDS.join(', ')}.`,
    );
  }
  onlyKnownFields(input, REQUEST_FIELDS, '', 'SETTLEMENT_TERMS.UNKNOWN_FIELD');
  // Every field is required: a change states the whole terms, so nothing is kept by accident.
  for (const field of REQUEST_FIELDS) {
    if (!(field in input) || input[field] === undefined) {
      fail(
        field === 'reason' ? 'SETTLEMENT_TERMS.INVALID_REASON' : 'SETTLEMENT_TERMS.INVALID_REQUEST',
        field,
        field === 'reason'
          ? 'is required: say why the terms change (kept in the audit trail).'
          : 'is required (send the whole terms; null where there is none).',
      );
    }
  }
  return {
    cycle: parseCycle(input.cycle),
    cutoff: parseCutoff(input.cutoff),
    minimumPayoutMinor: parseMinimumPayout(input.minimumPayoutMinor),
    reserve: parseReserve(input.reserve),
    payoutAccount: parsePayoutAccount(input.payoutAccount),
    reason: text(
      input.reason,
      'SETTLEMENT_TERMS.INVALID_REASON',
      'reason',
      MAX_REASON_LENGTH,
      true,
    ),
  };
}

/** The version a change creates. */
export function termsFromChange(
  merchantId: string,
  version: number,
  effectiveFrom: string,
  change: TermsChangeRequest,
): SettlementTerms {
  return {
    merchantId,
    version,
    cycle: change.cycle,
    cutoff: change.cutoff,
    minimumPayoutMinor: change.minimumPayoutMinor,
    reserve: change.reserve,
    payoutAccount: change.payoutAccount,
    effectiveFrom,
  };
}

/**
 * The first business date a change made now applies to: the next one whose batches are not built
 * yet, so a batch is always built under one version, never re-read half-way.
 * - `today`: the Asia/Shanghai calendar date now (its items are still coming in: never today);
 * - `lastBuildStarted`: the latest business date an end-of-day BUILD_BATCHES run has started for;
 * - `latestEffectiveFrom`: of the merchant's newest version, so versions never go back in time
 *   (a later version always applies from the same date or later: "the later change wins").
 */
export function effectiveFromOfChange(
  today: string,
  lastBuildStarted: string | null,
  latestEffectiveFrom: string | null,
): string {
  const candidates = [addDays(today, 1)];
  if (lastBuildStarted !== null) candidates.push(addDays(lastBuildStarted, 1));
  if (latestEffectiveFrom !== null) candidates.push(latestEffectiveFrom);
  for (const date of candidates) {
    if (!isBusinessDate(date)) throw new RangeError(`Not a business date: ${date}`);
  }
  return candidates.reduce((latest, date) => (date > latest ? date : latest));
}

export type TermsField = 'cycle' | 'cutoff' | 'minimumPayoutMinor' | 'reserve' | 'payoutAccount';

export interface TermsFieldChange {
  readonly field: TermsField;
  readonly before: unknown;
  readonly after: unknown;
}

const TERMS_FIELDS: readonly TermsField[] = [
  'cycle',
  'cutoff',
  'minimumPayoutMinor',
  'reserve',
  'payoutAccount',
];

/** Canonical JSON of a field (keys sorted), so equal values compare equal whatever their order. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(',')}}`;
}

/** What a change changes, field by field (version and effectiveFrom are not terms). */
export function diffTerms(
  before: Pick<SettlementTerms, TermsField>,
  after: Pick<SettlementTerms, TermsField>,
): TermsFieldChange[] {
  return TERMS_FIELDS.filter((field) => canonical(before[field]) !== canonical(after[field])).map(
    (field) => ({ field, before: before[field], after: after[field] }),
  );
}
