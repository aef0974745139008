import { isCurrencyCode, type CurrencyCode } from '@paylab/money';
import { parseShanghaiLocalTime } from '../business-date';
import { statementMalformed } from '../recon-error';
import type { StatementLine, StatementLineStatus } from '../records';
import { feeYuan5ToMinor, yuanToMinor } from './amounts';
import { decodeLines, splitCsvRecord } from './text-lines';

/** The 27 columns of WeChat Pay's trade bill (交易账单), in order (channel-protocols.md §B5). */
export const WECHAT_BILL_COLUMNS = [
  '交易时间',
  '公众账号ID',
  '商户号',
  '特约商户号',
  '设备号',
  '微信订单号',
  '商户订单号',
  '用户标识',
  '交易类型',
  '交易状态',
  '付款银行',
  '货币种类',
  '应结订单金额',
  '代金券金额',
  '微信退款单号',
  '商户退款单号',
  '退款金额',
  '充值券退款金额',
  '退款类型',
  '退款状态',
  '商品名称',
  '商户数据包',
  '手续费',
  '费率',
  '订单金额',
  '申请退款金额',
  '费率备注',
] as const;

export const WECHAT_SUMMARY_COLUMNS = [
  '总交易单数',
  '应结订单总金额',
  '退款总金额',
  '充值券退款总金额',
  '手续费总金额',
  '订单总金额',
  '申请退款总金额',
] as const;

const COLUMN = Object.fromEntries(WECHAT_BILL_COLUMNS.map((name, index) => [name, index])) as {
  [K in (typeof WECHAT_BILL_COLUMNS)[number]]: number;
};

/** The trade bill lists collected, refunded and revoked (撤销) trades. */
const STATUS_OF: Record<string, StatementLineStatus> = {
  SUCCESS: 'SUCCESS',
  REFUND: 'REFUND',
  REVOKED: 'CLOSED',
};

const TRADE_NO = /^[0-9A-Za-z_-]{1,64}$/;

/** Every data cell is written with a leading backtick (so spreadsheets keep it as text). */
function unTick(cells: string[], lineNo: number): string[] {
  return cells.map((cell, index) => {
    if (!cell.startsWith('`')) {
      throw statementMalformed(lineNo, `column ${index + 1} lacks the leading backtick`);
    }
    return cell.slice(1).trim();
  });
}

function sameColumns(cells: string[], expected: readonly string[]): boolean {
  return cells.length === expected.length && cells.every((cell, index) => cell === expected[index]);
}

/**
 * Parses a WeChat Pay trade bill: UTF-8 (with BOM), CRLF, the 27-column header, backtick-prefixed
 * rows, then the 7-column summary header and its one row. A missing or wrong header, a row of the
 * wrong width or without backticks, an unknown 交易状态 or currency, a bad time or amount, a
 * missing summary, or a 总交易单数 that disagrees with the rows is RECON.STATEMENT_MALFORMED.
 */
