import { Money, MoneyError } from '@paylab/money';
import {
  ChannelError,
  type ChannelNotification,
  type ChannelRefundResult,
  type ChannelTradeSnapshot,
  type ChannelTradeStatus,
} from '../../channel-adapter';
import { formatShanghaiDateTime, parseShanghaiDateTime } from '../../domain/shanghai-time';

/**
 * Alipay's words and formats, translated to acquiring's: trade_status, yuan strings, Shanghai
 * times, gateway result codes. Pure, so every rule here is unit-tested without a gateway.
 */

/** A gateway result after alipay-sdk (keys camelCased): code 10000 is success. */
export type GatewayResult = Readonly<Record<string, unknown>>;

/** Alipay's per-trade maximum, 100000000.00 yuan. */
export const MAX_ALIPAY_AMOUNT_FEN = 10_000_000_000;

/**
 * trade_status → acquiring's status. TRADE_FINISHED is paid and no longer refundable, so it is
 * a success too. TRADE_CLOSED also means "fully refunded" after a payment; acquiring only reads
 * it for unpaid trades (refunds are not built yet).
 */
export function tradeStatusOf(value: unknown): ChannelTradeStatus | null {
  switch (value) {
    case 'WAIT_BUYER_PAY':
      return 'PENDING';
    case 'TRADE_SUCCESS':
    case 'TRADE_FINISHED':
      return 'SUCCEEDED';
    case 'TRADE_CLOSED':
      return 'CLOSED';
    default:
      return null;
  }
}

/** A yuan string ("12.34") as CNY fen; null if it is not one. */
export function yuanToMoney(value: unknown): Money | null {
  if (typeof value !== 'string') return null;
  try {
    return Money.fromDecimalString(value, 'CNY');
  } catch (error) {
    if (error instanceof MoneyError) return null;
    throw error;
  }
}

/**
 * time_expire for precreate: the absolute deadline, "yyyy-MM-dd HH:mm:ss" in Asia/Shanghai, in
 * whole seconds rounded down. Unlike timeout_express (relative, whole minutes rounded up) it
 * makes Alipay close the trade on the same second as the platform's deadline.
 */
export function timeExpireOf(expiresAt: Date): string {
  return formatShanghaiDateTime(expiresAt);
}

/**
 * A code≠10000 answer as a ChannelError. alipay-sdk does not throw for these: the code is inside
 * the signed response node, like the real gateway's business failures (40004 ACQ.*).
 */
export function gatewayFailure(method: string, result: GatewayResult): ChannelError {
  const subCode = typeof result.subCode === 'string' ? result.subCode : '';
  const reason = `${String(result.code)} ${subCode}: ${String(result.subMsg ?? result.msg ?? '')}`;
  if (result.code === '20000') {
    return new ChannelError('CHANNEL.UNAVAILABLE', `Alipay ${method} is unavailable: ${reason}`);
  }
  if (
    ['ACQ.CONTEXT_INCONSISTENT', 'ACQ.TRADE_HAS_SUCCESS', 'ACQ.TRADE_HAS_CLOSE'].includes(subCode)
  ) {
    return new ChannelError(
      'CHANNEL.ORDER_CONFLICT',
      `Alipay already has this order with other details, or it is paid or closed (${reason}).`,
      subCode,
    );
  }
  if (subCode === 'ACQ.TRADE_STATUS_ERROR' && method === 'alipay.trade.close') {
    return new ChannelError(
      'CHANNEL.TRADE_ALREADY_PAID',
      `Alipay cannot close it: ${reason}`,
      subCode,
    );
  }
  if (subCode === 'isp.bill_not_exist') {
    return new ChannelError(
      'STATEMENT.NOT_FOUND',
      `Alipay has no statement for that day (${reason}).`,
      subCode,
    );
  }
  return new ChannelError(
    'CHANNEL.REJECTED',
    `Alipay refused ${method}: ${reason}`,
    subCode || String(result.code),
  );
}

export function isTradeNotExist(result: GatewayResult): boolean {
  return result.code === '40004' && result.subCode === 'ACQ.TRADE_NOT_EXIST';
}

