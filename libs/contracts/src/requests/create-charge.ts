import { z } from 'zod';
import { channelCode, currencyCode, prefixedId, utcTimestamp } from '../events/common';
import { Topics } from '../topics';
import { defineRequest } from './define-request';

export const CreateCharge = defineRequest({
  topic: Topics.chargeRequests.name,
  description:
    'Ask acquiring for payment credentials (a QR payload) at the chosen channel; the payer is waiting at checkout.',
  request: z.object({
    paymentId: prefixedId('pay'),
    merchantId: prefixedId('mch'),
    channel: channelCode,
    channelAccountId: z.string().min(1),
    amount: z.object({ amountMinor: z.number().int().safe().positive(), currency: currencyCode }),
    subject: z.string().min(1).max(256),
    expiresAt: utcTimestamp,
  }),
  response: z.object({
    transactionId: prefixedId('txn'),
    channel: channelCode,
    qrPayload: z.string().min(1),
  }),
});
