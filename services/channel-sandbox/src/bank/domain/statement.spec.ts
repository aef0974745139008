import { csvField, formatYuan, renderStatement } from './statement';

const account = {
  accountNo: '6222020000009999',
  accountName: 'PayLab 支付科技有限公司',
  currency: 'CNY',
};

describe('bank statement file (账户明细对账单)', () => {
  it('renders preamble, header, debits oldest first in Shanghai time, and the summary', () => {
    const text = renderStatement(account, '2024-11-20', [
      {
        finishedAt: new Date('2024-11-20T15:59:59Z'), // 23:59:59 in Shanghai
        bankTxnNo: 'PLB20241120000000000002',
        requestNo: 'PO_2',
        payeeAccountNo: '6222020000000002',
        payeeAccountName: '北京演示书店有限公司',
        payeeBankCode: 'PLBANK',
        amountMinor: 5,
        memo: 'batch "B2", 2024-11-20',
      },
      {
        finishedAt: new Date('2024-11-19T16:00:00Z'), // 00:00:00 in Shanghai
        bankTxnNo: 'PLB20241119000000000001',
        requestNo: 'PO_1',
        payeeAccountNo: '6222020000000001',
        payeeAccountName: '上海演示咖啡有限公司',
        payeeBankCode: 'PLBANK',
        amountMinor: 1_234_567,
        memo: 'settlement',
      },
    ]);
    expect(text.split('\r\n')).toEqual([
      '# PayLab 演示银行 (PLBANK) 账户明细对账单',
      '# 账号,6222020000009999',
      '# 户名,PayLab 支付科技有限公司',
      '# 币种,CNY',
      '# 账单日期,2024-11-20',
      '交易日期,交易时间,银行流水号,客户流水号,借贷标志,金额,币种,对方账号,对方户名,对方行号,摘要',
      '2024-11-20,00:00:00,PLB20241119000000000001,PO_1,借,12345.67,CNY,6222020000000001,上海演示咖啡有限公司,PLBANK,settlement',
      '2024-11-20,23:59:59,PLB20241120000000000002,PO_2,借,0.05,CNY,6222020000000002,北京演示书店有限公司,PLBANK,"batch ""B2"", 2024-11-20"',
      '# 合计,笔数,2,借方金额,12345.72',
      '',
    ]);
  });

  it('renders an empty day with a zero summary', () => {
    expect(renderStatement(account, '2024-11-21', []).split('\r\n').slice(-2)).toEqual([
      '# 合计,笔数,0,借方金额,0.00',
      '',
    ]);
  });

  it('writes fen as yuan without floating point', () => {
    expect(formatYuan(0)).toBe('0.00');
    expect(formatYuan(7)).toBe('0.07');
    expect(formatYuan(100)).toBe('1.00');
    expect(formatYuan(-5)).toBe('-0.05');
    expect(formatYuan(Number.MAX_SAFE_INTEGER)).toBe('90071992547409.91');
    expect(() => formatYuan(1.5)).toThrow(RangeError);
  });

  it('quotes CSV fields only when needed', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
  });
});
