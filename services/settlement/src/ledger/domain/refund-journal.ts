import { isId } from '@paylab/ids';
import { Money } from '@paylab/money';
import { ledgerAccount } from './accounts';
import type { JournalOptions } from './clearing-journal';
import { JournalEntry, JournalLineInput, postJournal } from './journal';
import { LedgerError } from './ledger-error';

/** The amounts of one refund clearing as they are booked (after the refund fee policy). */
export interface RefundJournalAmounts {
  /** `clr_…` of the refund clearing. */
  readonly clearingId: string;
  /** What goes back to the payer. */
  readonly refundAmount: Money;
  /** Merchant fee given back to the merchant (0 when the fee is kept). */
  readonly merchantFeeRefund: Money;
  /** Channel cost the channel gives back to us. */
  readonly channelCostRefund: Money;
}

export interface RefundReferences {
  /** `ref_…` */
  readonly refundId: string;
  /** `pay_…` */
  readonly paymentId: string;
  /** `mch_…`: whose pending payable is debited. */
  readonly merchantId: string;
  /** Channel code: which channel pays the refund out of what it owes us. */
  readonly channel: string;
}

export interface LatePaymentReferences {
  /** `txn_…`: the channel transaction that paid late. */
  readonly transactionId: string;
  readonly paymentId: string;
  readonly merchantId: string;
  readonly channel: string;
  /** `ref_…`: the refund that returns it to the payer. */
  readonly refundId: string;
}

/**
 * The journal entry for a merchant refund (退款清分), the payment clearing run backwards:
 *
 *     Dr MERCHANT_PAYABLE_PENDING:<mch>    refund − merchantFeeRefund   the merchant bears the refund,
 *                                                                       less the fee it gets back
 *     Dr FEE_REVENUE                       merchantFeeRefund            fee we give back
 *         Cr CHANNEL_RECEIVABLE:<channel>  refund − channelCostRefund   the channel pays the payer
 *                                                                       out of what it owes us
 *         Cr CHANNEL_COST                  channelCostRefund            cost the channel gives back
 *
 * Debits = refund = credits. The merchant's payable may go below zero (a refund larger than what
 * we still owe it): that is booked as it is, a debit balance the merchant owes us, never refused,
 * because the money has already left through the channel. Zero amounts are left out.
 */
export function journalForRefundClearing(
  refund: RefundJournalAmounts,
  references: RefundReferences,
  options: JournalOptions = {},
): JournalEntry {
  if (refund === null || typeof refund !== 'object') {
    throw new LedgerError('LEDGER.INVALID_ENTRY', 'Refund amounts are required');
  }
  const { refundAmount, merchantFeeRefund, channelCostRefund } = refund;
  for (const [name, amount] of Object.entries({
    refundAmount,
    merchantFeeRefund,
    channelCostRefund,
  })) {
    if (!(amount instanceof Money) || amount.isNegative()) {
      throw new LedgerError('LEDGER.INVALID_ENTRY', `${name} must be a non-negative Money`);
    }
  }
  if (!refundAmount.isPositive()) {
    throw new LedgerError('LEDGER.INVALID_ENTRY', 'A refund must be positive');
  }
  if (merchantFeeRefund.greaterThan(refundAmount) || channelCostRefund.greaterThan(refundAmount)) {
    throw new LedgerError(
      'LEDGER.INVALID_ENTRY',
      'A fee or cost given back cannot exceed the refund itself',
    );
  }
  const { refundId, paymentId, merchantId, channel } = checkReferences(references);
  const lines: JournalLineInput[] = [
    {
      account: ledgerAccount('MERCHANT_PAYABLE_PENDING', merchantId),
      side: 'DEBIT',
      amount: refundAmount.subtract(merchantFeeRefund),
    },
    { account: ledgerAccount('FEE_REVENUE'), side: 'DEBIT', amount: merchantFeeRefund },
    {
      account: ledgerAccount('CHANNEL_RECEIVABLE', channel),
      side: 'CREDIT',
      amount: refundAmount.subtract(channelCostRefund),
    },
    { account: ledgerAccount('CHANNEL_COST'), side: 'CREDIT', amount: channelCostRefund },
  ].filter((line): line is JournalLineInput => !line.amount.isZero());
  return postJournal({
    description: `Refund clearing (退款清分) of refund ${refundId} for payment ${paymentId}`,
    lines,
    postedAt: options.postedAt,
    id: options.id,
    references: { clearingId: refund.clearingId, refundId, paymentId, merchantId, channel },
  });
}

