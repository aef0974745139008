/**
 * Business dates (营业日/账务日期) and cut-offs (日切时间) in Asia/Shanghai. Pure: no clock, no
 * database. A business date is a `YYYY-MM-DD` string; instants are `Date`s in UTC.
 *
 * A cut-off `HH:MM` ends a business day: a payment at or after the cut-off belongs to the next
 * business date. `00:00` is midnight, so the business date is the calendar date; `22:00` makes a
 * payment at 22:30 on 1 March count for 2 March. Every merchant's business date D has therefore
 * ended by 00:00 on D+1, which is when the platform's end of day for D can start.
 */

/** China has had no daylight saving time since 1991: Asia/Shanghai is UTC+8 all year. */
const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const CUTOFF_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)$/;

export const DEFAULT_CUTOFF = '00:00';

export function isBusinessDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = DATE_PATTERN.exec(value);
  if (!match) return false;
  const [, year, month, day] = match.map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    year >= 2000 &&
    year <= 2999
  );
}

export function isCutoff(value: unknown): value is string {
  return typeof value === 'string' && CUTOFF_PATTERN.test(value);
}

function minutesOf(cutoff: string): number {
  const match = CUTOFF_PATTERN.exec(cutoff);
  if (!match) throw new RangeError(`Not a cut-off (HH:MM): ${cutoff}`);
  return Number(match[1]) * 60 + Number(match[2]);
}

function assertDate(date: string): void {
  if (!isBusinessDate(date)) throw new RangeError(`Not a business date (YYYY-MM-DD): ${date}`);
}

/** Local (Asia/Shanghai) calendar date of an instant. */
export function shanghaiDateOf(instant: Date): string {
  return new Date(instant.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** The business date an instant belongs to under a cut-off. */
export function businessDateOf(instant: Date, cutoff: string = DEFAULT_CUTOFF): string {
  const cutoffMinutes = minutesOf(cutoff);
  const local = new Date(instant.getTime() + SHANGHAI_OFFSET_MS);
  const date = local.toISOString().slice(0, 10);
  if (cutoffMinutes === 0) return date;
  const minuteOfDay = local.getUTCHours() * 60 + local.getUTCMinutes();
  return minuteOfDay >= cutoffMinutes ? addDays(date, 1) : date;
}

/** The first instant that no longer belongs to `date` under `cutoff`. */
export function endOfBusinessDate(date: string, cutoff: string = DEFAULT_CUTOFF): Date {
  assertDate(date);
  const cutoffMinutes = minutesOf(cutoff);
  const localMidnightUtc = Date.parse(`${date}T00:00:00Z`) - SHANGHAI_OFFSET_MS;
  // 00:00 ends the day at the next midnight; any other cut-off ends it that time on the day.
  return new Date(
    cutoffMinutes === 0 ? localMidnightUtc + DAY_MS : localMidnightUtc + cutoffMinutes * 60_000,
  );
}

export function addDays(date: string, days: number): string {
  assertDate(date);
  if (!Number.isSafeInteger(days)) throw new RangeError(`Not a whole number of days: ${days}`);
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  assertDate(from);
  assertDate(to);
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** Dates from `from` to `to`, both included, in order; empty when `from` is after `to`. */
export function datesBetween(from: string, to: string): string[] {
  const count = daysBetween(from, to);
  return Array.from({ length: Math.max(0, count + 1) }, (_, index) => addDays(from, index));
}

/**
 * The latest business date whose end of day is due at `now`: every cut-off of date D has passed
 * by 00:00 on D+1 (local), and the schedule waits `graceMs` more so that payments confirmed in
 * the last seconds of the day are cleared first.
 */
export function latestDueBusinessDate(now: Date, graceMs: number): string {
  return addDays(shanghaiDateOf(new Date(now.getTime() - graceMs)), -1);
}
