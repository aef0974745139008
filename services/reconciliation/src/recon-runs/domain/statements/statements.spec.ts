import {
  alipayCsv,
  alipayRowText,
  encodeGbk,
  wechatBill,
  wechatRowText,
  type AlipayRow,
} from '../../../../../../test/integration/reconciliation/statement-fixtures';
import { parseStatement } from '.';
import { parseAlipayBusinessCsv } from './alipay-business-csv';
import { parseWechatTradeBill } from './wechat-trade-bill';

function malformedAt(line: number) {
  return expect.objectContaining({
    code: 'RECON.STATEMENT_MALFORMED',
    line,
    param: 'statement.contentBase64',
    message: expect.stringContaining(`line ${line}:`),
  });
}

/** Header is line 5 of the fixture, so the first row is line 6. */
const FIRST_ROW = 6;

describe('Alipay 业务明细 CSV (GBK)', () => {
  const trade: AlipayRow = {
    tradeNo: '2031031422001100000001',
    merchantOrderNo: 'M-001',
    amount: '100.00',
    completedAt: '2031-03-14 23:59:59',
    fee: '-0.60',
  };

  it('reads trades and refunds, yuan → fen, Shanghai times → instants, TABs trimmed', () => {
    const lines = parseAlipayBusinessCsv(
      alipayCsv([
        trade,
        { tradeNo: '2031031422001100000002', amount: '0.01', completedAt: '2031-03-14 00:00:00' },
        {
          tradeNo: '2031031422001100000001',
          kind: '退款',
          amount: '-12.30',
          completedAt: '2031-03-14 10:00:00',
          refundNo: 'RF-1',
        },
      ]),
    );
    expect(lines).toEqual([
      {
        lineNo: 6,
        channel: 'ALIPAY',
        channelTradeNo: '2031031422001100000001',
        merchantOrderNo: 'M-001',
        amountMinor: 10_000,
        currency: 'CNY',
        status: 'SUCCESS',
        paidAt: new Date('2031-03-14T15:59:59.000Z'),
        feeMinor: 60,
      },
      {
        lineNo: 7,
        channel: 'ALIPAY',
        channelTradeNo: '2031031422001100000002',
        amountMinor: 1,
        currency: 'CNY',
        status: 'SUCCESS',
        paidAt: new Date('2031-03-13T16:00:00.000Z'),
        feeMinor: 0,
      },
      expect.objectContaining({
        lineNo: 8,
        status: 'REFUND',
        amountMinor: 1_230,
        refundNo: 'RF-1',
        refundRequestNo: 'RF-1',
      }),
    ]);
  });

  it('reads a file with no rows', () => {
    expect(parseAlipayBusinessCsv(alipayCsv([]))).toEqual([]);
  });

  it('keeps a quoted product name with a comma in one column', () => {
    const text = alipayRowText(trade).replace('茶叶 (Tea)', '"茶叶, 红茶"');
    expect(parseAlipayBusinessCsv(alipayCsv([trade], { rowsText: [text] }))).toHaveLength(1);
  });

  it.each<[string, () => Buffer, number]>([
    ['an empty file', () => Buffer.alloc(0), 1],
    [
      'UTF-8 instead of GBK (header unreadable)',
      () => Buffer.from(new TextDecoder('gbk').decode(alipayCsv([trade])), 'utf8'),
      1,
    ],
    ['invalid GBK bytes in a row', () => badGbkFile(), 6],
    [
      'a missing column',
      () => alipayCsv([trade], { rowsText: [alipayRowText(trade).replace(/,[^,]*$/, '')] }),
      FIRST_ROW,
    ],
    [
      'an extra column',
      () => alipayCsv([trade], { rowsText: [`${alipayRowText(trade)},x`] }),
      FIRST_ROW,
    ],
    [
      'an unknown 业务类型',
      () => alipayCsv([trade], { rowsText: [alipayRowText(trade).replace('交易', '转账')] }),
      FIRST_ROW,
    ],
    ['an empty trade number', () => alipayCsv([{ ...trade, tradeNo: '' }]), FIRST_ROW],
    [
      'a bad completion time',
      () => alipayCsv([{ ...trade, completedAt: '2031/03/14 10:00:00' }]),
      FIRST_ROW,
    ],
    ['three decimals', () => alipayCsv([{ ...trade, amount: '1.001' }]), FIRST_ROW],
    ['a thousands separator', () => alipayCsv([{ ...trade, amount: '"1,000.00"' }]), FIRST_ROW],
    ['a zero trade amount', () => alipayCsv([{ ...trade, amount: '0.00' }]), FIRST_ROW],
    ['a positive refund', () => alipayCsv([{ ...trade, kind: '退款', amount: '1.00' }]), FIRST_ROW],
    [
      'an unterminated quote',
      () => alipayCsv([trade], { rowsText: [alipayRowText(trade).replace('茶叶', '"茶叶')] }),
      FIRST_ROW,
    ],
    [
      'a truncated file (no end marker)',
      () => alipayCsv([trade], { omitEndMarker: true }),
      FIRST_ROW,
    ],
    ['a 交易合计 that disagrees', () => alipayCsv([trade], { declaredTrades: 2 }), 8],
  ])('rejects %s with the line number', (_name, file, line) => {
    expect(() => parseAlipayBusinessCsv(file())).toThrow(malformedAt(line));
  });

  it('rejects a file without the header', () => {
    const file = encodeGbk('#支付宝业务明细查询\r\n#账号：[1]\r\n');
    expect(() => parseAlipayBusinessCsv(file)).toThrow(malformedAt(2));
  });

  function badGbkFile(): Buffer {
    const good = alipayCsv([trade]);
    const text = good.toString('latin1');
    // 0x81 0x20 is a lead byte followed by a byte GBK never uses as a trail byte.
    const rowStart = text.indexOf('2031031422001100000001');
    return Buffer.concat([
      good.subarray(0, rowStart),
      Buffer.from([0x81, 0x20]),
      good.subarray(rowStart),
    ]);
  }
});

