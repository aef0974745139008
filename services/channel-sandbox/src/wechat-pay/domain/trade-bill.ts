import { neighbourNumberOf } from '../../trades/domain/extra-line-number';
import { Money, Rate } from '@paylab/money';
import type { StatementPlan } from '../../alipay/domain/faults';

/**
 * WeChat Pay's trade bill (交易账单) text: a 27-column header, one row per line with every
 * field prefixed by a backtick (so Excel keeps long numbers as text), then a summary caption
 * and one summary row. UTF-8 with a BOM and CRLF line ends, ending in CRLF — the plugin's
 * Formatter.castCsvBill strips exactly 3 BOM bytes and needs that final empty line. Statement
 * faults recorded on a trade are applied here.
 */
export const WECHAT_TRADE_BILL_HEADER = [
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

export const WECHAT_TRADE_BILL_SUMMARY_HEADER = [
  '总交易单数',
  '应结订单总金额',
  '退款总金额',
  '充值券退款总金额',
  '手续费总金额',
  '订单总金额',
  '申请退款总金额',
] as const;

export const WECHAT_BILL_TYPES = ['ALL', 'SUCCESS', 'REFUND'] as const;
export type WechatBillType = (typeof WECHAT_BILL_TYPES)[number];

/** The sandbox merchant's fee rate (费率) on every payment; the fee rounds half up to the fen. */
export const WECHAT_FEE_RATE = Rate.ppm(6_000);

export interface WechatBillTrade {
  appid: string;
  mchid: string;
  transactionId: string;
  outTradeNo: string;
  openid: string;
  description: string;
  attach: string;
  /** Shanghai 'YYYY-MM-DD HH:mm:ss'. */
  paidAt: string;
  amountMinor: number;
  statement: StatementPlan;
}

/** A refund that succeeded on the bill date: a REFUND row with its refund numbers. */
export interface WechatBillRefund {
  trade: WechatBillTrade;
  /** 微信退款单号 (refund_id) and 商户退款单号 (out_refund_no). */
  refundId: string;
  outRefundNo: string;
  /** Shanghai 'YYYY-MM-DD HH:mm:ss': when the refund succeeded. */
  refundedAt: string;
  amountMinor: number;
}

interface BillLine {
  trade: WechatBillTrade;
  transactionId: string;
  outTradeNo: string;
  state: 'SUCCESS' | 'REFUND';
  amountMinor: number;
  /** Set on the rows of real refunds (a STATEMENT_STATUS fault's REFUND row has none). */
  refund?: { refundId: string; outRefundNo: string; at: string };
}

const BOM = '\uFEFF';

export function buildWechatTradeBill(
  trades: readonly WechatBillTrade[],
  billType: WechatBillType,
  refunds: readonly WechatBillRefund[] = [],
): string {
  const refundLines: BillLine[] = refunds.map((refund) => ({
    trade: refund.trade,
    transactionId: refund.trade.transactionId,
    outTradeNo: refund.trade.outTradeNo,
    state: 'REFUND',
    amountMinor: refund.amountMinor,
    refund: { refundId: refund.refundId, outRefundNo: refund.outRefundNo, at: refund.refundedAt },
  }));
  const lines = [...trades.flatMap(linesOf), ...refundLines].filter(
    (line) => billType === 'ALL' || line.state === billType,
  );
  let settled = 0;
  let refunded = 0;
  let fees = 0;
  let ordered = 0;
  const rows = lines.map((line) => {
    const fee = Money.of(line.amountMinor, 'CNY').applyRate(WECHAT_FEE_RATE, 'HALF_UP').amountMinor;
    const isRefund = line.state === 'REFUND';
    settled += isRefund ? 0 : line.amountMinor;
    refunded += isRefund ? line.amountMinor : 0;
    fees += isRefund ? -fee : fee;
    ordered += isRefund ? 0 : line.amountMinor;
    return backticked([
      line.refund?.at ?? line.trade.paidAt,
      line.trade.appid,
      line.trade.mchid,
      '0',
      '',
      line.transactionId,
      line.outTradeNo,
      line.trade.openid,
      'NATIVE',
      line.state,
      'OTHERS',
      'CNY',
      yuan(isRefund ? 0 : line.amountMinor),
      '0.00',
      isRefund ? (line.refund?.refundId ?? `50300${line.transactionId.slice(5)}`) : '0',
      isRefund ? (line.refund?.outRefundNo ?? line.outTradeNo) : '0',
      yuan(isRefund ? line.amountMinor : 0),
      '0.00',
      isRefund ? 'ORIGINAL' : '',
      isRefund ? 'SUCCESS' : '',
      line.trade.description,
      line.trade.attach,
      feeText(isRefund ? -fee : fee),
      WECHAT_FEE_RATE.toPercentString(),
      yuan(isRefund ? 0 : line.amountMinor),
      yuan(isRefund ? line.amountMinor : 0),
      '',
    ]);
  });
  const text = [
    WECHAT_TRADE_BILL_HEADER.join(','),
    ...rows,
    WECHAT_TRADE_BILL_SUMMARY_HEADER.join(','),
    backticked([
      String(lines.length),
      yuan(settled),
      yuan(refunded),
      '0.00',
      feeText(fees),
      yuan(ordered),
      yuan(refunded),
    ]),
  ];
  return `${BOM}${text.join('\r\n')}\r\n`;
}

function linesOf(trade: WechatBillTrade): BillLine[] {
  const faults = trade.statement;
  const lines: BillLine[] = [];
  if (!faults.omit) {
    lines.push({
      trade,
      transactionId: trade.transactionId,
      outTradeNo: trade.outTradeNo,
      // STATEMENT_STATUS: the payment shows up as a refund (状态不符).
      state: faults.businessType === '退款' ? 'REFUND' : 'SUCCESS',
      amountMinor: trade.amountMinor + (faults.amountDeltaFen ?? 0),
    });
  }
  if (faults.extraLineAmountFen !== undefined) {
    // A payment the platform never created (长款): numbers derived from the real one, so that
    // re-downloading the same bill gives the same line.
    lines.push({
      trade,
      transactionId: neighbourNumberOf(trade.transactionId),
      outTradeNo: `SBX_EXTRA_${trade.outTradeNo}`.slice(0, 32),
      state: 'SUCCESS',
      amountMinor: faults.extraLineAmountFen > 0 ? faults.extraLineAmountFen : trade.amountMinor,
    });
  }
  return lines;
}

const yuan = (minor: number) => Money.of(minor, 'CNY').toDecimalString();

/** 手续费 is written with 5 decimals (the fee itself is whole fen). */
function feeText(minor: number): string {
  return `${yuan(minor)}000`;
}

/** Every field behind a backtick; backticks and line breaks inside free text would break it. */
function backticked(cells: readonly string[]): string {
  return cells.map((cell) => `\`${cell.replace(/[`\r\n]/g, ' ')}`).join(',');
}
