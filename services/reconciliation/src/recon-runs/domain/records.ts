import type { CurrencyCode } from '@paylab/money';

/** The channels reconciliation knows; the same codes as the event contracts. */
export const RECON_CHANNELS = ['ALIPAY', 'WECHAT_PAY', 'UNIONPAY'] as const;
export type ReconChannel = (typeof RECON_CHANNELS)[number];

/**
 * What a statement line says happened: a payment the channel collected (SUCCESS), a refund it
 * paid back (REFUND), or a trade closed or revoked without money moving (CLOSED).
 */
export type StatementLineStatus = 'SUCCESS' | 'REFUND' | 'CLOSED';

/** One line of a channel statement (对账单), whatever the file's layout was. */
export interface StatementLine {
  /** 1-based line of the file it came from, so a discrepancy can point back at the source. */
  lineNo: number;
  channel: ReconChannel;
  /** The channel's trade number (支付宝交易号 / 微信订单号): the key lines and records pair on. */
  channelTradeNo: string;
  /** The merchant order number the channel was given (商户订单号), when the file has one. */
  merchantOrderNo?: string;
  /** Our payment id, when the channel echoes it (a future statement source may). */
  paymentId?: string;
  /** The channel's refund number, for REFUND lines. */
  refundNo?: string;
  /**
   * Our refund id (ref_…) as we gave it to the channel (Alipay 退款批次号/请求号 = out_request_no,
   * WeChat 商户退款单号 = out_refund_no), for REFUND lines: the key refunds are matched on.
   */
  refundRequestNo?: string;
  /** Positive minor units: the amount paid, or for a REFUND line the amount refunded. */
  amountMinor: number;
  currency: CurrencyCode;
  status: StatementLineStatus;
  /** When the channel completed it, as an instant (statements write Asia/Shanghai wall time). */
  paidAt: Date;
  /** The channel's service fee (手续费/服务费) in positive minor units, when the file has one. */
  feeMinor?: number;
}

/** One refund as reconciliation's projection records it (built from ChannelRefundSucceeded). */
export interface PlatformRefundRecord {
  /** Our refund id (ref_…), which the channel echoes as the refund request number. */
  refundId: string;
  transactionId: string;
  paymentId: string;
  channel: ReconChannel;
  channelAccountId: string | null;
  channelTradeNo: string;
  channelRefundNo: string;
  amountMinor: number;
  currency: CurrencyCode;
  refundedAt: Date;
  /** Asia/Shanghai business date the refund was booked under. */
  businessDate: string;
}

/** What our projection says about a transaction (built from ChannelPaymentSucceeded). */
export type PlatformRecordStatus = 'SUCCEEDED';

/** One transaction as reconciliation's own projection records it. */
export interface PlatformRecord {
  transactionId: string;
  paymentId: string;
  channel: ReconChannel;
  channelTradeNo: string;
  amountMinor: number;
  currency: CurrencyCode;
  status: PlatformRecordStatus;
  paidAt: Date;
  /** Asia/Shanghai business date the transaction was booked under. */
  businessDate: string;
  /** Routing's channel account (cha_…) the payment was taken on, when known. */
  channelAccountId?: string | null;
}

/**
 * The outcome of one record in a recon run. Everything except MATCHED and CROSS_DAY
 * is a break (差错) and becomes a discrepancy.
 * - MISSING_IN_PLATFORM 长款: the channel has it, we don't.
 * - MISSING_IN_CHANNEL 短款: we have it, the channel doesn't.
 * - CROSS_DAY 跨日: paid just before the cut-off and not on this statement; held in suspense and
 *   matched by the next business date's run.
 * Refund lines are matched against platform refunds by our refund id, never against the payment:
 * - REFUND_MISSING_IN_PLATFORM: the channel refunded, we have no record of the refund.
 * - REFUND_MISSING_IN_CHANNEL: we recorded a refund the statement lacks.
 * - REFUND_AMOUNT_MISMATCH: both have it, for different amounts.
 */
export type ReconOutcome =
  | 'MATCHED'
  | 'MISSING_IN_PLATFORM'
  | 'MISSING_IN_CHANNEL'
  | 'AMOUNT_MISMATCH'
  | 'STATUS_MISMATCH'
  | 'FEE_MISMATCH'
  | 'DUPLICATE'
  | 'CROSS_DAY'
  | 'REFUND_MISSING_IN_PLATFORM'
  | 'REFUND_MISSING_IN_CHANNEL'
  | 'REFUND_AMOUNT_MISMATCH';

export const RECON_OUTCOMES: readonly ReconOutcome[] = [
  'MATCHED',
  'MISSING_IN_PLATFORM',
  'MISSING_IN_CHANNEL',
  'AMOUNT_MISMATCH',
  'STATUS_MISMATCH',
  'FEE_MISMATCH',
  'DUPLICATE',
  'CROSS_DAY',
  'REFUND_MISSING_IN_PLATFORM',
  'REFUND_MISSING_IN_CHANNEL',
  'REFUND_AMOUNT_MISMATCH',
];

export function isBreak(outcome: ReconOutcome): boolean {
  return outcome !== 'MATCHED' && outcome !== 'CROSS_DAY';
}
