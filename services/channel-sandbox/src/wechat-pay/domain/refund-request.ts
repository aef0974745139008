import { paramError } from './wechat-pay-error';

/** WeChat Pay's limit on out_refund_no: 1-64 of letters, digits, _ - | * @. */
const OUT_REFUND_NO = /^[A-Za-z0-9_\-|*@]{1,64}$/;

export interface WechatRefundRequest {
  outTradeNo?: string;
  transactionId?: string;
  outRefundNo: string;
  reason: string | null;
  notifyUrl: string | null;
  refundFen: number;
  totalFen: number;
}

/** Validates a POST /v3/refund/domestic/refunds body (申请退款); PARAM_ERROR names the field. */
export function parseRefundRequest(body: unknown): WechatRefundRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw paramError('body', 'must be a JSON object');
  }
  const fields = body as Record<string, unknown>;
  const optionalText = (name: string, max: number): string | undefined => {
    const value = fields[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value === '' || [...value].length > max) {
      throw paramError(name, `must be a string of 1-${max} characters`);
    }
    return value;
  };
  const transactionId = optionalText('transaction_id', 32);
  const outTradeNo = optionalText('out_trade_no', 32);
  if (!transactionId && !outTradeNo) {
    throw paramError('out_trade_no', 'out_trade_no or transaction_id is required');
  }
  const outRefundNo = fields.out_refund_no;
  if (typeof outRefundNo !== 'string' || !OUT_REFUND_NO.test(outRefundNo)) {
    throw paramError('out_refund_no', 'must be 1-64 letters, digits, _ - | * or @');
  }
  const reason = optionalText('reason', 80) ?? null;
  const notifyUrl = optionalText('notify_url', 256) ?? null;
  if (notifyUrl !== null && !/^https?:\/\/[^\s]+$/.test(notifyUrl)) {
    throw paramError('notify_url', 'must be an absolute http(s) URL');
  }
  const amount = fields.amount;
  if (amount === null || typeof amount !== 'object' || Array.isArray(amount)) {
    throw paramError('amount', 'is required: {refund, total, currency}');
  }
  const { refund, total, currency } = amount as Record<string, unknown>;
  const fen = (value: unknown, name: string): number => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
      throw paramError(`amount.${name}`, 'must be a positive integer number of fen');
    }
    return value;
  };
  const refundFen = fen(refund, 'refund');
  const totalFen = fen(total, 'total');
  if (currency !== 'CNY') throw paramError('amount.currency', 'must be CNY');
  return { outTradeNo, transactionId, outRefundNo, reason, notifyUrl, refundFen, totalFen };
}
