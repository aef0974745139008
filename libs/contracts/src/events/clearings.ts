import { z } from 'zod';
import { defineEvent } from '../define-event';
import { Topics } from '../topics';
import { money, prefixedId, utcTimestamp } from './common';

export const PaymentCleared = defineEvent({
  type: 'clearing.payment_cleared',
  version: 1,
  topic: Topics.clearings.name,
  description:
    'Settlement cleared a payment (清分): merchant fee, channel cost and platform margin posted to the ledger.',
  schema: z.object({
    clearingId: prefixedId('clr'),
    paymentId: prefixedId('pay'),
    transactionId: prefixedId('txn'),
    merchantId: prefixedId('mch'),
    gross: money,
    merchantFee: money,
    channelCost: money,
    platformMargin: money,
    merchantNet: money,
    clearedAt: utcTimestamp,
  }),
  keyOf: (payload) => payload.paymentId,
});
