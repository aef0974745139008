import { z } from 'zod';
import { defineEvent } from '../define-event';
import { Topics } from '../topics';
import { channelAccountId } from './channel-payments';
import { businessDate, channelCode, money, prefixedId, utcTimestamp } from './common';

/**
 * Why money goes back to a payer:
 * - MERCHANT_REFUND: the merchant asked for it (退款), up to what was paid;
 * - LATE_PAYMENT_RETURN: the payer paid an order that was already closed, expired or paid
 *   (迟到支付退回); the platform returns it on its own and the merchant is never credited.
 */
export const refundKind = z.enum(['MERCHANT_REFUND', 'LATE_PAYMENT_RETURN']);

/** The facts every refund event carries, cashier's and the channel's. */
export const refundFacts = {
  refundId: prefixedId('ref'),
  paymentId: prefixedId('pay'),
  merchantId: prefixedId('mch'),
  /** The channel transaction being refunded (acquiring's txn_ id). */
  transactionId: prefixedId('txn'),
  kind: refundKind,
  channel: channelCode,
  /** Routing's channel account the payment was taken on (cha_…); absent for old payments. */
  channelAccountId: channelAccountId.optional(),
  amount: money,
};

export const RefundRequested = defineEvent({
  type: 'refund.requested',
  version: 1,
  topic: Topics.refunds.name,
  description:
    'Cashier accepted a refund (PENDING) and asks acquiring to carry it out at the channel.',
  schema: z.object({
    ...refundFacts,
    /** What the payer paid for the whole payment, which the channel refund API wants too. */
    paymentAmount: money,
    reason: z.string().max(256).optional(),
    requestedAt: utcTimestamp,
  }),
  keyOf: (payload) => payload.paymentId,
});

export const RefundSucceeded = defineEvent({
  type: 'refund.succeeded',
  version: 1,
  topic: Topics.refunds.name,
  description:
    'The refund reached the payer (SUCCEEDED): settlement reverses the money, the merchant is notified.',
  schema: z.object({
    ...refundFacts,
    channelRefundNo: z.string().min(1).max(64),
    succeededAt: utcTimestamp,
    businessDate,
  }),
  keyOf: (payload) => payload.paymentId,
});

export const RefundFailed = defineEvent({
  type: 'refund.failed',
  version: 1,
  topic: Topics.refunds.name,
  description: 'The channel refused the refund for good (FAILED); no money moved.',
  schema: z.object({
    ...refundFacts,
    failureCode: z.string().min(1).max(64),
    failureMessage: z.string().max(512),
    failedAt: utcTimestamp,
  }),
  keyOf: (payload) => payload.paymentId,
});
