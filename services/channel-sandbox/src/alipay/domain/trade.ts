import { Money, MoneyError } from '@paylab/money';
import { parseShanghaiWallClock } from '../../trades/domain/trade-expiry';
import { GatewayError, invalidParameter } from './gateway-error';

/**
 * The rules of a sandbox Alipay trade (交易): what a precreate may create, and which status
 * changes are allowed. WAIT_BUYER_PAY → TRADE_SUCCESS (paid) or TRADE_CLOSED (closed unpaid).
 */
export type TradeStatus = 'WAIT_BUYER_PAY' | 'TRADE_SUCCESS' | 'TRADE_CLOSED';

/** Alipay's per-trade limit for total_amount: 0.01 – 100000000.00 yuan. */
export const MAX_TOTAL_AMOUNT_FEN = 10_000_000_000;

const OUT_TRADE_NO = /^[A-Za-z0-9_-]{1,64}$/;

export interface PrecreateRequest {
  outTradeNo: string;
  amountMinor: number;
  subject: string;
  /** time_expire (absolute, Shanghai wall clock); null: no deadline given. */
  expiresAt: Date | null;
}

/** Validates precreate's biz_content (amounts are yuan strings such as "0.01"). */
export function parsePrecreate(biz: Readonly<Record<string, unknown>>): PrecreateRequest {
  const { out_trade_no: outTradeNo, total_amount: totalAmount, subject } = biz;
  if (typeof outTradeNo !== 'string' || !OUT_TRADE_NO.test(outTradeNo)) {
    throw invalidParameter('out_trade_no must be 1-64 letters, digits, _ or -');
  }
  if (typeof subject !== 'string' || subject.trim() === '' || subject.length > 256) {
    throw invalidParameter('subject must be 1-256 characters');
  }
  if (typeof totalAmount !== 'string' && typeof totalAmount !== 'number') {
    throw invalidParameter('total_amount is required, in yuan, e.g. "0.01"');
  }
  let amountMinor: number;
  try {
    amountMinor = Money.fromDecimalString(String(totalAmount), 'CNY').amountMinor;
  } catch (error) {
    if (error instanceof MoneyError) {
      throw invalidParameter(
        `total_amount ${String(totalAmount)} is not a yuan amount with at most 2 decimals`,
      );
    }
    throw error;
  }
  if (amountMinor <= 0) throw invalidParameter('total_amount must be at least 0.01');
  if (amountMinor > MAX_TOTAL_AMOUNT_FEN) {
    throw new GatewayError('40004', 'ACQ.TOTAL_FEE_EXCEED', 'total_amount exceeds 100000000.00');
  }
  let expiresAt: Date | null = null;
  if (biz.time_expire !== undefined) {
    expiresAt =
      typeof biz.time_expire === 'string' ? parseShanghaiWallClock(biz.time_expire) : null;
    if (!expiresAt) throw invalidParameter('time_expire must be "yyyy-MM-dd HH:mm:ss"');
  }
  return { outTradeNo, amountMinor, subject, expiresAt };
}

export interface ExistingTrade {
  status: TradeStatus;
  amountMinor: number;
  subject: string;
}

/**
 * A precreate for an out_trade_no that already exists: the same order again gets the same QR
 * (a merchant's retry is safe); a different amount or subject is refused, as is an order that
 * is already paid or closed.
 */
export function precreateAgain(existing: ExistingTrade, request: PrecreateRequest): void {
  if (existing.status === 'TRADE_SUCCESS') {
    throw new GatewayError('40004', 'ACQ.TRADE_HAS_SUCCESS', '交易已被支付 (already paid)');
  }
  if (existing.status === 'TRADE_CLOSED') {
    throw new GatewayError('40004', 'ACQ.TRADE_HAS_CLOSE', '交易已经关闭 (already closed)');
  }
  if (existing.amountMinor !== request.amountMinor || existing.subject !== request.subject) {
    throw new GatewayError(
      '40004',
      'ACQ.CONTEXT_INCONSISTENT',
      '交易信息被篡改: this out_trade_no was created with a different amount or subject',
    );
  }
}

