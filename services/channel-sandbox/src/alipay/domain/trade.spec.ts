import { GatewayError } from './gateway-error';
import { checkClose, formatTradeNo, parsePrecreate, precreateAgain } from './trade';

const subCodeOf = (work: () => unknown): string | undefined => {
  try {
    work();
  } catch (error) {
    if (error instanceof GatewayError) return error.subCode;
    throw error;
  }
  return undefined;
};

describe('sandbox Alipay trade rules', () => {
  it('parses precreate amounts in yuan strictly', () => {
    expect(parsePrecreate({ out_trade_no: 'o_1', total_amount: '0.01', subject: 's' })).toEqual({
      outTradeNo: 'o_1',
      amountMinor: 1,
      subject: 's',
      expiresAt: null,
    });
  });

  it('reads time_expire as an absolute Shanghai deadline and refuses a malformed one', () => {
    expect(
      parsePrecreate({
        out_trade_no: 'o_1',
        total_amount: '0.01',
        subject: 's',
        time_expire: '2026-01-14 10:00:00',
      }).expiresAt,
    ).toEqual(new Date('2026-01-14T02:00:00Z'));
    for (const time_expire of ['90m', '2026-01-14T10:00:00', 42]) {
      expect(() =>
        parsePrecreate({ out_trade_no: 'o_1', total_amount: '0.01', subject: 's', time_expire }),
      ).toThrow(/time_expire/);
    }
    for (const total_amount of ['1.001', '0', '-1', '1e2', ' 1', undefined]) {
      expect(
        subCodeOf(() => parsePrecreate({ out_trade_no: 'o', total_amount, subject: 's' })),
      ).toBe('ACQ.INVALID_PARAMETER');
    }
    expect(
      subCodeOf(() =>
        parsePrecreate({ out_trade_no: 'o', total_amount: '100000000.01', subject: 's' }),
      ),
    ).toBe('ACQ.TOTAL_FEE_EXCEED');
    expect(
      subCodeOf(() => parsePrecreate({ out_trade_no: 'a b', total_amount: '1', subject: 's' })),
    ).toBe('ACQ.INVALID_PARAMETER');
  });

  it('replays the same precreate and refuses a changed, paid or closed one', () => {
    const request = { outTradeNo: 'o', amountMinor: 100, subject: 's', expiresAt: null };
    const existing = { status: 'WAIT_BUYER_PAY' as const, amountMinor: 100, subject: 's' };
    expect(subCodeOf(() => precreateAgain(existing, request))).toBeUndefined();
    expect(subCodeOf(() => precreateAgain({ ...existing, amountMinor: 99 }, request))).toBe(
      'ACQ.CONTEXT_INCONSISTENT',
    );
    expect(subCodeOf(() => precreateAgain({ ...existing, status: 'TRADE_SUCCESS' }, request))).toBe(
      'ACQ.TRADE_HAS_SUCCESS',
    );
    expect(subCodeOf(() => precreateAgain({ ...existing, status: 'TRADE_CLOSED' }, request))).toBe(
      'ACQ.TRADE_HAS_CLOSE',
    );
  });

  it('closes only unpaid trades, and formats 28-digit trade numbers', () => {
    expect(checkClose('WAIT_BUYER_PAY')).toBe('close');
    expect(checkClose('TRADE_CLOSED')).toBe('already-closed');
    expect(subCodeOf(() => checkClose('TRADE_SUCCESS'))).toBe('ACQ.TRADE_STATUS_ERROR');
    expect(formatTradeNo('20260114', '1234567890123456')).toBe('2026011422001234567890123456');
    expect(() => formatTradeNo('2026011', '1234567890123456')).toThrow(RangeError);
  });
});
