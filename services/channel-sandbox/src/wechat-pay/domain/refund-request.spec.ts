import { parseRefundRequest } from './refund-request';
import { WechatPayError } from './wechat-pay-error';

const valid = {
  out_trade_no: 'pay_123456',
  out_refund_no: 'ref_01ABC',
  reason: '商品退货',
  notify_url: 'http://127.0.0.1:3003/callbacks/wechat-pay',
  amount: { refund: 100, total: 300, currency: 'CNY' },
};

function fieldOf(body: unknown): string | undefined {
  try {
    parseRefundRequest(body);
  } catch (error) {
    if (error instanceof WechatPayError) return (error.detail as { field: string }).field;
    throw error;
  }
  return undefined;
}

describe('WeChat Pay refund request', () => {
  it('reads a valid request', () => {
    expect(parseRefundRequest(valid)).toEqual({
      outTradeNo: 'pay_123456',
      transactionId: undefined,
      outRefundNo: 'ref_01ABC',
      reason: '商品退货',
      notifyUrl: 'http://127.0.0.1:3003/callbacks/wechat-pay',
      refundFen: 100,
      totalFen: 300,
    });
  });

  it('names the bad field', () => {
    expect(fieldOf({ ...valid, out_trade_no: undefined })).toBe('out_trade_no');
    expect(fieldOf({ ...valid, out_refund_no: 'bad no' })).toBe('out_refund_no');
    expect(fieldOf({ ...valid, amount: { ...valid.amount, refund: 0 } })).toBe('amount.refund');
    expect(fieldOf({ ...valid, amount: { ...valid.amount, total: 1.5 } })).toBe('amount.total');
    expect(fieldOf({ ...valid, amount: { ...valid.amount, currency: 'USD' } })).toBe(
      'amount.currency',
    );
    expect(fieldOf({ ...valid, notify_url: 'ftp://x' })).toBe('notify_url');
    expect(fieldOf([])).toBe('body');
  });
});
