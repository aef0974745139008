import { parseRfc3339 } from '../../trades/domain/trade-expiry';
import type { TradeStatus } from '../../alipay/domain/trade';
import { paramError, WechatPayError } from './wechat-pay-error';

/**
 * The rules of a WeChat Pay Native order (Native下单, 扫码支付). Amounts are integer fen.
 *
 * The sandbox keeps one trade lifecycle for every channel in its trades table (WAIT_BUYER_PAY →
 * TRADE_SUCCESS | TRADE_CLOSED) so that paying, faults and statements are shared; WeChat Pay's
 * own trade_state vocabulary is produced here, at the edge.
 */
export type TradeState = 'NOTPAY' | 'SUCCESS' | 'REFUND' | 'CLOSED';

const TRADE_STATES: Readonly<Record<TradeStatus, { state: TradeState; desc: string }>> = {
  WAIT_BUYER_PAY: { state: 'NOTPAY', desc: '未支付' },
  TRADE_SUCCESS: { state: 'SUCCESS', desc: '支付成功' },
  TRADE_CLOSED: { state: 'CLOSED', desc: '已关闭' },
};

/** A paid order with any refund reads REFUND (转入退款), as WeChat Pay reports it. */
export function tradeStateOf(
  status: TradeStatus,
  refundedMinor = 0,
): { state: TradeState; desc: string } {
  if (status === 'TRADE_SUCCESS' && refundedMinor > 0) return { state: 'REFUND', desc: '转入退款' };
  return TRADE_STATES[status];
}

/** WeChat Pay's limit on out_trade_no: 6-32 of letters, digits, _ - | *. */
const OUT_TRADE_NO = /^[A-Za-z0-9_\-|*]{6,32}$/;
/** A single Native payment is capped far above anything a class needs; 1 billion fen. */
export const MAX_TOTAL_FEN = 1_000_000_000;

export interface NativeOrderRequest {
  appid: string;
  mchid: string;
  description: string;
  outTradeNo: string;
  notifyUrl: string;
  totalFen: number;
  attach: string | null;
  /** time_expire (RFC 3339 with offset); null: no deadline given. */
  expiresAt: Date | null;
}

/** Validates a POST /v3/pay/transactions/native body; PARAM_ERROR (400) names the field. */
export function parseNativeOrder(body: unknown): NativeOrderRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw paramError('body', 'must be a JSON object');
  }
  const fields = body as Record<string, unknown>;
  const text = (name: string, max: number): string => {
    const value = fields[name];
    if (typeof value !== 'string' || value.trim() === '') {
      throw paramError(name, 'is required and must be a non-empty string');
    }
    if ([...value].length > max) throw paramError(name, `must be at most ${max} characters`);
    return value;
  };
  const appid = text('appid', 32);
  const mchid = text('mchid', 32);
  const description = text('description', 127);
  const outTradeNo = text('out_trade_no', 32);
  if (!OUT_TRADE_NO.test(outTradeNo)) {
    throw paramError('out_trade_no', 'must be 6-32 letters, digits, _ - | or *');
  }
  const notifyUrl = text('notify_url', 256);
  if (!isHttpUrl(notifyUrl)) throw paramError('notify_url', 'must be an absolute http(s) URL');
  let attach: string | null = null;
  if (fields.attach !== undefined) attach = text('attach', 128);
  const amount = fields.amount;
  if (amount === null || typeof amount !== 'object' || Array.isArray(amount)) {
    throw paramError('amount', 'is required: {total, currency}');
  }
  const { total, currency } = amount as Record<string, unknown>;
  if (typeof total !== 'number' || !Number.isSafeInteger(total) || total < 1) {
    throw paramError('amount.total', 'must be a whole number of fen, at least 1');
  }
  if (total > MAX_TOTAL_FEN) throw paramError('amount.total', `must be at most ${MAX_TOTAL_FEN}`);
  if (currency !== undefined && currency !== 'CNY') {
    throw paramError('amount.currency', 'the sandbox accepts CNY only');
  }
  let expiresAt: Date | null = null;
  if (fields.time_expire !== undefined) {
    expiresAt = typeof fields.time_expire === 'string' ? parseRfc3339(fields.time_expire) : null;
    if (!expiresAt) throw paramError('time_expire', 'must be RFC 3339 with an offset');
  }
  return { appid, mchid, description, outTradeNo, notifyUrl, totalFen: total, attach, expiresAt };
}

export interface ExistingOrder {
  status: TradeStatus;
  amountMinor: number;
  description: string;
}

/**
 * A Native order for an out_trade_no that exists: the same order again gets the same code_url
 * (a merchant's retry is safe); a different one, or one already paid or closed, is refused.
 */
export function nativeOrderAgain(existing: ExistingOrder, request: NativeOrderRequest): void {
  if (existing.status === 'TRADE_SUCCESS') {
    throw new WechatPayError(400, 'ORDERPAID', '该订单已支付');
  }
  if (existing.status === 'TRADE_CLOSED') {
    throw new WechatPayError(400, 'ORDER_CLOSED', '订单已关闭');
  }
  if (existing.amountMinor !== request.totalFen || existing.description !== request.description) {
    throw new WechatPayError(
      400,
      'OUT_TRADE_NO_USED',
      '商户订单号重复: this out_trade_no was ordered with a different amount or description',
    );
  }
}

/** Closing: only an unpaid order; closing a closed one again is harmless and succeeds. */
export function checkClose(status: TradeStatus): 'close' | 'already-closed' {
  if (status === 'TRADE_SUCCESS')
    throw new WechatPayError(400, 'ORDERPAID', '订单已支付，不能关闭');
  return status === 'TRADE_CLOSED' ? 'already-closed' : 'close';
}

/**
 * A 28-digit WeChat Pay style transaction_id (微信支付订单号): '4200000', 3 random digits, the
 * Shanghai date and 10 random digits (e.g. 4200000123202601141234567890).
 */
export function formatTransactionId(compactDate: string, randomDigits: string): string {
  if (!/^\d{8}$/.test(compactDate) || !/^\d{13}$/.test(randomDigits)) {
    throw new RangeError('transaction id parts must be 8 and 13 digits');
  }
  return `4200000${randomDigits.slice(0, 3)}${compactDate}${randomDigits.slice(3)}`;
}

/** RFC 3339 in Shanghai time, as WeChat Pay writes success_time: 2026-01-14T10:34:56+08:00. */
export function formatRfc3339Shanghai(instant: Date): string {
  const shifted = new Date(instant.getTime() + 8 * 60 * 60 * 1000).toISOString();
  return `${shifted.slice(0, 19)}+08:00`;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
