import {
  checkClose,
  formatRfc3339Shanghai,
  formatTransactionId,
  nativeOrderAgain,
  parseNativeOrder,
  tradeStateOf,
} from './native-order';
import { WechatPayError } from './wechat-pay-error';

const valid = {
  appid: 'wxd930ea5d5a258f4f',
  mchid: '1900000001',
  description: 'Oolong tea 乌龙茶',
  out_trade_no: 'order_123456',
  notify_url: 'http://127.0.0.1:9/notify',
  amount: { total: 1234, currency: 'CNY' },
};

const codeOf = (action: () => unknown) => {
  try {
    action();
  } catch (error) {
    if (error instanceof WechatPayError) return `${error.httpStatus} ${error.wechatCode}`;
    throw error;
  }
  return 'no error';
};

describe('WeChat Pay Native orders', () => {
  it('accepts a valid order (integer fen)', () => {
    expect(parseNativeOrder(valid)).toEqual({
      appid: valid.appid,
      mchid: valid.mchid,
      description: valid.description,
      outTradeNo: valid.out_trade_no,
      notifyUrl: valid.notify_url,
      totalFen: 1234,
      attach: null,
      expiresAt: null,
    });
  });

  it('reads time_expire (RFC 3339 with offset) and refuses one without an offset', () => {
    expect(
      parseNativeOrder({ ...valid, time_expire: '2026-01-14T10:00:00+08:00' }).expiresAt,
    ).toEqual(new Date('2026-01-14T02:00:00Z'));
    expect(() => parseNativeOrder({ ...valid, time_expire: '2026-01-14T10:00:00' })).toThrow(
      /time_expire/,
    );
  });

  it.each([
    ['not an object', null],
    ['no appid', { ...valid, appid: undefined }],
    ['empty description', { ...valid, description: ' ' }],
    ['short out_trade_no', { ...valid, out_trade_no: 'abc' }],
    ['bad out_trade_no', { ...valid, out_trade_no: 'order 123456' }],
    ['relative notify_url', { ...valid, notify_url: '/notify' }],
    ['no amount', { ...valid, amount: undefined }],
    ['yuan amount', { ...valid, amount: { total: 12.34 } }],
    ['string amount', { ...valid, amount: { total: '1234' } }],
    ['zero amount', { ...valid, amount: { total: 0 } }],
    ['USD', { ...valid, amount: { total: 1, currency: 'USD' } }],
  ])('refuses %s with 400 PARAM_ERROR', (_name, body) => {
    expect(codeOf(() => parseNativeOrder(body))).toBe('400 PARAM_ERROR');
  });

  it('replays the same order, refuses a different one, a paid one and a closed one', () => {
    const request = parseNativeOrder(valid);
    const existing = {
      status: 'WAIT_BUYER_PAY' as const,
      amountMinor: 1234,
      description: valid.description,
    };
    expect(codeOf(() => nativeOrderAgain(existing, request))).toBe('no error');
    expect(codeOf(() => nativeOrderAgain({ ...existing, amountMinor: 1 }, request))).toBe(
      '400 OUT_TRADE_NO_USED',
    );
    expect(codeOf(() => nativeOrderAgain({ ...existing, status: 'TRADE_SUCCESS' }, request))).toBe(
      '400 ORDERPAID',
    );
    expect(codeOf(() => nativeOrderAgain({ ...existing, status: 'TRADE_CLOSED' }, request))).toBe(
      '400 ORDER_CLOSED',
    );
  });

  it('maps the shared lifecycle to trade_state and closes only unpaid orders', () => {
    expect(tradeStateOf('WAIT_BUYER_PAY').state).toBe('NOTPAY');
    expect(tradeStateOf('TRADE_SUCCESS').state).toBe('SUCCESS');
    expect(tradeStateOf('TRADE_CLOSED').state).toBe('CLOSED');
    expect(checkClose('WAIT_BUYER_PAY')).toBe('close');
    expect(checkClose('TRADE_CLOSED')).toBe('already-closed');
    expect(codeOf(() => checkClose('TRADE_SUCCESS'))).toBe('400 ORDERPAID');
  });

  it('formats transaction ids and RFC 3339 Shanghai times', () => {
    expect(formatTransactionId('20260114', '1234567890123')).toBe('4200000123202601144567890123');
    expect(() => formatTransactionId('2026014', '1234567890123')).toThrow(RangeError);
    expect(formatRfc3339Shanghai(new Date('2026-01-14T16:30:05.123Z'))).toBe(
      '2026-01-15T00:30:05+08:00',
    );
  });
});
