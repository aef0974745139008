import type { Money } from '@paylab/money';

/**
 * One interface for every payment channel (支付渠道). Acquiring's use cases (charge, settle on a
 * callback, active query, close on expiry, statements for reconciliation) speak only this;
 * each channel's protocol — signing, field names, yuan strings, Shanghai times, its status
 * words — stays inside its adapter (alipay/, wechat-pay/). Adding UnionPay is one more.
 */
export type ChannelCode = 'ALIPAY' | 'WECHAT_PAY' | 'UNIONPAY';

/** A channel trade's status, normalized: the only three acquiring acts on. */
export type ChannelTradeStatus = 'PENDING' | 'SUCCEEDED' | 'CLOSED';

export interface ChargeRequest {
  /** Our reference at the channel (商户订单号): the payment id. */
  outTradeNo: string;
  amount: Money;
  subject: string;
  /** After this the payer can no longer pay; the channel closes the trade. */
  expiresAt: Date;
}

export interface ChargeResult {
  /** What the payer scans: a URL or a scheme such as weixin://… */
  qrPayload: string;
  /** The channel's reference for the order as created (for Alipay precreate, the out_trade_no). */
  channelOrderNo: string;
}

/** What the channel says about one trade, in acquiring's terms. */
export interface ChannelTradeSnapshot {
  /** False when the channel has no such trade (e.g. an Alipay precreate nobody scanned yet). */
  exists: boolean;
  status: ChannelTradeStatus;
  /** The channel's trade number (支付宝交易号); null until the channel assigns one. */
  channelTradeNo: string | null;
  amount: Money | null;
  /** UTC instant of payment; set when SUCCEEDED. */
  paidAt: Date | null;
}

/** A callback exactly as it arrived, before anything is trusted. */
export interface RawCallbackRequest {
  contentType: string;
  headers: Readonly<Record<string, string | undefined>>;
  body: Buffer;
}

/** A verified, parsed callback (异步通知). */
export interface ChannelNotification {
  /** The channel's id for this notification; a re-delivery carries the same one. */
  notifyId: string;
  outTradeNo: string;
  channelTradeNo: string;
  status: ChannelTradeStatus;
  amount: Money;
  paidAt: Date | null;
}

/**
 * A refund's status at the channel, normalized:
 * - SUCCEEDED: the money went back to the payer;
 * - PROCESSING: accepted, result not final yet (WeChat PROCESSING; Alipay fund_change N);
 * - FAILED: refused for good (a business error, REFUND.ABNORMAL / CLOSED);
 * - NOT_FOUND: a query found no such refund (never received): submitting it again is safe.
 */
export type ChannelRefundStatus = 'SUCCEEDED' | 'PROCESSING' | 'FAILED' | 'NOT_FOUND';

export interface ChannelRefundRequest {
  /** The trade being refunded (our out_trade_no, the payment id). */
  outTradeNo: string;
  /** Our refund reference (out_request_no / out_refund_no): the ref_ id, so a resubmission is idempotent. */
  outRefundNo: string;
  amount: Money;
  /** What was paid for the whole trade (WeChat Pay wants amount.total). */
  total: Money;
  reason?: string;
}

/** What the channel says about one refund, from its answer to a refund or to a refund query. */
export interface ChannelRefundResult {
  status: ChannelRefundStatus;
  /** The channel's refund reference (WeChat refund_id; Alipay trade_no + out_request_no). */
  channelRefundNo: string | null;
  channelTradeNo: string | null;
  /** UTC instant the money went back; set when SUCCEEDED. */
  refundedAt: Date | null;
  /** Why it FAILED, in the channel's words (sub_code / code / REFUND.ABNORMAL). */
  failureCode?: string;
  failureMessage?: string;
}

/** A verified refund notification (退款结果通知). */
export interface ChannelRefundNotification {
  notifyId: string;
  outTradeNo: string;
  outRefundNo: string;
  channelRefundNo: string;
  channelTradeNo: string;
  status: 'SUCCEEDED' | 'FAILED';
  amount: Money;
  refundedAt: Date | null;
  /** REFUND.ABNORMAL / REFUND.CLOSED when FAILED. */
  failureCode?: string;
}

