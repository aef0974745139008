import type { TradeStatus } from '../../alipay/domain/trade';

/**
 * A trade's deadline (time_expire), the same for every channel: once it has passed, an unpaid
 * trade is closed — it cannot be paid, and queries read it as closed — exactly as the channel
 * does on its own, without waiting for the merchant's close.
 */
export function statusAt(status: TradeStatus, expiresAt: Date | null, now: Date): TradeStatus {
  if (status === 'WAIT_BUYER_PAY' && expiresAt && now.getTime() >= expiresAt.getTime()) {
    return 'TRADE_CLOSED';
  }
  return status;
}

/** A trade as it stands at `now`: its status with the deadline applied. */
export function asOf<T extends { status: TradeStatus; expiresAt: Date | null }>(
  trade: T,
  now: Date,
): T {
  const status = statusAt(trade.status, trade.expiresAt, now);
  return status === trade.status ? trade : { ...trade, status };
}

const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;
const WALL_CLOCK = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/** Alipay's time_expire, "yyyy-MM-dd HH:mm:ss" in Asia/Shanghai, as an instant; null if not one. */
export function parseShanghaiWallClock(value: string): Date | null {
  const match = WALL_CLOCK.exec(value);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
  const instant = new Date(
    Date.UTC(year, month - 1, day, hour, minute, second) - SHANGHAI_OFFSET_MS,
  );
  // Date.UTC rolls 2026-02-30 over to March: such a time is not one.
  const back = new Date(instant.getTime() + SHANGHAI_OFFSET_MS).toISOString();
  return `${back.slice(0, 10)} ${back.slice(11, 19)}` === value ? instant : null;
}

/** WeChat Pay's time_expire, RFC 3339 with an explicit offset; null if not one. */
export function parseRfc3339(value: string): Date | null {
  if (!RFC3339.test(value)) return null;
  const instant = new Date(value);
  return Number.isNaN(instant.getTime()) ? null : instant;
}
