import {
  addDays,
  datesBetween,
  daysBetween,
  isBusinessDate,
} from '../../calendar/domain/business-date';
import { SettlementError } from '../../batches/domain/settlement-error';

/**
 * The end of day (日终) for one business date is these jobs, in this order:
 * - RELEASE_RESERVES: rolling reserves due by the date go back to available;
 * - BUILD_BATCHES: every merchant's batch of due items (pending → available, reserve held);
 * - PAY_OUT: a payout (代付) for every batch that is to be paid;
 * - CLOSE_BOOKS: the date's books close: balance snapshots, trial balance, identity checks.
 * Releasing first lets the batch report and pay the released reserve the same day; closing last
 * keeps the day's own settlement entries inside its books.
 */
export const END_OF_DAY_JOBS = [
  'RELEASE_RESERVES',
  'BUILD_BATCHES',
  'PAY_OUT',
  'CLOSE_BOOKS',
] as const;
export type EndOfDayJob = (typeof END_OF_DAY_JOBS)[number];

/**
 * The dates a run up to `target` must process, oldest first: every date after the last one whose
 * end of day completed (catch-up after downtime), or, on the very first run, from `firstDate`.
 * Empty when `target` is already done: running a date twice changes nothing.
 */
export function datesToRun(input: {
  readonly target: string;
  readonly lastCompleted: string | null;
  readonly firstDate: string;
}): string[] {
  const start = input.lastCompleted !== null ? addDays(input.lastCompleted, 1) : input.firstDate;
  return datesBetween(start < input.target ? start : input.target, input.target).filter(
    (date) => input.lastCompleted === null || date > input.lastCompleted,
  );
}

/** Checks a date an instructor asked for: a real date, and not too far ahead of today. */
export function assertRunnableDate(date: unknown, today: string, maxDaysAhead: number): string {
  if (!isBusinessDate(date)) {
    throw new SettlementError(
      'END_OF_DAY.INVALID_DATE',
      'businessDate must be a date YYYY-MM-DD',
      'businessDate',
    );
  }
  if (daysBetween(today, date) > maxDaysAhead) {
    throw new SettlementError(
      'END_OF_DAY.TOO_FAR_AHEAD',
      `businessDate ${date} is more than ${maxDaysAhead} days after today (${today})`,
      'businessDate',
    );
  }
  return date;
}