/** alipay.trade.query's answer (code 10000) as a snapshot. */
export function snapshotOfQuery(result: GatewayResult): ChannelTradeSnapshot {
  const status = tradeStatusOf(result.tradeStatus);
  const amount = yuanToMoney(result.totalAmount);
  if (!status || !amount) {
    throw new ChannelError(
      'CHANNEL.INVALID_RESPONSE',
      `alipay.trade.query answered an unknown trade_status or total_amount (${String(result.tradeStatus)}, ${String(result.totalAmount)}).`,
    );
  }
  const tradeNo =
    typeof result.tradeNo === 'string' && result.tradeNo !== '' ? result.tradeNo : null;
  let paidAt: Date | null = null;
  if (status === 'SUCCEEDED') {
    paidAt =
      typeof result.sendPayDate === 'string' ? parseShanghaiDateTime(result.sendPayDate) : null;
    if (!paidAt || !tradeNo) {
      throw new ChannelError(
        'CHANNEL.INVALID_RESPONSE',
        'alipay.trade.query reports a paid trade without trade_no or a valid send_pay_date.',
      );
    }
  }
  return { exists: true, status, channelTradeNo: tradeNo, amount, paidAt };
}

/** A trade the channel does not know: still open from our side (nobody has scanned it). */
export const NOT_EXISTING_TRADE: ChannelTradeSnapshot = {
  exists: false,
  status: 'PENDING',
  channelTradeNo: null,
  amount: null,
  paidAt: null,
};

const malformed = (what: string) =>
  new ChannelError('CALLBACK.MALFORMED', `The Alipay notification ${what}.`);

/**
 * The fields of a notification whose signature has been verified, checked and normalized.
 * A notification for another app id is refused: it was signed by Alipay, but not for us.
 */
export function parseNotification(
  fields: Readonly<Record<string, string>>,
  appId: string,
): ChannelNotification {
  if (fields.app_id !== appId) {
    throw new ChannelError(
      'CALLBACK.WRONG_APP',
      `The Alipay notification is for app ${fields.app_id ?? '(none)'}, not ${appId}.`,
    );
  }
  if (fields.notify_type !== 'trade_status_sync') {
    throw malformed(`has notify_type ${fields.notify_type ?? '(none)'}`);
  }
  for (const name of ['notify_id', 'out_trade_no', 'trade_no'] as const) {
    if (!fields[name]) throw malformed(`has no ${name}`);
  }
  const status = tradeStatusOf(fields.trade_status);
  if (!status) throw malformed(`has an unknown trade_status ${fields.trade_status ?? '(none)'}`);
  const amount = yuanToMoney(fields.total_amount);
  if (!amount || amount.amountMinor <= 0) throw malformed('has no valid total_amount');
  let paidAt: Date | null = null;
  if (status === 'SUCCEEDED') {
    paidAt = fields.gmt_payment ? parseShanghaiDateTime(fields.gmt_payment) : null;
    if (!paidAt) throw malformed('reports a payment without a valid gmt_payment');
  }
  return {
    notifyId: fields.notify_id,
    outTradeNo: fields.out_trade_no,
    channelTradeNo: fields.trade_no,
    status,
    amount,
    paidAt,
  };
}

/**
 * A form body as the notify_url receives it: UTF-8 (the only charset the notification
 * declares here), `+` as space, each key once. The values stay exactly as sent, because the
 * signature covers them (checkNotifySignV2 does not decode them again).
 */
export function parseNotificationBody(body: Buffer): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(body.toString('utf8'))) {
    if (key in fields) throw malformed(`repeats the field ${key}`);
    fields[key] = value;
  }
  return fields;
}

// -------------------------------------------------------------------------------------------
// Refunds (alipay.trade.refund, alipay.trade.fastpay.refund.query)

/**
 * Business refusals of a refund that will not change on a retry: the trade cannot be refunded,
 * the amount is more than is left, the seller's balance does not cover it. Anything else that
 * is not code 10000 (20000, ACQ.SYSTEM_ERROR, a missing or invalid parameter on our side) is
 * retried, so a refund never fails because of a passing outage or our own misconfiguration.
 */
const RETRYABLE_REFUND_SUB_CODES = new Set(['ACQ.SYSTEM_ERROR', 'aop.ACQ.SYSTEM_ERROR']);

