import { buildTradeBill, type BillTrade } from './trade-bill';

const trade = (overrides: Partial<BillTrade> = {}): BillTrade => ({
  tradeNo: '2026011422001400000000000001',
  outTradeNo: 'order_1',
  subject: 'Tea',
  createdAt: '2026-01-14 10:00:00',
  paidAt: '2026-01-14 10:01:00',
  amountMinor: 1234,
  buyerLogonId: 'stu***@paylab.demo',
  statement: {},
  ...overrides,
});

const build = (trades: BillTrade[]) =>
  buildTradeBill({
    pid: '2088',
    billDate: '2026-01-14',
    trades,
    exportedAt: '2026-01-15 09:00:00',
  });
const rowsOf = (text: string) =>
  text
    .split('\r\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .slice(1);

describe('the 业务明细 bill', () => {
  it('has the preamble, 25 columns, TAB-terminated ids and the totals', () => {
    const text = build([
      trade(),
      trade({ tradeNo: '2', outTradeNo: 'o2', amountMinor: 1, subject: 'a, "b"' }),
    ]);
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('#支付宝业务明细查询');
    expect(lines[1]).toBe('#账号：[20880156]');
    expect(lines[2]).toBe(
      '#起始日期：[2026年01月14日 00:00:00]   终止日期：[2026年01月15日 00:00:00]',
    );
    expect(lines[4].split(',')).toHaveLength(25);
    const [first, second] = rowsOf(text);
    expect(first.split(',')).toHaveLength(25);
    expect(first.startsWith('2026011422001400000000000001\t,order_1\t,交易,Tea,')).toBe(true);
    expect(second).toContain('"a, ""b"""');
    expect(text).toContain('#交易合计：2笔，商家实收共12.35元，商家优惠共0.00元');
    expect(text).toContain('#退款合计：0笔，商家实收共0.00元');
    expect(text.endsWith('#导出时间：[2026年01月15日 09:00:00]\r\n')).toBe(true);
  });

  it('applies the statement faults recorded on a trade', () => {
    expect(rowsOf(build([trade({ statement: { omit: true } })]))).toEqual([]);
    const [delta] = rowsOf(build([trade({ statement: { amountDeltaFen: 1 } })]));
    expect(delta.split(',')[11]).toBe('12.35');
    const refundBill = build([trade({ statement: { businessType: '退款' } })]);
    const refund = rowsOf(refundBill)[0].split(',');
    expect([refund[2], refund[11], refund[21]]).toEqual(['退款', '-12.34', 'order_1\t']);
    expect(refundBill).toContain('#退款合计：1笔，商家实收共-12.34元');
    const extra = rowsOf(build([trade({ statement: { extraLineAmountFen: 0 } })]));
    expect(extra).toHaveLength(2);
    expect(extra[1]).toContain('SANDBOX_EXTRA_order_1\t');
  });
});

describe('refunds on the 业务明细 bill', () => {
  it('writes a 退款 row per refund: negative, with its out_request_no, in the refund totals', () => {
    const text = buildTradeBill({
      pid: '2088',
      billDate: '2026-01-14',
      trades: [trade()],
      refunds: [
        {
          tradeNo: '2026011422001400000000000001',
          outTradeNo: 'order_1',
          outRequestNo: 'ref_1',
          subject: 'Tea',
          createdAt: '2026-01-14 11:00:00',
          finishedAt: '2026-01-14 11:00:01',
          amountMinor: 300,
          buyerLogonId: 'stu***@paylab.demo',
        },
      ],
      exportedAt: '2026-01-15 09:00:00',
    });
    const refundRow = rowsOf(text)[1].split(',');
    expect(refundRow[0]).toBe('2026011422001400000000000001\t');
    expect(refundRow[2]).toBe('退款');
    expect(refundRow[5]).toBe('2026-01-14 11:00:01');
    expect(refundRow[11]).toBe('-3.00');
    expect(refundRow[12]).toBe('-3.00');
    expect(refundRow[21]).toBe('ref_1\t');
    expect(text).toContain('#交易合计：1笔，商家实收共12.34元');
    expect(text).toContain('#退款合计：1笔，商家实收共-3.00元');
  });
});
