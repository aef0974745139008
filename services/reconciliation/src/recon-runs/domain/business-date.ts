/**
 * Business dates (账务日期) of the Chinese channels follow Asia/Shanghai. China has kept UTC+8
 * without daylight saving since 1991, so a fixed offset is exact for every date a statement can
 * carry and keeps this code free of time-zone databases.
 */
const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL_TIME_PATTERN = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

function utcMidnightOf(date: string): number | undefined {
  const match = DATE_PATTERN.exec(date);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  // Date.UTC rolls 2026-02-30 over to March; a real calendar date survives the round trip.
  if (
    back.getUTCFullYear() !== year ||
    back.getUTCMonth() !== month - 1 ||
    back.getUTCDate() !== day
  )
    return undefined;
  return ms;
}

/** `YYYY-MM-DD` that is a real calendar date. */
export function isBusinessDate(value: string): boolean {
  return utcMidnightOf(value) !== undefined;
}

function requireDate(date: string): number {
  const ms = utcMidnightOf(date);
  if (ms === undefined) throw new RangeError(`Not a business date (YYYY-MM-DD): ${date}`);
  return ms;
}

/** 00:00 Asia/Shanghai on the business date, as an instant. */
export function startOfBusinessDate(date: string): Date {
  return new Date(requireDate(date) - SHANGHAI_OFFSET_MS);
}

/** The cut-off (日切) of a business date: 00:00 Asia/Shanghai of the next day, exclusive. */
export function cutOffOf(date: string): Date {
  return new Date(requireDate(date) + DAY_MS - SHANGHAI_OFFSET_MS);
}

/** The Asia/Shanghai calendar date an instant falls on. */
export function businessDateOf(instant: Date): string {
  return new Date(instant.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

export function previousBusinessDate(date: string): string {
  return new Date(requireDate(date) - DAY_MS).toISOString().slice(0, 10);
}

/**
 * `yyyy-MM-dd HH:mm:ss` in Asia/Shanghai wall-clock time (how both statements write times) to an
 * instant; undefined when the text is not exactly that, or names an impossible time.
 */
export function parseShanghaiLocalTime(text: string): Date | undefined {
  const match = LOCAL_TIME_PATTERN.exec(text);
  if (!match) return undefined;
  const midnight = utcMidnightOf(`${match[1]}-${match[2]}-${match[3]}`);
  const [hours, minutes, seconds] = [Number(match[4]), Number(match[5]), Number(match[6])];
  if (midnight === undefined || hours > 23 || minutes > 59 || seconds > 59) return undefined;
  return new Date(midnight + ((hours * 60 + minutes) * 60 + seconds) * 1000 - SHANGHAI_OFFSET_MS);
}