/** out_trade_no or trade_no, as query and close accept. */
export function parseTradeReference(biz: Readonly<Record<string, unknown>>): {
  outTradeNo?: string;
  tradeNo?: string;
} {
  const outTradeNo = typeof biz.out_trade_no === 'string' ? biz.out_trade_no : undefined;
  const tradeNo = typeof biz.trade_no === 'string' ? biz.trade_no : undefined;
  if (!outTradeNo && !tradeNo) throw invalidParameter('out_trade_no or trade_no is required');
  return { outTradeNo, tradeNo };
}

/** Closing: only an unpaid trade; closing a closed one again is harmless and succeeds. */
export function checkClose(status: TradeStatus): 'close' | 'already-closed' {
  if (status === 'TRADE_SUCCESS') {
    throw new GatewayError('40004', 'ACQ.TRADE_STATUS_ERROR', '交易状态不合法: the trade is paid');
  }
  return status === 'TRADE_CLOSED' ? 'already-closed' : 'close';
}

/**
 * A 28-digit Alipay-style trade number: the Shanghai date, '2200' and 16 random digits
 * (e.g. 2026011422001412345678901234).
 */
export function formatTradeNo(compactDate: string, randomDigits: string): string {
  if (!/^\d{8}$/.test(compactDate) || !/^\d{16}$/.test(randomDigits)) {
    throw new RangeError('trade number parts must be 8 and 16 digits');
  }
  return `${compactDate}2200${randomDigits}`;
}

const OUT_REQUEST_NO = /^[A-Za-z0-9_-]{1,64}$/;

export interface RefundRequest {
  reference: { outTradeNo?: string; tradeNo?: string };
  /** null: the trade's out_trade_no, as Alipay defaults it for a single full refund. */
  outRequestNo: string | null;
  amountMinor: number;
  reason: string | null;
}

/** Validates alipay.trade.refund's biz_content (refund_amount in yuan). */
export function parseRefund(biz: Readonly<Record<string, unknown>>): RefundRequest {
  const reference = parseTradeReference(biz);
  const { out_request_no: outRequestNo, refund_amount: refundAmount, refund_reason: reason } = biz;
  if (
    outRequestNo !== undefined &&
    (typeof outRequestNo !== 'string' || !OUT_REQUEST_NO.test(outRequestNo))
  ) {
    throw invalidParameter('out_request_no must be 1-64 letters, digits, _ or -');
  }
  if (reason !== undefined && (typeof reason !== 'string' || reason.length > 256)) {
    throw invalidParameter('refund_reason must be at most 256 characters');
  }
  if (typeof refundAmount !== 'string' && typeof refundAmount !== 'number') {
    throw invalidParameter('refund_amount is required, in yuan, e.g. "0.01"');
  }
  let amountMinor: number;
  try {
    amountMinor = Money.fromDecimalString(String(refundAmount), 'CNY').amountMinor;
  } catch (error) {
    if (error instanceof MoneyError) {
      throw invalidParameter(`refund_amount ${String(refundAmount)} is not a yuan amount`);
    }
    throw error;
  }
  if (amountMinor <= 0) throw invalidParameter('refund_amount must be at least 0.01');
  return {
    reference,
    outRequestNo: (outRequestNo as string | undefined) ?? null,
    amountMinor,
    reason: (reason as string | undefined) ?? null,
  };
}

/** Validates alipay.trade.fastpay.refund.query's biz_content: the trade and out_request_no. */
export function parseRefundQuery(biz: Readonly<Record<string, unknown>>): {
  reference: { outTradeNo?: string; tradeNo?: string };
  outRequestNo: string;
} {
  const reference = parseTradeReference(biz);
  const outRequestNo = biz.out_request_no;
  if (typeof outRequestNo !== 'string' || !OUT_REQUEST_NO.test(outRequestNo)) {
    throw invalidParameter('out_request_no is required: 1-64 letters, digits, _ or -');
  }
  return { reference, outRequestNo };
}
