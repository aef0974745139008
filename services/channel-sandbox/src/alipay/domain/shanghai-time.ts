/**
 * Wall-clock time in Asia/Shanghai, the zone Alipay writes every time and business date in.
 * China has had no daylight saving since 1991, so a fixed +08:00 offset is exact and avoids
 * depending on the host's time-zone database.
 */
const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;

function shanghaiIso(instant: Date): string {
  return new Date(instant.getTime() + SHANGHAI_OFFSET_MS).toISOString();
}

/** 'YYYY-MM-DD HH:mm:ss' in Shanghai time, Alipay's format for gmt_payment, notify_time, …. */
export function formatShanghaiDateTime(instant: Date): string {
  const iso = shanghaiIso(instant);
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** The business date (业务日期) of an instant: its calendar date in Shanghai, 'YYYY-MM-DD'. */
export function shanghaiBusinessDate(instant: Date): string {
  return shanghaiIso(instant).slice(0, 10);
}

/** 'YYYYMMDD' of the Shanghai date, as in Alipay trade numbers and bill file names. */
export function compactShanghaiDate(instant: Date): string {
  return shanghaiBusinessDate(instant).replaceAll('-', '');
}

/** '2019年09月16日 00:00:00', the Chinese form the bill preamble uses. */
export function chineseDateTime(date: string, time = '00:00:00'): string {
  const [year, month, day] = date.split('-');
  return `${year}年${month}月${day}日 ${time}`;
}

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written 'YYYY-MM-DD' (rejects 2026-02-30). */
export function isCalendarDate(value: string): boolean {
  const match = DATE_PATTERN.exec(value);
  if (!match) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** The day after a 'YYYY-MM-DD' date. */
export function nextDate(date: string): string {
  const next = new Date(`${date}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().slice(0, 10);
}

/** Alipay request timestamps: 'YYYY-MM-DD HH:mm:ss'. Only the shape is checked (see gateway). */
export function isGatewayTimestamp(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(value) && isCalendarDate(value.slice(0, 10));
}
