/**
 * The chapters of a payment's ledger story (一笔支付的账务故事): what each journal entry about the
 * payment, or about the settlement batch and payouts that took its money, did. Read from the
 * entry's references and which accounts it moved, so no entry needs to carry a "kind" column.
 */
export type LedgerStoryKind =
  | 'CLEARING'
  | 'REFUND'
  | 'LATE_PAYMENT_SUSPENSE'
  | 'LATE_PAYMENT_RETURN'
  | 'SETTLEMENT_BATCH'
  | 'RESERVE_RELEASE'
  | 'PAYOUT_SENT'
  | 'PAYOUT_PAID'
  | 'PAYOUT_FAILED'
  | 'OTHER';

export interface StoryLine {
  readonly account: string;
  readonly side: 'DEBIT' | 'CREDIT';
}

const codeOf = (account: string) => account.split(':', 1)[0];

export function classifyStoryEntry(
  references: Readonly<Record<string, unknown>>,
  lines: readonly StoryLine[],
): LedgerStoryKind {
  const moves = (side: StoryLine['side'], code: string) =>
    lines.some((line) => line.side === side && codeOf(line.account) === code);
  const has = (key: string) => typeof references[key] === 'string';

  if (has('payoutId')) {
    // Bank confirmed: DR in transit, CR bank. Refused: DR in transit, CR available. Sent: DR
    // available, CR in transit.
    if (moves('CREDIT', 'PLATFORM_BANK')) return 'PAYOUT_PAID';
    if (moves('DEBIT', 'MERCHANT_PAYABLE_IN_TRANSIT')) return 'PAYOUT_FAILED';
    if (moves('CREDIT', 'MERCHANT_PAYABLE_IN_TRANSIT')) return 'PAYOUT_SENT';
    return 'OTHER';
  }
  if (has('batchId') || has('reserveHoldId')) {
    if (moves('DEBIT', 'MERCHANT_RESERVE') && !moves('DEBIT', 'MERCHANT_PAYABLE_PENDING')) {
      return 'RESERVE_RELEASE';
    }
    return 'SETTLEMENT_BATCH';
  }
  if (moves('CREDIT', 'LATE_PAYMENT_SUSPENSE')) return 'LATE_PAYMENT_SUSPENSE';
  if (moves('DEBIT', 'LATE_PAYMENT_SUSPENSE')) return 'LATE_PAYMENT_RETURN';
  if (has('refundId') && moves('DEBIT', 'MERCHANT_PAYABLE_PENDING')) return 'REFUND';
  if (has('refundId') && moves('CREDIT', 'CHANNEL_RECEIVABLE')) return 'REFUND';
  if (moves('CREDIT', 'MERCHANT_PAYABLE_PENDING')) return 'CLEARING';
  return 'OTHER';
}