describe('WeChat Pay trade bill (UTF-8 BOM, CRLF, backticks)', () => {
  const paid = {
    tradeNo: '4200000001203103140000000001',
    merchantOrderNo: 'M-001',
    amount: '100.00',
    tradedAt: '2031-03-14 12:00:00',
    fee: '0.60000',
  };

  it('reads SUCCESS, REFUND and REVOKED rows; the refund amount comes from 退款金额', () => {
    const lines = parseWechatTradeBill(
      wechatBill([
        paid,
        {
          ...paid,
          status: 'REFUND',
          amount: '30.00',
          refundNo: '5030000001',
          refundRequestNo: 'ref_01KQ5G3C0000000000000000AA',
          fee: '-0.18000',
        },
        { ...paid, tradeNo: '4200000001203103140000000002', status: 'REVOKED', amount: '5.00' },
      ]),
    );
    expect(lines).toEqual([
      {
        lineNo: 2,
        channel: 'WECHAT_PAY',
        channelTradeNo: paid.tradeNo,
        merchantOrderNo: 'M-001',
        amountMinor: 10_000,
        currency: 'CNY',
        status: 'SUCCESS',
        paidAt: new Date('2031-03-14T04:00:00.000Z'),
        feeMinor: 60,
      },
      expect.objectContaining({
        lineNo: 3,
        status: 'REFUND',
        amountMinor: 3_000,
        refundNo: '5030000001',
        refundRequestNo: 'ref_01KQ5G3C0000000000000000AA',
        feeMinor: 18,
      }),
      expect.objectContaining({ lineNo: 4, status: 'CLOSED', amountMinor: 500 }),
    ]);
  });

  it.each([
    ['0.00018', 0],
    ['0.00499', 0],
    ['0.00500', 1], // HALF_UP
    ['0.00501', 1],
    ['1.23456', 123],
  ])('rounds the five-decimal fee %s to %d fen HALF_UP', (fee, expected) => {
    expect(parseWechatTradeBill(wechatBill([{ ...paid, fee }]))[0].feeMinor).toBe(expected);
  });

  it('accepts a bill without BOM or with LF endings', () => {
    const bill = wechatBill([paid]);
    expect(parseWechatTradeBill(bill.subarray(3))).toHaveLength(1);
    expect(
      parseWechatTradeBill(Buffer.from(bill.toString('utf8').replace(/\r\n/g, '\n'))),
    ).toHaveLength(1);
  });

  it.each<[string, () => Buffer, number]>([
    ['an empty file', () => Buffer.alloc(0), 1],
    [
      'a wrong header',
      () => Buffer.from(wechatBill([paid]).toString('utf8').replace('微信订单号', '订单号')),
      1,
    ],
    [
      'a field without its backtick',
      () => wechatBill([paid], { rowsText: [wechatRowText(paid).replace('`NATIVE', 'NATIVE')] }),
      2,
    ],
    [
      'a missing column',
      () => wechatBill([paid], { rowsText: [wechatRowText(paid).replace(/,[^,]*$/, '')] }),
      2,
    ],
    ['an unknown 交易状态', () => wechatBill([{ ...paid, status: 'NOTPAY' }]), 2],
    ['an unknown currency', () => wechatBill([{ ...paid, currency: 'XYZ' }]), 2],
    ['a bad amount', () => wechatBill([{ ...paid, amount: '1e3' }]), 2],
    ['a bad fee', () => wechatBill([{ ...paid, fee: '0.000001' }]), 2],
    ['a bad time', () => wechatBill([{ ...paid, tradedAt: '2031-03-14' }]), 2],
    ['a truncated file (no summary)', () => wechatBill([paid, paid], { omitSummary: true }), 3],
    ['a 总交易单数 that disagrees', () => wechatBill([paid], { declaredCount: 2 }), 4],
    [
      'invalid UTF-8',
      () =>
        Buffer.concat([
          wechatBill([]).subarray(0, 10),
          Buffer.from([0xff]),
          wechatBill([]).subarray(10),
        ]),
      1,
    ],
  ])('rejects %s with the line number', (_name, file, line) => {
    expect(() => parseWechatTradeBill(file())).toThrow(malformedAt(line));
  });
});

describe('parseStatement', () => {
  it('refuses a format of another channel', () => {
    expect(() => parseStatement('WECHAT_BILL', 'ALIPAY', wechatBill([]))).toThrow(
      expect.objectContaining({
        code: 'RECON.STATEMENT_CHANNEL_MISMATCH',
        param: 'statement.format',
      }),
    );
    expect(() => parseStatement('ALIPAY_CSV', 'WECHAT_PAY', alipayCsv([]))).toThrow(
      expect.objectContaining({ code: 'RECON.STATEMENT_CHANNEL_MISMATCH' }),
    );
  });

  it('dispatches on the format', () => {
    expect(parseStatement('ALIPAY_CSV', 'ALIPAY', alipayCsv([]))).toEqual([]);
    expect(parseStatement('WECHAT_BILL', 'WECHAT_PAY', wechatBill([]))).toEqual([]);
  });
});
