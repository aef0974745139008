import { parseShanghaiLocalTime } from '../business-date';
import { statementMalformed } from '../recon-error';
import type { StatementLine } from '../records';
import { yuanToMinor } from './amounts';
import { decodeLines, splitCsvRecord } from './text-lines';

/** The 25 columns of Alipay's 业务明细 list, in order (channel-protocols.md §C). */
export const ALIPAY_BUSINESS_COLUMNS = [
  '支付宝交易号',
  '商户订单号',
  '业务类型',
  '商品名称',
  '创建时间',
  '完成时间',
  '门店编号',
  '门店名称',
  '操作员',
  '终端号',
  '对方账户',
  '订单金额（元）',
  '商家实收（元）',
  '支付宝红包（元）',
  '集分宝（元）',
  '支付宝优惠（元）',
  '商家优惠（元）',
  '券核销金额（元）',
  '券名称',
  '商家红包消费金额（元）',
  '卡消费金额（元）',
  '退款批次号/请求号',
  '服务费（元）',
  '分润（元）',
  '备注',
] as const;

const COLUMN = Object.fromEntries(ALIPAY_BUSINESS_COLUMNS.map((name, index) => [name, index])) as {
  [K in (typeof ALIPAY_BUSINESS_COLUMNS)[number]]: number;
};

const END_MARKER = '业务明细列表结束';
const TRADE_TOTAL = /^#交易合计：(\d+)笔/;
const TRADE_NO = /^[0-9A-Za-z_-]{1,64}$/;

/**
 * Parses Alipay's 业务明细 CSV (GBK): `#` preamble, the 25-column header, one row per trade
 * (业务类型 交易) or refund (退款, negative amounts), then a `#` trailer opened by the
 * 业务明细列表结束 marker. The file must be whole: a missing header or end marker, a row of the
 * wrong width, an unknown 业务类型, a bad time or amount, or a 交易合计 count that disagrees with
 * the rows is RECON.STATEMENT_MALFORMED naming the line. Cells are trimmed, which drops the TAB
 * Alipay appends to id cells so spreadsheets keep them as text.
 */
export function parseAlipayBusinessCsv(bytes: Uint8Array): StatementLine[] {
  const lines = decodeLines(bytes, 'gbk');
  const result: StatementLine[] = [];
  let phase: 'preamble' | 'rows' | 'trailer' = 'preamble';
  let declaredTrades: { count: number; lineNo: number } | undefined;

  for (const { lineNo, text } of lines) {
    if (text.trim() === '') continue;
    const comment = text.startsWith('#');
    if (phase === 'preamble') {
      if (comment) continue;
      const header = splitCsvRecord(text, lineNo).map((cell) => cell.trim());
      if (
        header.length !== ALIPAY_BUSINESS_COLUMNS.length ||
        header.some((cell, index) => cell !== ALIPAY_BUSINESS_COLUMNS[index])
      ) {
        throw statementMalformed(lineNo, 'expected the 25-column 业务明细 header');
      }
      phase = 'rows';
    } else if (phase === 'rows') {
      if (comment) {
        if (!text.includes(END_MARKER)) {
          throw statementMalformed(lineNo, `unexpected comment before ${END_MARKER}`);
        }
        phase = 'trailer';
        continue;
      }
      result.push(parseRow(text, lineNo));
    } else {
      if (!comment) throw statementMalformed(lineNo, `data after ${END_MARKER}`);
      const total = TRADE_TOTAL.exec(text);
      if (total) declaredTrades = { count: Number(total[1]), lineNo };
    }
  }

  const lastLine = lines.length === 0 ? 1 : lines[lines.length - 1].lineNo;
  if (phase === 'preamble') throw statementMalformed(lastLine, 'no 业务明细 header found');
  if (phase === 'rows') {
    throw statementMalformed(lastLine, `file ends before ${END_MARKER} (truncated?)`);
  }
  if (declaredTrades) {
    const trades = result.filter((line) => line.status === 'SUCCESS').length;
    if (trades !== declaredTrades.count) {
      throw statementMalformed(
        declaredTrades.lineNo,
        `交易合计 says ${declaredTrades.count} trades, the file has ${trades}`,
      );
    }
  }
  return result;
}

function parseRow(text: string, lineNo: number): StatementLine {
  const cells = splitCsvRecord(text, lineNo).map((cell) => cell.trim());
  if (cells.length !== ALIPAY_BUSINESS_COLUMNS.length) {
    throw statementMalformed(
      lineNo,
      `expected ${ALIPAY_BUSINESS_COLUMNS.length} columns, found ${cells.length}`,
    );
  }
  const tradeNo = cells[COLUMN['支付宝交易号']];
  if (!TRADE_NO.test(tradeNo)) {
    throw statementMalformed(lineNo, `支付宝交易号 is not a trade number: "${tradeNo}"`);
  }
  const kind = cells[COLUMN['业务类型']];
  if (kind !== '交易' && kind !== '退款') {
    throw statementMalformed(lineNo, `业务类型 must be 交易 or 退款, got "${kind}"`);
  }
  const completedText = cells[COLUMN['完成时间']];
  const paidAt = parseShanghaiLocalTime(completedText);
  if (!paidAt) {
    throw statementMalformed(lineNo, `完成时间 is not yyyy-MM-dd HH:mm:ss: "${completedText}"`);
  }
  const amount = yuanToMinor(cells[COLUMN['订单金额（元）']], 'CNY', '订单金额（元）', lineNo);
  // Trades are positive and refunds negative: a sign the other way round is a broken file.
  if (kind === '交易' ? amount <= 0 : amount >= 0) {
    throw statementMalformed(
      lineNo,
      `订单金额（元） of a ${kind} row must be ${kind === '交易' ? 'positive' : 'negative'}`,
    );
  }
  const merchantOrderNo = cells[COLUMN['商户订单号']];
  const refundNo = cells[COLUMN['退款批次号/请求号']];
  const feeText = cells[COLUMN['服务费（元）']];
  const line: StatementLine = {
    lineNo,
    channel: 'ALIPAY',
    channelTradeNo: tradeNo,
    amountMinor: Math.abs(amount),
    currency: 'CNY',
    status: kind === '交易' ? 'SUCCESS' : 'REFUND',
    paidAt,
  };
  if (merchantOrderNo !== '') line.merchantOrderNo = merchantOrderNo;
  // Alipay has no refund number of its own: 退款批次号/请求号 is our out_request_no (the ref_ id).
  if (kind === '退款' && refundNo !== '') {
    line.refundNo = refundNo;
    line.refundRequestNo = refundNo;
  }
  if (feeText !== '') line.feeMinor = Math.abs(yuanToMinor(feeText, 'CNY', '服务费（元）', lineNo));
  return line;
}
