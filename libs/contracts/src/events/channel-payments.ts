import { z } from 'zod';
import { defineEvent } from '../define-event';
import { Topics } from '../topics';
import { businessDate, channelCode, money, prefixedId, utcTimestamp } from './common';

/** Routing's channel account (cha_…) the charge was made on; absent on events from before accounts travelled. */
export const channelAccountId = z.string().min(1).max(64);

export const ChannelPaymentSucceeded = defineEvent({
  type: 'channel_payment.succeeded',
  version: 1,
  topic: Topics.channelPayments.name,
  description:
    'The channel confirmed a payment, by verified callback or active query (主动查询). Published once per transaction.',
  schema: z.object({
    transactionId: prefixedId('txn'),
    paymentId: prefixedId('pay'),
    merchantId: prefixedId('mch'),
    channel: channelCode,
    channelAccountId: channelAccountId.optional(),
    channelTradeNo: z.string().min(1).max(64),
    amount: money,
    paidAt: utcTimestamp,
    businessDate,
    confirmedBy: z.enum(['CALLBACK', 'ACTIVE_QUERY']),
  }),
  keyOf: (payload) => payload.paymentId,
});

export const ChannelPaymentClosed = defineEvent({
  type: 'channel_payment.closed',
  version: 1,
  topic: Topics.channelPayments.name,
  description:
    'Acquiring closed an unpaid channel trade at the channel: at its deadline (EXPIRED) or because cashier asked (CLOSE_REQUESTED). The QR can no longer be paid.',
  schema: z.object({
    transactionId: prefixedId('txn'),
    paymentId: prefixedId('pay'),
    merchantId: prefixedId('mch'),
    channel: channelCode,
    channelAccountId: channelAccountId.optional(),
    reason: z.enum(['EXPIRED', 'CLOSE_REQUESTED']),
    closedAt: utcTimestamp,
  }),
  keyOf: (payload) => payload.paymentId,
});
