/**
 * Times as the Chinese channels write them: wall-clock 'YYYY-MM-DD HH:mm:ss' in Asia/Shanghai.
 * China has had no daylight saving since 1991, so a fixed +08:00 offset is exact and does not
 * depend on the host's time-zone database (or on the host's own zone, which is UTC in compose).
 */
const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Parses a Shanghai wall-clock time into the UTC instant it names; null if it is not one. */
export function parseShanghaiDateTime(value: string): Date | null {
  const match = DATE_TIME.exec(value);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
  const utc = Date.UTC(year, month - 1, day, hour, minute, second);
  const instant = new Date(utc - SHANGHAI_OFFSET_MS);
  // Date.UTC rolls 2026-02-30 over to March; a channel time that does so is malformed.
  if (formatShanghaiDateTime(instant) !== value) return null;
  return instant;
}

/** 'YYYY-MM-DD HH:mm:ss' in Shanghai time. */
export function formatShanghaiDateTime(instant: Date): string {
  const iso = new Date(instant.getTime() + SHANGHAI_OFFSET_MS).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** The business date (业务日期) of an instant: its calendar date in Shanghai, 'YYYY-MM-DD'. */
export function shanghaiBusinessDate(instant: Date): string {
  return new Date(instant.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** True for a real calendar date written 'YYYY-MM-DD' (rejects 2026-02-30). */
export function isCalendarDate(value: string): boolean {
  if (!DATE.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/**
 * RFC 3339 in Shanghai time, as WeChat Pay writes it (success_time, time_expire):
 * 2026-01-14T10:34:56+08:00. Whole seconds: the channel takes nothing finer.
 */
export function formatRfc3339Shanghai(instant: Date): string {
  return `${formatShanghaiDateTime(instant).replace(' ', 'T')}+08:00`;
}

/**
 * Parses an RFC 3339 time with an explicit offset (WeChat Pay's success_time) into its UTC
 * instant; null for anything else, including a time without an offset or an impossible date.
 */
export function parseRfc3339(value: string): Date | null {
  const match = RFC3339.exec(value);
  if (!match || !isCalendarDate(match[1])) return null;
  const [hour, minute, second] = match[2].split(':').map(Number);
  if (hour > 23 || minute > 59 || second > 59) return null;
  const instant = new Date(value);
  return Number.isNaN(instant.getTime()) ? null : instant;
}
