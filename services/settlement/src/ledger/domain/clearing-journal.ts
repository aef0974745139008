import { isId } from '@paylab/ids';
import { assertClearingInvariants, ClearingResult } from '../../clearing/domain/clearing';
import { ledgerAccount } from './accounts';
import { JournalEntry, JournalLineInput, postJournal } from './journal';
import { LedgerError } from './ledger-error';

export interface PaymentClearingReferences {
  /** `pay_…` */
  readonly paymentId: string;
  /** `mch_…`: whose pending payable is credited. */
  readonly merchantId: string;
  /** Channel code, e.g. ALIPAY: which channel owes us the money. */
  readonly channel: string;
}

export interface JournalOptions {
  readonly postedAt?: Date;
  readonly id?: string;
}

/**
 * The journal entry (记账凭证) for one payment clearing (清分入账).
 *
 *     Dr CHANNEL_RECEIVABLE:<channel>          gross − channelCost   the channel owes us the
 *                                                                    payment, less its fee
 *     Dr CHANNEL_COST                          channelCost           the fee the channel kept
 *         Cr MERCHANT_PAYABLE_PENDING:<mch>    merchantNet           we owe the merchant this
 *         Cr FEE_REVENUE                       merchantFee           we earned this
 *
 * Debits = gross − channelCost + channelCost = gross; credits = merchantNet + merchantFee = gross.
 * Revenue and cost are booked gross (both lines), not as a net margin, so that the channel cost
 * line can be reconciled against the channel's 手续费 and the fee line against merchant
 * statements; the platform margin is FEE_REVENUE − CHANNEL_COST. A negative margin needs no
 * special case: both lines stay positive.
 *
 * T-accounts for ¥100.00 via ALIPAY at 0.60 % (merchant) / 0.38 % (channel):
 *
 *       CHANNEL_RECEIVABLE:ALIPAY             CHANNEL_COST
 *        Dr (借)    |   Cr (贷)             Dr (借)    |   Cr (贷)
 *       ------------+-----------           ------------+-----------
 *          99.62    |                          0.38    |
 *
 *       MERCHANT_PAYABLE_PENDING:mch_…        FEE_REVENUE
 *        Dr (借)    |   Cr (贷)             Dr (借)    |   Cr (贷)
 *       ------------+-----------           ------------+-----------
 *                   |     99.40                        |     0.60
 *
 *       Debits 99.62 + 0.38 = 100.00 = 99.40 + 0.60 Credits; platform margin 0.60 − 0.38 = 0.22.
 *
 * Zero amounts are left out (a postJournal line must be positive): ¥0.01 at 0.60 % has no fee
 * and no cost, so it is a two-line entry, Dr CHANNEL_RECEIVABLE 0.01 / Cr MERCHANT_PAYABLE 0.01.
 */
export function journalForPaymentClearing(
  clearing: ClearingResult,
  references: PaymentClearingReferences,
  options: JournalOptions = {},
): JournalEntry {
  // A clearing rehydrated from storage could be corrupt; never post one that is.
  assertClearingInvariants(clearing);
  if (references === null || typeof references !== 'object') {
    throw new LedgerError('LEDGER.INVALID_REFERENCE', 'Payment references are required');
  }
  const { paymentId, merchantId, channel } = references;
  if (!isId(paymentId, 'pay')) {
    throw new LedgerError('LEDGER.INVALID_REFERENCE', `Not a pay_ id: ${String(paymentId)}`);
  }
  if (!isId(merchantId, 'mch')) {
    throw new LedgerError('LEDGER.INVALID_REFERENCE', `Not a mch_ id: ${String(merchantId)}`);
  }

  const { gross, channelCost, merchantNet, merchantFee } = clearing;
  const lines: JournalLineInput[] = [
    {
      account: ledgerAccount('CHANNEL_RECEIVABLE', channel),
      side: 'DEBIT',
      amount: gross.subtract(channelCost),
    },
    { account: ledgerAccount('CHANNEL_COST'), side: 'DEBIT', amount: channelCost },
    {
      account: ledgerAccount('MERCHANT_PAYABLE_PENDING', merchantId),
      side: 'CREDIT',
      amount: merchantNet,
    },
    { account: ledgerAccount('FEE_REVENUE'), side: 'CREDIT', amount: merchantFee },
  ].filter((line): line is JournalLineInput => !line.amount.isZero());

  return postJournal({
    description: `Clearing (清分) of payment ${paymentId}`,
    lines,
    postedAt: options.postedAt,
    id: options.id,
    references: { clearingId: clearing.clearingId, paymentId, merchantId, channel },
  });
}
