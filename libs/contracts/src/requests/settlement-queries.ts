import { z } from 'zod';
import { businessDate, currencyCode, money, prefixedId, utcTimestamp } from '../events/common';
import { settlementTotals } from '../events/settlement-batches';
import { Topics } from '../topics';
import { defineRequest } from './define-request';

/**
 * What cashier asks settlement so that a merchant can see its money through the Open API. One
 * topic for the four reads; `query` says which. The merchant id always comes from the verified
 * signature, never from the merchant's input, so a merchant can only read its own money.
 */
export const SETTLEMENT_BATCH_STATES = [
  'CREATED',
  'PAYING',
  'PAID',
  'FAILED',
  'CARRIED_FORWARD',
  'SUPERSEDED',
] as const;

export const settlementBatchState = z.enum(SETTLEMENT_BATCH_STATES);

export const merchantBalanceView = z.object({
  merchantId: prefixedId('mch'),
  balances: z.array(
    z.object({
      currency: currencyCode,
      /** Cleared, not yet due (待结算). */
      pending: money,
      /** Due and payable, or carried forward if negative (可结算). */
      available: money,
      /** Held as rolling reserve (滚动保证金). */
      reserved: money,
      /** Sent to the bank, not yet confirmed (在途). */
      inTransit: money,
    }),
  ),
  asOf: utcTimestamp,
});

export const settlementView = z.object({
  id: prefixedId('stb'),
  object: z.literal('settlement'),
  merchantId: prefixedId('mch'),
  settlementDate: businessDate,
  state: settlementBatchState,
  cycle: z.string(),
  itemCount: z.number().int().nonnegative(),
  totals: settlementTotals,
  payout: z
    .object({
      id: prefixedId('po'),
      requestNo: z.string(),
      state: z.enum(['SUBMITTING', 'SENT', 'UNKNOWN', 'PAID', 'FAILED']),
      amount: money,
      bankTxnNo: z.string().nullable(),
      failureCode: z.string().nullable(),
      failureMessage: z.string().nullable(),
    })
    .nullable(),
  failureCode: z.string().nullable(),
  failureMessage: z.string().nullable(),
  createdAt: utcTimestamp,
  paidAt: utcTimestamp.nullable(),
});

export const settlementItemView = z.object({
  kind: z.enum(['PAYMENT', 'REFUND', 'LATE_PAYMENT_RETURN']),
  paymentId: prefixedId('pay'),
  refundId: prefixedId('ref').nullable(),
  transactionId: prefixedId('txn'),
  businessDate,
  occurredAt: utcTimestamp,
  gross: money,
  fee: money,
  refund: money,
  net: money,
});

export const SETTLEMENT_ITEMS_PAGE_LIMIT = 1000;

export const SettlementQuery = defineRequest({
  topic: Topics.settlementQueries.name,
  description:
    "A merchant's balance, settlements, one settlement with items, or its statement file.",
  request: z.discriminatedUnion('query', [
    z.object({ query: z.literal('BALANCE'), merchantId: prefixedId('mch') }),
    z.object({
      query: z.literal('LIST_SETTLEMENTS'),
      merchantId: prefixedId('mch'),
      limit: z.number().int().min(1).max(100),
      /** Opaque cursor from a previous page's nextCursor. */
      cursor: z.string().max(200).optional(),
      state: settlementBatchState.optional(),
      fromDate: businessDate.optional(),
      toDate: businessDate.optional(),
    }),
    z.object({
      query: z.literal('GET_SETTLEMENT'),
      merchantId: prefixedId('mch'),
      settlementId: prefixedId('stb'),
    }),
    z.object({
      query: z.literal('SETTLEMENT_STATEMENT'),
      merchantId: prefixedId('mch'),
      settlementId: prefixedId('stb'),
    }),
  ]),
  response: z.union([
    z.object({ query: z.literal('BALANCE'), balance: merchantBalanceView }),
    z.object({
      query: z.literal('LIST_SETTLEMENTS'),
      data: z.array(settlementView),
      hasMore: z.boolean(),
      nextCursor: z.string().nullable(),
    }),
    z.object({
      query: z.literal('GET_SETTLEMENT'),
      settlement: settlementView.extend({
        /** The first SETTLEMENT_ITEMS_PAGE_LIMIT items; the statement file has them all. */
        items: z.array(settlementItemView),
        itemsTruncated: z.boolean(),
      }),
    }),
    z.object({
      query: z.literal('SETTLEMENT_STATEMENT'),
      fileName: z.string(),
      contentType: z.string(),
      /** UTF-8 CSV text starting with a BOM (U+FEFF). */
      content: z.string(),
    }),
  ]),
});
