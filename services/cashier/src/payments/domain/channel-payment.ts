import { DomainError } from '../../shared/domain-error';
import type { ChannelCode, PaymentOrder, PaymentOrderTransitionResult } from './payment-order';

/** What a channel confirmed (acquiring's ChannelPaymentSucceeded, in domain terms). */
export interface ConfirmedChannelPayment {
  transactionId: string;
  paymentId: string;
  merchantId: string;
  channel: ChannelCode;
  channelAccountId?: string;
  amountMinor: number;
  currency: string;
  paidAt: Date;
}

/**
 * Why money reached the channel for an order that cannot take it (到账但订单已关闭/已失败/重复支付).
 * The payer has paid, so the money is real: it is recorded as a late payment for a refund, never
 * turned into a success the merchant does not expect.
 */
export type LatePaymentReason = 'ORDER_CLOSED' | 'ORDER_FAILED' | 'PAID_TWICE';

export type ChannelPaymentDecision =
  /** The order moves to SUCCEEDED; store it and publish the event. */
  | { kind: 'succeeded'; transition: PaymentOrderTransitionResult & { changed: true } }
  /** The same transaction again (a re-published event): nothing to do. */
  | { kind: 'duplicate' }
  /** Real money the order cannot take: record it for a refund. */
  | { kind: 'late'; reason: LatePaymentReason }
  /**
   * The event contradicts the order (another merchant, another amount, another channel): no
   * automatic action is safe, an operator must look. `code` is stable, `message` explains.
   */
  | { kind: 'rejected'; code: string; message: string };

/**
 * Applies a confirmed channel payment to its order (step 5 of the payment walkthrough). Pure: the caller loads the
 * order under a row lock and stores whatever this decides in the same transaction.
 */
export function applyChannelPayment(
  order: PaymentOrder,
  payment: ConfirmedChannelPayment,
  now: Date,
): ChannelPaymentDecision {
  if (order.id !== payment.paymentId) {
    throw new Error(`applyChannelPayment: ${payment.paymentId} applied to ${order.id}`);
  }
  if (order.merchantId !== payment.merchantId) {
    return {
      kind: 'rejected',
      code: 'CASHIER.MERCHANT_MISMATCH',
      message: `payment ${order.id} belongs to ${order.merchantId} but ${payment.transactionId} names ${payment.merchantId}`,
    };
  }
  if (
    order.amount.amountMinor !== payment.amountMinor ||
    order.amount.currency !== payment.currency
  ) {
    return {
      kind: 'rejected',
      code: 'CASHIER.AMOUNT_MISMATCH',
      message: `payment ${order.id} is for ${order.amount.amountMinor} ${order.amount.currency} but ${payment.transactionId} paid ${payment.amountMinor} ${payment.currency}`,
    };
  }
  switch (order.state) {
    case 'SUCCEEDED':
      return order.transactionId === payment.transactionId
        ? { kind: 'duplicate' }
        : { kind: 'late', reason: 'PAID_TWICE' };
    case 'CLOSED':
      return { kind: 'late', reason: 'ORDER_CLOSED' };
    case 'FAILED':
      return { kind: 'late', reason: 'ORDER_FAILED' };
    case 'CREATED':
    case 'PROCESSING':
      break;
  }
  try {
    const transition = order.markSucceeded(
      {
        transactionId: payment.transactionId,
        paidAt: payment.paidAt,
        channel: payment.channel,
        channelAccountId: payment.channelAccountId,
      },
      now,
    );
    if (!transition.changed) return { kind: 'duplicate' };
    return { kind: 'succeeded', transition };
  } catch (error) {
    if (error instanceof DomainError) {
      return { kind: 'rejected', code: error.code, message: error.message };
    }
    throw error;
  }
}
