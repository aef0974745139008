import { z } from 'zod';
import { defineEvent } from '../define-event';
import { Topics } from '../topics';
import { businessDate, utcTimestamp } from './common';
import { refundFacts } from './refunds';

/** The refund's facts as cashier stated them; refundId is also our out_request_no / out_refund_no. */
const channelRefundFacts = refundFacts;

export const ChannelRefundSucceeded = defineEvent({
  type: 'channel_refund.succeeded',
  version: 1,
  topic: Topics.channelRefunds.name,
  description:
    'The channel confirmed a refund (its synchronous answer, a verified notification or an active query). Published once per refund.',
  schema: z.object({
    ...channelRefundFacts,
    /** The channel's own refund reference (WeChat refund_id; Alipay has none, so its trade_no + out_request_no). */
    channelRefundNo: z.string().min(1).max(64),
    channelTradeNo: z.string().min(1).max(64),
    refundedAt: utcTimestamp,
    businessDate,
    confirmedBy: z.enum(['SYNC_RESPONSE', 'CALLBACK', 'ACTIVE_QUERY']),
  }),
  keyOf: (payload) => payload.paymentId,
});

export const ChannelRefundFailed = defineEvent({
  type: 'channel_refund.failed',
  version: 1,
  topic: Topics.channelRefunds.name,
  description:
    'The channel refused a refund for good (e.g. insufficient balance, trade not refundable, REFUND.ABNORMAL).',
  schema: z.object({
    ...channelRefundFacts,
    failureCode: z.string().min(1).max(64),
    failureMessage: z.string().max(512),
    failedAt: utcTimestamp,
  }),
  keyOf: (payload) => payload.paymentId,
});