/**
 * A late payment into suspense (迟到支付挂账): the channel owes us the money, and we owe it back
 * to the payer, not to the merchant.
 *
 *     Dr CHANNEL_RECEIVABLE:<channel>    gross
 *         Cr LATE_PAYMENT_SUSPENSE       gross
 */
export function journalForLatePaymentSuspense(
  gross: Money,
  references: LatePaymentReferences,
  options: JournalOptions = {},
): JournalEntry {
  const refs = checkLateReferences(gross, references);
  return postJournal({
    description: `Late payment (迟到支付) of ${refs.paymentId} held in suspense for return by ${refs.refundId}`,
    lines: [
      { account: ledgerAccount('CHANNEL_RECEIVABLE', refs.channel), side: 'DEBIT', amount: gross },
      { account: ledgerAccount('LATE_PAYMENT_SUSPENSE'), side: 'CREDIT', amount: gross },
    ],
    postedAt: options.postedAt,
    id: options.id,
    references: { ...refs },
  });
}

/**
 * The late payment returned (迟到支付退回): the second leg, which empties the suspense.
 *
 *     Dr LATE_PAYMENT_SUSPENSE           amount
 *         Cr CHANNEL_RECEIVABLE:<channel> amount
 */
export function journalForLatePaymentReturn(
  amount: Money,
  references: LatePaymentReferences,
  options: JournalOptions = {},
): JournalEntry {
  const refs = checkLateReferences(amount, references);
  return postJournal({
    description: `Late payment (迟到支付) of ${refs.paymentId} returned to the payer by ${refs.refundId}`,
    lines: [
      { account: ledgerAccount('LATE_PAYMENT_SUSPENSE'), side: 'DEBIT', amount },
      { account: ledgerAccount('CHANNEL_RECEIVABLE', refs.channel), side: 'CREDIT', amount },
    ],
    postedAt: options.postedAt,
    id: options.id,
    references: { ...refs },
  });
}

function checkReferences(references: RefundReferences): RefundReferences {
  if (references === null || typeof references !== 'object') {
    throw new LedgerError('LEDGER.INVALID_REFERENCE', 'Refund references are required');
  }
  const { refundId, paymentId, merchantId, channel } = references;
  for (const [value, prefix] of [
    [refundId, 'ref'],
    [paymentId, 'pay'],
    [merchantId, 'mch'],
  ] as const) {
    if (!isId(value, prefix)) {
      throw new LedgerError('LEDGER.INVALID_REFERENCE', `Not a ${prefix}_ id: ${String(value)}`);
    }
  }
  return { refundId, paymentId, merchantId, channel };
}

function checkLateReferences(amount: Money, references: LatePaymentReferences) {
  if (!(amount instanceof Money) || !amount.isPositive()) {
    throw new LedgerError('LEDGER.INVALID_ENTRY', 'A late payment amount must be positive Money');
  }
  const { refundId, paymentId, merchantId, channel } = checkReferences(references);
  if (!isId(references.transactionId, 'txn')) {
    throw new LedgerError(
      'LEDGER.INVALID_REFERENCE',
      `Not a txn_ id: ${String(references.transactionId)}`,
    );
  }
  return { transactionId: references.transactionId, refundId, paymentId, merchantId, channel };
}