/** What a verified callback is about: a payment, or a refund (same notify_url, told apart by type). */
export type ChannelCallback =
  ({ kind: 'PAYMENT' } & ChannelNotification) | ({ kind: 'REFUND' } & ChannelRefundNotification);

/**
 * - `ALIPAY_CSV`: Alipay's 业务明细 CSV (GBK);
 * - `WECHAT_BILL`: WeChat Pay's trade bill (交易账单), UTF-8 with BOM, backtick-prefixed fields.
 */
export type StatementFormat = 'ALIPAY_CSV' | 'WECHAT_BILL';

/** A channel's statement file (对账单) for one business date, bytes untouched. */
export interface ChannelStatement {
  format: StatementFormat;
  contentType: string;
  fileName: string;
  content: Buffer;
}

/**
 * How the channel expects its callbacks to be answered: Alipay wants 200 `success` / `fail`;
 * WeChat Pay wants 204 with no body, or an error status with `{"code":"FAIL","message":…}`.
 */
export interface CallbackReplies {
  /** The HTTP status of an acknowledgement. */
  successStatus: number;
  /** The body of an acknowledgement ('' for none). */
  success: string;
  successContentType: string;
  /** The body of a refusal; `reason` says why in a few English words. */
  failure(reason: string): string;
  failureContentType: string;
  /** Request headers that carry the callback's signature, kept with it for audit (lower case). */
  auditHeaders: readonly string[];
}

export interface ChannelAdapter {
  readonly channel: ChannelCode;
  readonly callbackReplies: CallbackReplies;
  /** Creates the trade at the channel and returns what the payer scans (QR precreate). */
  charge(request: ChargeRequest): Promise<ChargeResult>;
  /** Asks the channel for the trade's status (主动查询). */
  query(outTradeNo: string): Promise<ChannelTradeSnapshot>;
  /** Closes an unpaid trade; closing one the channel does not know, or closed, is fine. */
  close(outTradeNo: string): Promise<void>;
  /** Verifies and parses a callback; throws a ChannelError `CALLBACK.*` if it cannot be trusted. */
  verifyCallback(raw: RawCallbackRequest): Promise<ChannelCallback>;
  /**
   * Asks the channel to refund. Idempotent per outRefundNo at the channel, so a resubmission
   * after a crash is safe. A business refusal is a FAILED result; a ChannelError means no
   * usable answer (retry later).
   */
  refund(request: ChannelRefundRequest): Promise<ChannelRefundResult>;
  /** Asks the channel about a refund (退款查询); NOT_FOUND when it never received it. */
  queryRefund(outTradeNo: string, outRefundNo: string): Promise<ChannelRefundResult>;
  /** Downloads the statement of one business date (Asia/Shanghai), 'YYYY-MM-DD'. */
  downloadStatement(businessDate: string): Promise<ChannelStatement>;
}

/**
 * Why a channel call or callback failed, as a stable code:
 * - `CHANNEL.REJECTED`: the channel refused the request (its own reason in `channelReason`);
 * - `CHANNEL.ORDER_CONFLICT`: the channel already has this order with other details, or paid/closed;
 * - `CHANNEL.TRADE_ALREADY_PAID`: a close came too late, the payer has paid;
 * - `CHANNEL.UNAVAILABLE`: no usable answer (network, timeout, HTTP error) — safe to retry;
 * - `CHANNEL.INVALID_RESPONSE`: an answer we cannot trust (bad signature, unknown shape);
 * - `STATEMENT.NOT_FOUND`: no statement for that date (yet);
 * - `CALLBACK.BAD_SIGNATURE`, `CALLBACK.MALFORMED`, `CALLBACK.WRONG_APP`: a callback to refuse;
 * - `CALLBACK.STALE`: a signed callback whose timestamp is too far from our clock (a replay);
 * - `CALLBACK.UNDECRYPTABLE`: an encrypted resource that does not authenticate with our key.
 */
export class ChannelError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly channelReason?: string,
  ) {
    super(message);
    this.name = 'ChannelError';
    Object.setPrototypeOf(this, new.target.prototype);
  }
}
