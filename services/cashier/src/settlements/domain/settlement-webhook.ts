import type { PayloadOf, SettlementBatchFailed, SettlementBatchPaid } from '@paylab/contracts';

/**
 * The `data` of the settlement.paid and settlement.failed webhooks: the settlement as the event
 * reported it (id, settlement date, totals) and what happened to its payout (代付): the amount
 * and the bank's transaction number when paid, the failure code and message when not. Built from
 * the event alone, so the body is frozen when the event arrives and every retry sends it unchanged.
 */
export interface SettlementWebhookData {
  id: string;
  object: 'settlement';
  merchantId: string;
  settlementDate: string;
  state: 'PAID' | 'FAILED';
  itemCount: number;
  totals: PayloadOf<typeof SettlementBatchPaid>['totals'];
  payout: {
    id: string | null;
    requestNo: string | null;
    amount: { amountMinor: number; currency: string };
    bankTxnNo: string | null;
    failureCode: string | null;
    failureMessage: string | null;
  };
  paidAt: string | null;
  occurredAt: string;
}

export type SettlementWebhookType = 'settlement.paid' | 'settlement.failed';

export function paidSettlementWebhook(
  event: PayloadOf<typeof SettlementBatchPaid>,
): SettlementWebhookData {
  return {
    id: event.batchId,
    object: 'settlement',
    merchantId: event.merchantId,
    settlementDate: event.settlementDate,
    state: 'PAID',
    itemCount: event.itemCount,
    totals: event.totals,
    payout: {
      id: event.payoutId,
      requestNo: event.payoutRequestNo,
      amount: event.amount,
      bankTxnNo: event.bankTxnNo,
      failureCode: null,
      failureMessage: null,
    },
    paidAt: event.paidAt,
    occurredAt: event.occurredAt,
  };
}

export function failedSettlementWebhook(
  event: PayloadOf<typeof SettlementBatchFailed>,
): SettlementWebhookData {
  return {
    id: event.batchId,
    object: 'settlement',
    merchantId: event.merchantId,
    settlementDate: event.settlementDate,
    state: 'FAILED',
    itemCount: event.itemCount,
    totals: event.totals,
    payout: {
      id: event.payoutId,
      requestNo: null,
      amount: event.amount,
      bankTxnNo: null,
      failureCode: event.failureCode,
      failureMessage: event.failureMessage,
    },
    paidAt: null,
    occurredAt: event.occurredAt,
  };
}
