import { neighbourNumberOf } from '../../trades/domain/extra-line-number';
import { Money } from '@paylab/money';
import type { StatementPlan } from './faults';
import { chineseDateTime, nextDate } from './shanghai-time';

/**
 * The 业务明细 (business detail) part of Alipay's `trade` bill, as text: preamble, the 25-column
 * header, one row per trade of the business date, and the trailer with the totals. The caller
 * encodes it (GBK, like the real file). Statement faults recorded on a trade are applied here.
 */

export const TRADE_BILL_HEADER = [
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

export interface BillTrade {
  tradeNo: string;
  outTradeNo: string;
  subject: string;
  /** Shanghai 'YYYY-MM-DD HH:mm:ss'. */
  createdAt: string;
  paidAt: string;
  amountMinor: number;
  buyerLogonId: string;
  statement: StatementPlan;
}

/** A refund that completed on the business date: a 退款 row, negative, with its out_request_no. */
export interface BillRefund {
  tradeNo: string;
  outTradeNo: string;
  outRequestNo: string;
  subject: string;
  /** Shanghai 'YYYY-MM-DD HH:mm:ss'. */
  createdAt: string;
  finishedAt: string;
  /** Positive: what was refunded. */
  amountMinor: number;
  buyerLogonId: string;
}

export interface TradeBillInput {
  /** The merchant's PID; the account is written `<pid>0156` as in the real file. */
  pid: string;
  billDate: string;
  trades: readonly BillTrade[];
  refunds?: readonly BillRefund[];
  /** Shanghai 'YYYY-MM-DD HH:mm:ss'. */
  exportedAt: string;
}

const RULE = '#-----------------------------------------';

export function buildTradeBill(input: TradeBillInput): string {
  const rows: string[][] = [];
  let tradeCount = 0;
  let tradeTotal = 0;
  let refundCount = 0;
  let refundTotal = 0;
  const refundLines: BillLine[] = (input.refunds ?? []).map((refund) => ({
    tradeNo: refund.tradeNo,
    outTradeNo: refund.outTradeNo,
    businessType: '退款',
    subject: refund.subject,
    createdAt: refund.createdAt,
    finishedAt: refund.finishedAt,
    buyerLogonId: refund.buyerLogonId,
    amountMinor: -refund.amountMinor,
    refundRequestNo: refund.outRequestNo,
  }));
  for (const line of [...input.trades.flatMap(linesOf), ...refundLines]) {
    rows.push(row(line));
    if (line.businessType === '交易') {
      tradeCount += 1;
      tradeTotal += line.amountMinor;
    } else {
      refundCount += 1;
      refundTotal += line.amountMinor;
    }
  }
  const yuan = (minor: number) => Money.of(minor, 'CNY').toDecimalString();
  const [exportDate, exportTime] = input.exportedAt.split(' ');
  const lines = [
    '#支付宝业务明细查询',
    `#账号：[${input.pid}0156]`,
    `#起始日期：[${chineseDateTime(input.billDate)}]   终止日期：[${chineseDateTime(nextDate(input.billDate))}]`,
    `${RULE}业务明细列表${RULE.slice(1)}`,
    TRADE_BILL_HEADER.join(','),
    ...rows.map((cells) => cells.map(csvCell).join(',')),
    `${RULE}业务明细列表结束${RULE.slice(1)}`,
    `#交易合计：${tradeCount}笔，商家实收共${yuan(tradeTotal)}元，商家优惠共0.00元`,
    `#退款合计：${refundCount}笔，商家实收共${yuan(refundTotal)}元，商家优惠共0.00元`,
    `#导出时间：[${chineseDateTime(exportDate, exportTime)}]`,
  ];
  // CRLF: the file is made for Excel on Windows, like the GBK encoding.
  return `${lines.join('\r\n')}\r\n`;
}

interface BillLine {
  tradeNo: string;
  outTradeNo: string;
  businessType: '交易' | '退款';
  subject: string;
  createdAt: string;
  finishedAt: string;
  buyerLogonId: string;
  /** Signed: refunds are negative. */
  amountMinor: number;
  refundRequestNo: string;
}

function linesOf(trade: BillTrade): BillLine[] {
  const faults = trade.statement;
  const lines: BillLine[] = [];
  if (!faults.omit) {
    const amount = trade.amountMinor + (faults.amountDeltaFen ?? 0);
    const asRefund = faults.businessType === '退款';
    lines.push({
      tradeNo: trade.tradeNo,
      outTradeNo: trade.outTradeNo,
      businessType: asRefund ? '退款' : '交易',
      subject: trade.subject,
      createdAt: trade.createdAt,
      finishedAt: trade.paidAt,
      buyerLogonId: trade.buyerLogonId,
      amountMinor: asRefund ? -amount : amount,
      refundRequestNo: asRefund ? trade.outTradeNo : '',
    });
  }
  if (faults.extraLineAmountFen !== undefined) {
    // A trade the platform never created (长款): its own numbers, derived so that re-downloading
    // the same statement gives the same line.
    lines.push({
      tradeNo: neighbourNumberOf(trade.tradeNo),
      outTradeNo: `SANDBOX_EXTRA_${trade.outTradeNo}`,
      businessType: '交易',
      subject: trade.subject,
      createdAt: trade.createdAt,
      finishedAt: trade.paidAt,
      buyerLogonId: trade.buyerLogonId,
      amountMinor: faults.extraLineAmountFen > 0 ? faults.extraLineAmountFen : trade.amountMinor,
      refundRequestNo: '',
    });
  }
  return lines;
}

function row(line: BillLine): string[] {
  const yuan = Money.of(line.amountMinor, 'CNY').toDecimalString();
  // ID cells end with a TAB in the real file, so Excel keeps the long numbers as text.
  return [
    `${line.tradeNo}\t`,
    `${line.outTradeNo}\t`,
    line.businessType,
    line.subject,
    line.createdAt,
    line.finishedAt,
    '',
    '',
    '',
    '',
    line.buyerLogonId,
    yuan,
    yuan,
    '0.00',
    '0.00',
    '0.00',
    '0.00',
    '0.00',
    '',
    '0.00',
    '0.00',
    line.refundRequestNo === '' ? '' : `${line.refundRequestNo}\t`,
    '0.00',
    '0.00',
    '',
  ];
}

/** RFC 4180 quoting, needed only when a subject contains a comma, quote or line break. */
function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
