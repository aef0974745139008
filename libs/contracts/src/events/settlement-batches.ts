import { z } from 'zod';
import { defineEvent } from '../define-event';
import { Topics } from '../topics';
import { businessDate, money, prefixedId, utcTimestamp } from './common';

/** A batch's totals (结算汇总), all in the batch currency; net = what is (or would be) paid. */
export const settlementTotals = z.object({
  /** Payments in the batch, before fees. */
  gross: money,
  /** Merchant fees charged, less fees returned on refunds. */
  fees: money,
  /** Refunds deducted (as a positive amount). */
  refunds: money,
  /** The items' effect on what we owe: gross − fees − refunds (+ fee refunds). */
  itemsNet: money,
  reserveHeld: money,
  reserveReleased: money,
  /** The available balance the batch started from: a negative net carried forward, a failed payout. */
  carriedIn: money,
  /** carriedIn + itemsNet − reserveHeld + reserveReleased. */
  net: money,
});

const batchFacts = {
  batchId: prefixedId('stb'),
  merchantId: prefixedId('mch'),
  settlementDate: businessDate,
  itemCount: z.number().int().nonnegative(),
  totals: settlementTotals,
  occurredAt: utcTimestamp,
};

export const SettlementBatchCreated = defineEvent({
  type: 'settlement.batch_created',
  version: 1,
  topic: Topics.settlementBatches.name,
  description:
    "End of day built a merchant's settlement batch (结算批次): due items moved from pending to available.",
  schema: z.object({ ...batchFacts, state: z.enum(['CREATED', 'CARRIED_FORWARD']) }),
  keyOf: (payload) => payload.merchantId,
});

export const SettlementBatchPaid = defineEvent({
  type: 'settlement.batch_paid',
  version: 1,
  topic: Topics.settlementBatches.name,
  description: "The bank confirmed a batch's payout (代付成功): the money reached the merchant.",
  schema: z.object({
    ...batchFacts,
    payoutId: prefixedId('po'),
    payoutRequestNo: z.string().min(1),
    bankTxnNo: z.string().min(1),
    amount: money,
    paidAt: utcTimestamp,
  }),
  keyOf: (payload) => payload.merchantId,
});

export const SettlementBatchFailed = defineEvent({
  type: 'settlement.batch_failed',
  version: 1,
  topic: Topics.settlementBatches.name,
  description:
    "A batch's payout failed (代付失败): the money is back in the merchant's available balance " +
    'and is paid by the next batch or an operator retry.',
  schema: z.object({
    ...batchFacts,
    payoutId: prefixedId('po').nullable(),
    amount: money,
    failureCode: z.string().min(1),
    failureMessage: z.string(),
  }),
  keyOf: (payload) => payload.merchantId,
});