/** Alipay has no refund number of its own: the trade number and our out_request_no name it. */
export function alipayRefundNoOf(tradeNo: string, outRequestNo: string): string {
  return `${tradeNo}_${outRequestNo}`;
}

function refusalOrThrow(method: string, result: GatewayResult): ChannelRefundResult {
  const subCode = typeof result.subCode === 'string' ? result.subCode : '';
  if (result.code === '40004' && subCode !== '' && !RETRYABLE_REFUND_SUB_CODES.has(subCode)) {
    return {
      status: 'FAILED',
      channelRefundNo: null,
      channelTradeNo: null,
      refundedAt: null,
      failureCode: subCode,
      failureMessage: String(result.subMsg ?? result.msg ?? subCode).slice(0, 512),
    };
  }
  const failure = gatewayFailure(method, result);
  // Not a final answer about the refund: retried with backoff.
  throw new ChannelError('CHANNEL.UNAVAILABLE', failure.message, failure.channelReason);
}

/**
 * alipay.trade.refund's answer. fund_change Y: this request moved the money, done. N: it did
 * not (a repeated out_request_no, or a refund still processing), so only a refund query can
 * tell; the refund is PROCESSING until then.
 */
export function refundResultOf(result: GatewayResult, outRequestNo: string): ChannelRefundResult {
  const method = 'alipay.trade.refund';
  if (result.code !== '10000') return refusalOrThrow(method, result);
  const tradeNo =
    typeof result.tradeNo === 'string' && result.tradeNo !== '' ? result.tradeNo : null;
  if (!tradeNo) {
    throw new ChannelError('CHANNEL.INVALID_RESPONSE', `${method} answered without trade_no.`);
  }
  const channelRefundNo = alipayRefundNoOf(tradeNo, outRequestNo);
  if (result.fundChange !== 'Y') {
    return { status: 'PROCESSING', channelRefundNo, channelTradeNo: tradeNo, refundedAt: null };
  }
  const refundedAt =
    (typeof result.gmtRefundPay === 'string' && parseShanghaiDateTime(result.gmtRefundPay)) || null;
  return {
    status: 'SUCCEEDED',
    channelRefundNo,
    channelTradeNo: tradeNo,
    refundedAt: refundedAt ?? new Date(),
  };
}

/**
 * alipay.trade.fastpay.refund.query's answer: refund_status REFUND_SUCCESS is done; a known
 * refund_amount without it is still processing; neither means Alipay never received it (or it
 * failed), so submitting it again (same out_request_no) is safe and gets the final answer.
 */
export function refundQueryResultOf(
  result: GatewayResult,
  outRequestNo: string,
): ChannelRefundResult {
  const method = 'alipay.trade.fastpay.refund.query';
  if (isTradeNotExist(result)) {
    return { status: 'NOT_FOUND', channelRefundNo: null, channelTradeNo: null, refundedAt: null };
  }
  if (result.code !== '10000') {
    const failure = gatewayFailure(method, result);
    throw new ChannelError('CHANNEL.UNAVAILABLE', failure.message, failure.channelReason);
  }
  const tradeNo =
    typeof result.tradeNo === 'string' && result.tradeNo !== '' ? result.tradeNo : null;
  const channelRefundNo = tradeNo ? alipayRefundNoOf(tradeNo, outRequestNo) : null;
  if (result.refundStatus === 'REFUND_SUCCESS') {
    if (!tradeNo) {
      throw new ChannelError('CHANNEL.INVALID_RESPONSE', `${method} answered without trade_no.`);
    }
    const refundedAt =
      (typeof result.gmtRefundPay === 'string' && parseShanghaiDateTime(result.gmtRefundPay)) ||
      null;
    return {
      status: 'SUCCEEDED',
      channelRefundNo,
      channelTradeNo: tradeNo,
      refundedAt: refundedAt ?? new Date(),
    };
  }
  if (yuanToMoney(result.refundAmount)) {
    return { status: 'PROCESSING', channelRefundNo, channelTradeNo: tradeNo, refundedAt: null };
  }
  return { status: 'NOT_FOUND', channelRefundNo: null, channelTradeNo: tradeNo, refundedAt: null };
}
