import { Money, type CurrencyCode } from '@paylab/money';

/**
 * The settlement statement file (结算单) of one batch, as CSV a merchant's finance team opens in
 * Excel or WPS: UTF-8 with a byte-order mark (without it Excel on Windows reads the Chinese
 * headers as GBK mojibake), CRLF line ends (RFC 4180), a header block, one row per item and a
 * totals block whose figures are the batch's own totals, never re-added here: the file states
 * what the batch says, and statementItemsMatchTotals checks that the rows add up to it.
 *
 * Amounts are yuan with the currency's decimals, formatted from integer fen (Money), never via
 * floats. Text cells are escaped (quotes, commas, line breaks) and made inert for spreadsheets:
 * a cell beginning with = + - @ (or a tab or CR) would be run as a formula (CSV injection), so it
 * is prefixed with an apostrophe. Amount cells are ours and numeric, and keep their minus sign.
 */
export const STATEMENT_BOM = '\uFEFF';
const CRLF = '\r\n';

export type StatementItemKind = 'PAYMENT' | 'REFUND' | 'LATE_PAYMENT_RETURN';

export interface StatementItem {
  kind: StatementItemKind;
  paymentId: string;
  refundId: string | null;
  transactionId: string;
  businessDate: string;
  occurredAt: string;
  grossMinor: number;
  feeMinor: number;
  refundMinor: number;
  netMinor: number;
}

export interface StatementTotals {
  grossMinor: number;
  feeMinor: number;
  refundMinor: number;
  itemsNetMinor: number;
  reserveHeldMinor: number;
  reserveReleasedMinor: number;
  carriedInMinor: number;
  netMinor: number;
}

export interface StatementBatch {
  batchId: string;
  merchantId: string;
  settlementDate: string;
  currency: CurrencyCode;
  cycle: string;
  state: string;
  itemCount: number;
  totals: StatementTotals;
  payout: { state: string; amountMinor: number; bankTxnNo: string | null } | null;
}

const KIND_LABEL: Record<StatementItemKind, string> = {
  PAYMENT: '支付 Payment',
  REFUND: '退款 Refund',
  LATE_PAYMENT_RETURN: '迟到支付退回 Late payment return',
};

export const STATEMENT_ITEM_COLUMNS = [
  '交易类型 Type',
  '支付单号 Payment ID',
  '退款单号 Refund ID',
  '交易流水号 Transaction ID',
  '业务日期 Business date',
  '发生时间 Occurred at (UTC)',
  '交易金额 Gross',
  '手续费 Fee',
  '退款金额 Refund',
  '净额 Net',
] as const;

/** A cell of text: escaped, and neutralised if a spreadsheet would take it for a formula. */
export function textCell(value: string): string {
  const inert = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return quoteIfNeeded(inert);
}

/** A cell holding an amount we computed: digits, an optional minus sign and the decimals. */
function amountCell(amountMinor: number, currency: CurrencyCode): string {
  return Money.of(amountMinor, currency).toDecimalString();
}

function quoteIfNeeded(value: string): string {
  return /[",\r\n]/.test(value) || value !== value.trim()
    ? `"${value.replace(/"/g, '""')}"`
    : value;
}

function line(cells: string[]): string {
  return cells.join(',') + CRLF;
}

export function renderSettlementStatement(
  batch: StatementBatch,
  items: readonly StatementItem[],
): string {
  const amount = (minor: number) => amountCell(minor, batch.currency);
  const out: string[] = [STATEMENT_BOM];
  out.push(line([textCell('结算单 Settlement statement')]));
  const header: Array<[string, string]> = [
    ['商户号 Merchant ID', batch.merchantId],
    ['结算批次号 Settlement ID', batch.batchId],
    ['结算日期 Settlement date', batch.settlementDate],
    ['结算周期 Cycle', batch.cycle],
    ['状态 State', batch.state],
    ['币种 Currency', batch.currency],
    ['明细笔数 Item count', String(batch.itemCount)],
  ];
  if (batch.payout) {
    header.push(['代付状态 Payout state', batch.payout.state]);
    header.push(['代付金额 Payout amount', amount(batch.payout.amountMinor)]);
    header.push(['银行流水号 Bank transaction no.', batch.payout.bankTxnNo ?? '']);
  }
  for (const [label, value] of header) out.push(line([textCell(label), textCell(value)]));
  out.push(CRLF);
  out.push(line(STATEMENT_ITEM_COLUMNS.map(textCell)));
  for (const item of items) {
    out.push(
      line([
        textCell(KIND_LABEL[item.kind]),
        textCell(item.paymentId),
        textCell(item.refundId ?? ''),
        textCell(item.transactionId),
        textCell(item.businessDate),
        textCell(item.occurredAt),
        amount(item.grossMinor),
        amount(item.feeMinor),
        amount(item.refundMinor),
        amount(item.netMinor),
      ]),
    );
  }
  out.push(CRLF);
  out.push(line([textCell('汇总 Totals')]));
  const totals = batch.totals;
  const totalLines: Array<[string, number]> = [
    ['交易金额合计 Gross', totals.grossMinor],
    ['手续费合计 Fees', totals.feeMinor],
    ['退款合计 Refunds', totals.refundMinor],
    ['明细净额 Items net', totals.itemsNetMinor],
    ['保证金扣留 Reserve held', totals.reserveHeldMinor],
    ['保证金释放 Reserve released', totals.reserveReleasedMinor],
    ['上期结转 Carried in', totals.carriedInMinor],
    ['结算净额 Net', totals.netMinor],
  ];
  for (const [label, minor] of totalLines) out.push(line([textCell(label), amount(minor)]));
  return out.join('');
}

/**
 * Whether the items add up to the batch's totals (count, gross, fees, refunds, items net) and the
 * net follows from them. A statement is served only when they do.
 */
export function statementItemsMatchTotals(
  batch: StatementBatch,
  items: readonly StatementItem[],
): boolean {
  const sum = (pick: (item: StatementItem) => number) =>
    items.reduce(
      (total, item) => total.add(Money.of(pick(item), batch.currency)),
      Money.zero(batch.currency),
    ).amountMinor;
  const t = batch.totals;
  return (
    items.length === batch.itemCount &&
    sum((item) => item.grossMinor) === t.grossMinor &&
    sum((item) => item.feeMinor) === t.feeMinor &&
    sum((item) => item.refundMinor) === t.refundMinor &&
    sum((item) => item.netMinor) === t.itemsNetMinor &&
    t.carriedInMinor + t.itemsNetMinor - t.reserveHeldMinor + t.reserveReleasedMinor === t.netMinor
  );
}

/** `settlement-<batch id>.csv`: ids are [a-z0-9_], safe in a Content-Disposition header. */
export function statementFileName(batchId: string): string {
  return `settlement-${batchId}.csv`;
}
