/**
 * The rules of a sandbox refund (退款), the same for every channel: what may be refunded, what
 * a repeated request gets, and what state a refund is in at a given moment. Each channel turns a
 * refusal into its own error (Alipay sub_code, WeChat Pay code).
 */

/** How a refund ends; decided when the channel accepts it (a REFUND_FAILS fault: ABNORMAL). */
export type RefundOutcome = 'SUCCESS' | 'ABNORMAL';
/** A refund as the channel reports it at a moment: PROCESSING until its outcome is due. */
export type RefundState = 'PROCESSING' | RefundOutcome;

/**
 * Why a refund request is refused:
 * - TRADE_NOT_EXIST: no such trade for this merchant;
 * - TRADE_NOT_PAID: the trade was never paid (or is closed unpaid);
 * - AMOUNT_EXCEEDS: with what is already refunded it would exceed what was paid;
 * - TOTAL_MISMATCH: WeChat Pay's amount.total is not the order's amount;
 * - REQUEST_MISMATCH: the refund reference was used before for another trade or amount;
 * - REFUSED_BY_FAULT: the instructor staged REFUND_FAILS (a channel that refuses synchronously).
 */
export type RefundRefusal =
  | 'TRADE_NOT_EXIST'
  | 'TRADE_NOT_PAID'
  | 'AMOUNT_EXCEEDS'
  | 'TOTAL_MISMATCH'
  | 'REQUEST_MISMATCH'
  | 'REFUSED_BY_FAULT';

export class RefundRefused extends Error {
  constructor(
    readonly refusal: RefundRefusal,
    message: string,
  ) {
    super(message);
    this.name = 'RefundRefused';
  }
}

export interface RefundableTrade {
  status: 'WAIT_BUYER_PAY' | 'TRADE_SUCCESS' | 'TRADE_CLOSED';
  amountMinor: number;
  refundedMinor: number;
}

/** A new refund of `amountMinor` from the trade; throws RefundRefused. */
export function checkNewRefund(trade: RefundableTrade, amountMinor: number): void {
  if (!Number.isSafeInteger(amountMinor) || amountMinor <= 0) {
    throw new RefundRefused('AMOUNT_EXCEEDS', 'the refund amount must be a positive whole fen');
  }
  if (trade.status !== 'TRADE_SUCCESS') {
    throw new RefundRefused('TRADE_NOT_PAID', 'the trade is not paid, so nothing can be refunded');
  }
  if (trade.refundedMinor + amountMinor > trade.amountMinor) {
    throw new RefundRefused(
      'AMOUNT_EXCEEDS',
      `refunding ${amountMinor} fen after ${trade.refundedMinor} of ${trade.amountMinor} would exceed what was paid`,
    );
  }
}

/**
 * A request whose refund reference already exists: the same trade and amount get the refund as
 * it stands (a merchant's retry is safe and never refunds twice); anything else is refused.
 */
export function checkRefundReplay(
  existing: { tradeNo: string; amountMinor: number },
  request: { tradeNo: string; amountMinor: number },
): void {
  if (existing.tradeNo !== request.tradeNo || existing.amountMinor !== request.amountMinor) {
    throw new RefundRefused(
      'REQUEST_MISMATCH',
      'this refund request number was used before with another trade or amount',
    );
  }
}

/** The refund's state at `now`. */
export function refundStateAt(
  refund: { outcome: RefundOutcome; completesAt: Date },
  now: Date,
): RefundState {
  return refund.completesAt.getTime() <= now.getTime() ? refund.outcome : 'PROCESSING';
}

/** Whether everything paid has been refunded (Alipay then reports the trade TRADE_CLOSED). */
export function isFullyRefunded(trade: RefundableTrade): boolean {
  return trade.status === 'TRADE_SUCCESS' && trade.refundedMinor >= trade.amountMinor;
}
