import { z } from 'zod';
import { defineEvent } from '../define-event';
import { Topics } from '../topics';
import { businessDate, channelCode, money, prefixedId, utcTimestamp } from './common';

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
    channelTradeNo: z.string().min(1).max(64),
    amount: money,
    paidAt: utcTimestamp,
    businessDate,
    confirmedBy: z.enum(['CALLBACK', 'ACTIVE_QUERY']),
  }),
  keyOf: (payload) => payload.paymentId,
});
