import { Money, type CurrencyCode } from '@paylab/money';
import { ledgerAccount } from './accounts';
import { JournalEntry, JournalLineInput, postJournal } from './journal';

/**
 * The journal entries of settlement (结算入账): money moving between a merchant's sub-accounts,
 * and out to the bank. Every one is a pair of liabilities or a liability and the bank, so a
 * merchant's total payable only changes when the bank pays it.
 *
 *   batch built       Dr MERCHANT_PAYABLE_PENDING   Cr MERCHANT_PAYABLE_AVAILABLE   items net
 *                     (reversed for a negative net: refunds after settlement)
 *   reserve held      Dr MERCHANT_PAYABLE_AVAILABLE Cr MERCHANT_RESERVE             held
 *   reserve released  Dr MERCHANT_RESERVE           Cr MERCHANT_PAYABLE_AVAILABLE   released
 *   payout sent       Dr MERCHANT_PAYABLE_AVAILABLE Cr MERCHANT_PAYABLE_IN_TRANSIT  amount
 *   payout paid       Dr MERCHANT_PAYABLE_IN_TRANSIT Cr PLATFORM_BANK               amount
 *   payout failed     Dr MERCHANT_PAYABLE_IN_TRANSIT Cr MERCHANT_PAYABLE_AVAILABLE  amount
 */
export interface SettlementJournalOptions {
  readonly postedAt?: Date;
  /** Accounting date (账务日期) the entry belongs to, e.g. the end of day's business date. */
  readonly businessDate?: string;
}

function move(
  debit: string,
  credit: string,
  amountMinor: number,
  currency: CurrencyCode,
): JournalLineInput[] {
  if (amountMinor === 0) return [];
  const [from, to] = amountMinor > 0 ? [debit, credit] : [credit, debit];
  const amount = Money.of(Math.abs(amountMinor), currency);
  return [
    { account: from, side: 'DEBIT', amount },
    { account: to, side: 'CREDIT', amount },
  ];
}

/** The entry of a batch: its items net to available, its reserve held; null when both are zero. */
export function journalForBatch(
  batch: {
    readonly batchId: string;
    readonly merchantId: string;
    readonly settlementDate: string;
    readonly currency: string;
    readonly itemsNetMinor: number;
    readonly reserveHeldMinor: number;
  },
  options: SettlementJournalOptions = {},
): JournalEntry | null {
  const currency = batch.currency as CurrencyCode;
  const lines = [
    ...move(
      ledgerAccount('MERCHANT_PAYABLE_PENDING', batch.merchantId),
      ledgerAccount('MERCHANT_PAYABLE_AVAILABLE', batch.merchantId),
      batch.itemsNetMinor,
      currency,
    ),
    ...move(
      ledgerAccount('MERCHANT_PAYABLE_AVAILABLE', batch.merchantId),
      ledgerAccount('MERCHANT_RESERVE', batch.merchantId),
      batch.reserveHeldMinor,
      currency,
    ),
  ];
  if (lines.length === 0) return null;
  return postJournal({
    description: `Settlement batch ${batch.batchId} for ${batch.settlementDate} (结算批次入账)`,
    lines,
    postedAt: options.postedAt,
    businessDate: options.businessDate,
    references: {
      batchId: batch.batchId,
      merchantId: batch.merchantId,
      settlementDate: batch.settlementDate,
    },
  });
}

/** A rolling reserve hold released back to available (保证金释放). */
export function journalForReserveRelease(
  hold: {
    readonly holdId: string;
    readonly merchantId: string;
    readonly currency: string;
    readonly amountMinor: number;
    readonly releaseDate: string;
  },
  options: SettlementJournalOptions = {},
): JournalEntry {
  return postJournal({
    description: `Rolling reserve ${hold.holdId} released on ${hold.releaseDate} (保证金释放)`,
    lines: move(
      ledgerAccount('MERCHANT_RESERVE', hold.merchantId),
      ledgerAccount('MERCHANT_PAYABLE_AVAILABLE', hold.merchantId),
      hold.amountMinor,
      hold.currency as CurrencyCode,
    ),
    postedAt: options.postedAt,
    businessDate: options.businessDate,
    references: { reserveHoldId: hold.holdId, merchantId: hold.merchantId },
  });
}

export type PayoutMovement = 'SENT' | 'PAID' | 'FAILED';

/** A payout's money moving: sent to the bank, confirmed paid, or refused and returned. */
export function journalForPayout(
  payout: {
    readonly payoutId: string;
    readonly batchId: string;
    readonly merchantId: string;
    readonly currency: string;
    readonly amountMinor: number;
  },
  movement: PayoutMovement,
  options: SettlementJournalOptions = {},
): JournalEntry {
  const available = ledgerAccount('MERCHANT_PAYABLE_AVAILABLE', payout.merchantId);
  const inTransit = ledgerAccount('MERCHANT_PAYABLE_IN_TRANSIT', payout.merchantId);
  const [debit, credit, words] =
    movement === 'SENT'
      ? [available, inTransit, 'sent to the bank (代付在途)']
      : movement === 'PAID'
        ? [inTransit, ledgerAccount('PLATFORM_BANK'), 'paid by the bank (代付成功)']
        : [inTransit, available, 'refused by the bank, returned to available (代付失败退回)'];
  if (!(payout.amountMinor > 0)) throw new RangeError('a payout amount must be positive');
  return postJournal({
    description: `Payout ${payout.payoutId} of batch ${payout.batchId} ${words}`,
    lines: move(debit, credit, payout.amountMinor, payout.currency as CurrencyCode),
    postedAt: options.postedAt,
    businessDate: options.businessDate,
    references: {
      payoutId: payout.payoutId,
      batchId: payout.batchId,
      merchantId: payout.merchantId,
    },
  });
}
