import { z } from 'zod';
import { defineEvent } from '../define-event';
import { Topics } from '../topics';
import { channelAccountId } from './channel-payments';
import { businessDate, channelCode, money, prefixedId, utcTimestamp } from './common';

export const PaymentOrderCreated = defineEvent({
  type: 'payment_order.created',
  version: 1,
  topic: Topics.paymentOrders.name,
  description: 'A merchant created a payment order (CREATED).',
  schema: z.object({
    paymentId: prefixedId('pay'),
    merchantId: prefixedId('mch'),
    merchantOrderNo: z.string().min(1).max(64),
    amount: money,
    subject: z.string().min(1).max(256),
    expiresAt: utcTimestamp,
    createdAt: utcTimestamp,
  }),
  keyOf: (payload) => payload.paymentId,
});

export const PaymentOrderSucceeded = defineEvent({
  type: 'payment_order.succeeded',
  version: 1,
  topic: Topics.paymentOrders.name,
  description: 'The order was paid (SUCCEEDED); the merchant is notified.',
  schema: z.object({
    paymentId: prefixedId('pay'),
    merchantId: prefixedId('mch'),
    amount: money,
    transactionId: prefixedId('txn'),
    succeededAt: utcTimestamp,
  }),
  keyOf: (payload) => payload.paymentId,
});

export const PaymentOrderClosed = defineEvent({
  type: 'payment_order.closed',
  version: 1,
  topic: Topics.paymentOrders.name,
  description: 'The order was closed unpaid, by the merchant or on expiry (CLOSED).',
  schema: z.object({
    paymentId: prefixedId('pay'),
    merchantId: prefixedId('mch'),
    reason: z.enum(['MERCHANT_REQUEST', 'EXPIRED']),
    closedAt: utcTimestamp,
  }),
  keyOf: (payload) => payload.paymentId,
});

export const PaymentOrderProcessing = defineEvent({
  type: 'payment_order.processing',
  version: 1,
  topic: Topics.paymentOrders.name,
  description: 'The payer chose a method and a channel charge was requested (PROCESSING).',
  schema: z.object({
    paymentId: prefixedId('pay'),
    merchantId: prefixedId('mch'),
    channel: z.enum(['ALIPAY', 'WECHAT_PAY', 'UNIONPAY']),
    startedAt: utcTimestamp,
  }),
  keyOf: (payload) => payload.paymentId,
});

export const PaymentOrderFailed = defineEvent({
  type: 'payment_order.failed',
  version: 1,
  topic: Topics.paymentOrders.name,
  description: 'The channel reported the payment failed (FAILED).',
  schema: z.object({
    paymentId: prefixedId('pay'),
    merchantId: prefixedId('mch'),
    failureCode: z.string().min(1).max(64),
    failedAt: utcTimestamp,
  }),
  keyOf: (payload) => payload.paymentId,
});

/** The channel facts settlement clears with, carried on cashier's verdicts about a payment. */
const channelFacts = {
  transactionId: prefixedId('txn'),
  channel: channelCode,
  channelAccountId: channelAccountId.optional(),
  channelTradeNo: z.string().min(1).max(64),
  paidAt: utcTimestamp,
  businessDate,
};

/**
 * v2 carries the channel facts, so that settlement clears from cashier's verdict (this order was
 * paid and the merchant is owed) rather than from the channel's report alone: a payment for a
 * closed order must never reach the merchant's balance.
 */
export const PaymentOrderSucceededV2 = defineEvent({
  type: 'payment_order.succeeded',
  version: 2,
  topic: Topics.paymentOrders.name,
  description:
    'The order was paid (SUCCEEDED), with the channel facts settlement clears it with; the merchant is notified.',
  schema: z.object({
    paymentId: prefixedId('pay'),
    merchantId: prefixedId('mch'),
    amount: money,
    succeededAt: utcTimestamp,
    ...channelFacts,
  }),
  keyOf: (payload) => payload.paymentId,
});

export const LatePaymentRecorded = defineEvent({
  type: 'late_payment.recorded',
  version: 1,
  topic: Topics.paymentOrders.name,
  description:
    'Money arrived for an order that cannot take it (closed, failed or already paid): held in suspense and returned to the payer by refund refundId, never credited to the merchant.',
  schema: z.object({
    paymentId: prefixedId('pay'),
    merchantId: prefixedId('mch'),
    amount: money,
    reason: z.enum(['ORDER_CLOSED', 'ORDER_FAILED', 'PAID_TWICE']),
    refundId: prefixedId('ref'),
    recordedAt: utcTimestamp,
    ...channelFacts,
  }),
  keyOf: (payload) => payload.paymentId,
});
