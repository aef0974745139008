import { Formatter } from 'wechatpay-axios-plugin';
import { buildWechatTradeBill, WECHAT_TRADE_BILL_HEADER, type WechatBillTrade } from './trade-bill';

const trade = (overrides: Partial<WechatBillTrade> = {}): WechatBillTrade => ({
  appid: 'wxd930ea5d5a258f4f',
  mchid: '1900000001',
  transactionId: '4200000123202601144567890123',
  outTradeNo: 'order_1',
  openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
  description: 'Oolong tea, 乌龙茶',
  attach: '',
  paidAt: '2026-01-14 10:00:00',
  amountMinor: 1234,
  statement: {},
  ...overrides,
});

/** The plugin's own parser; its typings say only `object`. */
const parse = (text: string) =>
  Formatter.castCsvBill(Buffer.from(text, 'utf8')) as unknown as {
    rows: Array<Record<string, string>>;
    summary: Record<string, string>;
  };

describe('WeChat Pay trade bill', () => {
  it('is UTF-8 with BOM and CRLF, and the plugin parses it', () => {
    const text = buildWechatTradeBill([trade()], 'ALL');
    expect(text.startsWith('\uFEFF交易时间,公众账号ID,')).toBe(true);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replaceAll('\r\n', '')).not.toContain('\n');
    expect(WECHAT_TRADE_BILL_HEADER).toHaveLength(27);
    const { rows, summary } = parse(text);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      交易时间: '2026-01-14 10:00:00',
      微信订单号: '4200000123202601144567890123',
      商户订单号: 'order_1',
      交易状态: 'SUCCESS',
      应结订单金额: '12.34',
      商品名称: 'Oolong tea, 乌龙茶',
      手续费: '0.07000',
      费率: '0.60%',
      订单金额: '12.34',
    });
    expect(Object.keys(rows[0])).toHaveLength(27);
    expect(summary).toEqual({
      总交易单数: '1',
      应结订单总金额: '12.34',
      退款总金额: '0.00',
      充值券退款总金额: '0.00',
      手续费总金额: '0.07000',
      订单总金额: '12.34',
      申请退款总金额: '0.00',
    });
  });

  it('applies statement faults and filters by bill_type', () => {
    const trades = [
      trade({ outTradeNo: 'omitted', statement: { omit: true } }),
      trade({ outTradeNo: 'more', statement: { amountDeltaFen: 100 } }),
      trade({ outTradeNo: 'refund', statement: { businessType: '退款' } }),
      trade({ outTradeNo: 'extra', statement: { extraLineAmountFen: 500 } }),
    ];
    const all = parse(buildWechatTradeBill(trades, 'ALL'));
    const byNo = Object.fromEntries(all.rows.map((row) => [row['商户订单号'], row]));
    expect(byNo.omitted).toBeUndefined();
    expect(byNo.more['应结订单金额']).toBe('13.34');
    expect(byNo.refund).toMatchObject({
      交易状态: 'REFUND',
      应结订单金额: '0.00',
      退款金额: '12.34',
    });
    expect(byNo.SBX_EXTRA_extra['应结订单金额']).toBe('5.00');
    expect(all.summary['总交易单数']).toBe('4');
    expect(all.summary['应结订单总金额']).toBe('30.68');
    expect(all.summary['退款总金额']).toBe('12.34');
    const refunds = parse(buildWechatTradeBill(trades, 'REFUND'));
    expect(refunds.rows.map((row) => row['商户订单号'])).toEqual(['refund']);
    const empty = parse(buildWechatTradeBill([], 'ALL'));
    expect(empty.rows).toEqual([]);
    expect(empty.summary['总交易单数']).toBe('0');
  });
});

describe('refunds on the WeChat Pay trade bill', () => {
  const refund = {
    trade: trade(),
    refundId: '50300202601140000000000000001',
    outRefundNo: 'ref_1',
    refundedAt: '2026-01-14 11:00:00',
    amountMinor: 300,
  };

  it('writes a REFUND row with the refund numbers, counted in the totals', () => {
    const { rows, summary } = parse(buildWechatTradeBill([trade()], 'ALL', [refund]));
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatchObject({
      交易时间: '2026-01-14 11:00:00',
      微信订单号: '4200000123202601144567890123',
      商户订单号: 'order_1',
      交易状态: 'REFUND',
      应结订单金额: '0.00',
      微信退款单号: '50300202601140000000000000001',
      商户退款单号: 'ref_1',
      退款金额: '3.00',
      退款状态: 'SUCCESS',
      申请退款金额: '3.00',
    });
    expect(summary).toMatchObject({ 总交易单数: '2', 应结订单总金额: '12.34', 退款总金额: '3.00' });
  });

  it('lists refunds alone in a REFUND bill and not in a SUCCESS bill', () => {
    expect(parse(buildWechatTradeBill([trade()], 'REFUND', [refund])).rows).toHaveLength(1);
    expect(parse(buildWechatTradeBill([trade()], 'SUCCESS', [refund])).rows).toHaveLength(1);
    expect(parse(buildWechatTradeBill([trade()], 'SUCCESS', [refund])).rows[0]['交易状态']).toBe(
      'SUCCESS',
    );
  });
});
