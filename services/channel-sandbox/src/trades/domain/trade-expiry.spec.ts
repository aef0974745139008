import { asOf, parseRfc3339, parseShanghaiWallClock, statusAt } from './trade-expiry';

const deadline = new Date('2026-01-14T02:00:00Z');

describe('trade expiry (time_expire)', () => {
  it('closes an unpaid trade at its deadline, not a second before', () => {
    expect(statusAt('WAIT_BUYER_PAY', deadline, new Date('2026-01-14T01:59:59.999Z'))).toBe(
      'WAIT_BUYER_PAY',
    );
    expect(statusAt('WAIT_BUYER_PAY', deadline, deadline)).toBe('TRADE_CLOSED');
  });

  it('leaves paid trades, closed trades and trades without a deadline alone', () => {
    const late = new Date('2026-02-01T00:00:00Z');
    expect(statusAt('TRADE_SUCCESS', deadline, late)).toBe('TRADE_SUCCESS');
    expect(statusAt('TRADE_CLOSED', deadline, late)).toBe('TRADE_CLOSED');
    expect(statusAt('WAIT_BUYER_PAY', null, late)).toBe('WAIT_BUYER_PAY');
  });

  it('gives a trade as it stands, without changing the stored one', () => {
    const trade = { status: 'WAIT_BUYER_PAY' as const, expiresAt: deadline };
    expect(asOf(trade, deadline).status).toBe('TRADE_CLOSED');
    expect(trade.status).toBe('WAIT_BUYER_PAY');
  });

  it("reads Alipay's Shanghai wall-clock time_expire", () => {
    expect(parseShanghaiWallClock('2026-01-14 10:00:00')).toEqual(deadline);
    expect(parseShanghaiWallClock('2026-02-30 10:00:00')).toBeNull();
    expect(parseShanghaiWallClock('2026-01-14T10:00:00')).toBeNull();
    expect(parseShanghaiWallClock('90m')).toBeNull();
  });

  it("reads WeChat Pay's RFC 3339 time_expire and refuses one without an offset", () => {
    expect(parseRfc3339('2026-01-14T10:00:00+08:00')).toEqual(deadline);
    expect(parseRfc3339('2026-01-14T10:00:00')).toBeNull();
    expect(parseRfc3339('tomorrow')).toBeNull();
  });
});