export function parseWechatTradeBill(bytes: Uint8Array): StatementLine[] {
  const lines = decodeLines(bytes, 'utf-8').filter((line) => line.text.trim() !== '');
  if (lines.length === 0) throw statementMalformed(1, 'empty file');
  const [header, ...rest] = lines;
  if (!sameColumns(splitCsvRecord(header.text, header.lineNo), WECHAT_BILL_COLUMNS)) {
    throw statementMalformed(header.lineNo, 'expected the 27-column trade bill header');
  }
  const summaryAt = rest.findIndex((line) => line.text.startsWith(WECHAT_SUMMARY_COLUMNS[0]));
  if (summaryAt < 0) {
    const last = lines[lines.length - 1].lineNo;
    throw statementMalformed(last, 'file ends before the 总交易单数 summary (truncated?)');
  }
  const summaryHeader = rest[summaryAt];
  if (
    !sameColumns(splitCsvRecord(summaryHeader.text, summaryHeader.lineNo), WECHAT_SUMMARY_COLUMNS)
  ) {
    throw statementMalformed(summaryHeader.lineNo, 'expected the 7-column summary header');
  }
  const summaryRows = rest.slice(summaryAt + 1);
  if (summaryRows.length !== 1) {
    throw statementMalformed(
      summaryRows[1]?.lineNo ?? summaryHeader.lineNo,
      'expected exactly one summary row after the summary header',
    );
  }
  const summary = unTick(
    splitCsvRecord(summaryRows[0].text, summaryRows[0].lineNo),
    summaryRows[0].lineNo,
  );
  const rows = rest.slice(0, summaryAt).map((line) => parseRow(line.text, line.lineNo));
  if (summary.length !== WECHAT_SUMMARY_COLUMNS.length || !/^\d+$/.test(summary[0])) {
    throw statementMalformed(summaryRows[0].lineNo, 'summary row is not 7 values');
  }
  if (Number(summary[0]) !== rows.length) {
    throw statementMalformed(
      summaryRows[0].lineNo,
      `总交易单数 says ${summary[0]} rows, the file has ${rows.length}`,
    );
  }
  return rows;
}

function parseRow(text: string, lineNo: number): StatementLine {
  const cells = unTick(splitCsvRecord(text, lineNo), lineNo);
  if (cells.length !== WECHAT_BILL_COLUMNS.length) {
    throw statementMalformed(
      lineNo,
      `expected ${WECHAT_BILL_COLUMNS.length} columns, found ${cells.length}`,
    );
  }
  const timeText = cells[COLUMN['交易时间']];
  const paidAt = parseShanghaiLocalTime(timeText);
  if (!paidAt)
    throw statementMalformed(lineNo, `交易时间 is not yyyy-MM-dd HH:mm:ss: "${timeText}"`);
  const tradeNo = cells[COLUMN['微信订单号']];
  if (!TRADE_NO.test(tradeNo)) {
    throw statementMalformed(lineNo, `微信订单号 is not a trade number: "${tradeNo}"`);
  }
  const statusText = cells[COLUMN['交易状态']];
  const status = STATUS_OF[statusText];
  if (!status) throw statementMalformed(lineNo, `unknown 交易状态 "${statusText}"`);
  const currencyText = cells[COLUMN['货币种类']];
  if (!isCurrencyCode(currencyText)) {
    throw statementMalformed(lineNo, `unknown 货币种类 "${currencyText}"`);
  }
  const currency: CurrencyCode = currencyText;
  // A refund row carries the refunded amount in 退款金额 (its 应结订单金额 is 0.00).
  const amountColumn = status === 'REFUND' ? '退款金额' : '订单金额';
  const amount = yuanToMinor(cells[COLUMN[amountColumn]], currency, amountColumn, lineNo);
  if (amount <= 0) throw statementMalformed(lineNo, `${amountColumn} must be positive`);
  const line: StatementLine = {
    lineNo,
    channel: 'WECHAT_PAY',
    channelTradeNo: tradeNo,
    amountMinor: amount,
    currency,
    status,
    paidAt,
  };
  const merchantOrderNo = cells[COLUMN['商户订单号']];
  if (merchantOrderNo !== '') line.merchantOrderNo = merchantOrderNo;
  const refundNo = cells[COLUMN['微信退款单号']];
  if (status === 'REFUND' && refundNo !== '') line.refundNo = refundNo;
  // 商户退款单号 is our out_refund_no: the ref_ id the platform refund is recorded under.
  const refundRequestNo = cells[COLUMN['商户退款单号']];
  if (status === 'REFUND' && refundRequestNo !== '') line.refundRequestNo = refundRequestNo;
  const feeText = cells[COLUMN['手续费']];
  if (feeText !== '') line.feeMinor = feeYuan5ToMinor(feeText, '手续费', lineNo);
  return line;
}
