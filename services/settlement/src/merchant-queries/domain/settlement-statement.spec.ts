import {
  renderSettlementStatement,
  STATEMENT_BOM,
  STATEMENT_ITEM_COLUMNS,
  statementFileName,
  statementItemsMatchTotals,
  textCell,
  type StatementBatch,
  type StatementItem,
} from './settlement-statement';

/** A small RFC 4180 reader, so the spec checks what a spreadsheet would see. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += 1;
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

const toFen = (yuan: string): number => {
  const match = /^(-?)(\d+)\.(\d{2})$/.exec(yuan);
  if (!match) throw new Error(`not an amount: ${yuan}`);
  const fen = Number(match[2]) * 100 + Number(match[3]);
  return match[1] === '-' ? -fen : fen;
};

const payment = (n: number, gross: number, fee: number): StatementItem => ({
  kind: 'PAYMENT',
  paymentId: `pay_01M85DMB00EHTE541GQYE3T4${n}A`,
  refundId: null,
  transactionId: `txn_01M85DMB00EHTE541GQYE3T4${n}A`,
  businessDate: '2026-12-01',
  occurredAt: '2026-12-01T02:00:00.000Z',
  grossMinor: gross,
  feeMinor: fee,
  refundMinor: 0,
  netMinor: gross - fee,
});

const refund = (n: number, amount: number, feeReturned: number): StatementItem => ({
  kind: 'REFUND',
  paymentId: `pay_01M85DMB00EHTE541GQYE3T4${n}A`,
  refundId: `ref_01M85DMB00EHTE541GQYE3T4${n}B`,
  transactionId: `txn_01M85DMB00EHTE541GQYE3T4${n}A`,
  businessDate: '2026-12-01',
  occurredAt: '2026-12-01T05:00:00.000Z',
  grossMinor: 0,
  feeMinor: -feeReturned,
  refundMinor: amount,
  netMinor: -(amount - feeReturned),
});

function batchOf(items: StatementItem[], extra: Partial<StatementBatch['totals']> = {}) {
  const sum = (pick: (item: StatementItem) => number) =>
    items.reduce((total, item) => total + pick(item), 0);
  const itemsNet = sum((item) => item.netMinor);
  const reserveHeld = extra.reserveHeldMinor ?? 0;
  const reserveReleased = extra.reserveReleasedMinor ?? 0;
  const carriedIn = extra.carriedInMinor ?? 0;
  const batch: StatementBatch = {
    batchId: 'stb_01M85DMB00EHTE541GQYE3T4TM',
    merchantId: 'mch_01M85DMB00EHTE541GQYE3T4TJ',
    settlementDate: '2026-12-02',
    currency: 'CNY',
    cycle: 'T+1',
    state: 'PAID',
    itemCount: items.length,
    totals: {
      grossMinor: sum((item) => item.grossMinor),
      feeMinor: sum((item) => item.feeMinor),
      refundMinor: sum((item) => item.refundMinor),
      itemsNetMinor: itemsNet,
      reserveHeldMinor: reserveHeld,
      reserveReleasedMinor: reserveReleased,
      carriedInMinor: carriedIn,
      netMinor: carriedIn + itemsNet - reserveHeld + reserveReleased,
    },
    payout: { state: 'PAID', amountMinor: 1, bankTxnNo: 'PLB20261202000001' },
  };
  batch.payout!.amountMinor = batch.totals.netMinor;
  return batch;
}

describe('settlement statement (结算单) CSV', () => {
  const items = [
    payment(1, 10_000, 60),
    payment(2, 1, 0),
    payment(3, 123_456_789, 740_741),
    refund(1, 2_500, 15),
    refund(3, 99, 0),
  ];
  const batch = batchOf(items, {
    reserveHeldMinor: 1_000,
    reserveReleasedMinor: 333,
    carriedInMinor: -7,
  });
  const csv = renderSettlementStatement(batch, items);
  const rows = parseCsv(csv.slice(1));

  it('starts with a UTF-8 BOM and uses CRLF line ends', () => {
    expect(csv.startsWith(STATEMENT_BOM)).toBe(true);
    expect(Buffer.from(csv, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(csv.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('has the header block, bilingual item columns and one row per item', () => {
    expect(rows[0]).toEqual(['结算单 Settlement statement']);
    const header = new Map(rows.slice(1, 12).map((row) => [row[0], row[1]]));
    expect(header.get('商户号 Merchant ID')).toBe(batch.merchantId);
    expect(header.get('结算批次号 Settlement ID')).toBe(batch.batchId);
    expect(header.get('结算日期 Settlement date')).toBe('2026-12-02');
    expect(header.get('结算周期 Cycle')).toBe('T+1');
    expect(header.get('状态 State')).toBe('PAID');
    const columnsAt = rows.findIndex((row) => row[0] === STATEMENT_ITEM_COLUMNS[0]);
    expect(rows[columnsAt]).toEqual([...STATEMENT_ITEM_COLUMNS]);
    const itemRows = rows.slice(columnsAt + 1, columnsAt + 1 + items.length);
    expect(itemRows.map((row) => row[0])).toEqual([
      '支付 Payment',
      '支付 Payment',
      '支付 Payment',
      '退款 Refund',
      '退款 Refund',
    ]);
    expect(itemRows[1].slice(6)).toEqual(['0.01', '0.00', '0.00', '0.01']);
    expect(itemRows[2].slice(6)).toEqual(['1234567.89', '7407.41', '0.00', '1227160.48']);
    expect(itemRows[3].slice(6)).toEqual(['0.00', '-0.15', '25.00', '-24.85']);
  });

  it('the item columns add up to the totals block, which states the batch totals', () => {
    const columnsAt = rows.findIndex((row) => row[0] === STATEMENT_ITEM_COLUMNS[0]);
    const itemRows = rows.slice(columnsAt + 1, columnsAt + 1 + items.length);
    const column = (index: number) => itemRows.reduce((sum, row) => sum + toFen(row[index]), 0);
    const totalsAt = rows.findIndex((row) => row[0] === '汇总 Totals');
    const totals = new Map(rows.slice(totalsAt + 1).map((row) => [row[0], toFen(row[1])]));
    expect(totals.get('交易金额合计 Gross')).toBe(column(6));
    expect(totals.get('手续费合计 Fees')).toBe(column(7));
    expect(totals.get('退款合计 Refunds')).toBe(column(8));
    expect(totals.get('明细净额 Items net')).toBe(column(9));
    expect(totals.get('交易金额合计 Gross')).toBe(batch.totals.grossMinor);
    expect(totals.get('手续费合计 Fees')).toBe(batch.totals.feeMinor);
    expect(totals.get('退款合计 Refunds')).toBe(batch.totals.refundMinor);
    expect(totals.get('保证金扣留 Reserve held')).toBe(1_000);
    expect(totals.get('保证金释放 Reserve released')).toBe(333);
    expect(totals.get('上期结转 Carried in')).toBe(-7);
    expect(totals.get('结算净额 Net')).toBe(batch.totals.netMinor);
    expect(
      totals.get('上期结转 Carried in')! +
        totals.get('明细净额 Items net')! -
        totals.get('保证金扣留 Reserve held')! +
        totals.get('保证金释放 Reserve released')!,
    ).toBe(totals.get('结算净额 Net'));
    expect(statementItemsMatchTotals(batch, items)).toBe(true);
  });

  it('detects items that do not add up to the batch', () => {
    expect(statementItemsMatchTotals(batch, items.slice(1))).toBe(false);
    const wrongFee = { ...batch, totals: { ...batch.totals, feeMinor: batch.totals.feeMinor + 1 } };
    expect(statementItemsMatchTotals(wrongFee, items)).toBe(false);
    const wrongNet = { ...batch, totals: { ...batch.totals, netMinor: batch.totals.netMinor + 1 } };
    expect(statementItemsMatchTotals(wrongNet, items)).toBe(false);
  });

  it('renders a batch without items or payout (carried forward)', () => {
    const empty = {
      ...batchOf([], { carriedInMinor: -500 }),
      state: 'CARRIED_FORWARD',
      payout: null,
    };
    const text = renderSettlementStatement(empty, []);
    const parsed = parseCsv(text.slice(1));
    expect(parsed.some((row) => row[0] === '代付状态 Payout state')).toBe(false);
    expect(parsed.at(-1)).toEqual(['结算净额 Net', '-5.00']);
  });

  it.each([
    ['plain', 'abc', 'abc'],
    ['comma', 'a,b', '"a,b"'],
    ['quote', 'say "hi"', '"say ""hi"""'],
    ['newline', 'a\nb', '"a\nb"'],
    ['formula =', '=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ['formula +', '+1+1', "'+1+1"],
    ['formula -', '-2+3', "'-2+3"],
    ['formula @', '@SUM(A1)', "'@SUM(A1)"],
    ['tab first', '\t=1', "'\t=1"],
    ['leading space', ' x', '" x"'],
    ['Chinese', '上海演示咖啡', '上海演示咖啡'],
  ])('escapes a text cell: %s', (_name, value, expected) => {
    expect(textCell(value)).toBe(expected);
  });

  it('names the file after the batch', () => {
    expect(statementFileName('stb_01M85DMB00EHTE541GQYE3T4TM')).toBe(
      'settlement-stb_01M85DMB00EHTE541GQYE3T4TM.csv',
    );
  });
});
