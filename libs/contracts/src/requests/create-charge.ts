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

/**
 * Close the channel trade of a payment (关单) before cashier closes the order, so that the QR the
 * payer holds can no longer be paid. The merchant waits on the answer. A trade that was never
 * created is NOT_CHARGED; one already paid is refused with CHANNEL.TRADE_ALREADY_PAID, and the
 * order must then not be closed: the payment is on its way.
 */
export const CloseCharge = defineRequest({
  topic: Topics.closeChargeRequests.name,
  description: "Close a payment's channel trade before its order is closed (merchant close).",
  request: z.object({
    paymentId: prefixedId('pay'),
    merchantId: prefixedId('mch'),
  }),
  response: z.object({
    outcome: z.enum(['CLOSED', 'NOT_CHARGED']),
    transactionId: prefixedId('txn').nullable(),
  }),
});
