import type { Money } from '@paylab/money';
import { shanghaiBusinessDate } from '../../channels/domain/shanghai-time';
import { DomainError } from '../../shared/domain-error';

/**
 * The rules of a channel transaction (渠道交易): one per payment, created PENDING when the
 * channel gives us a QR, then SUCCEEDED once (by callback or active query, 主动查询) or CLOSED.
 */
export type TransactionStatus = 'PENDING' | 'SUCCEEDED' | 'CLOSED';
export type ConfirmedBy = 'CALLBACK' | 'ACTIVE_QUERY';

/** The longest a QR may stay payable (Alipay's and WeChat Pay's time_expire allow 15 days). */
export const MAX_CHARGE_LIFETIME_MS = 15 * 24 * 60 * 60 * 1000;
/**
 * A QR that expires within this is useless to a payer; refuse it rather than create it. Ten
 * seconds, not a minute: the deadline travels as absolute time_expire (no 1-minute floor as
 * timeout_express had), and a payer who opens checkout 50 s into a 60 s order may still pay.
 */
export const MIN_CHARGE_LIFETIME_MS = 10 * 1000;

export interface ChargeTerms {
  paymentId: string;
  merchantId: string;
  channel: string;
  amount: Money;
  subject: string;
  expiresAt: Date;
}

/** Business checks on a charge request (its shape is checked at the API). */
export function checkChargeTerms(terms: ChargeTerms, now: Date): void {
  if (terms.amount.currency !== 'CNY') {
    throw new DomainError(
      'CHARGE.UNSUPPORTED_CURRENCY',
      `The channels take CNY only, not ${terms.amount.currency}.`,
      'amount.currency',
    );
  }
  if (terms.amount.amountMinor <= 0) {
    throw new DomainError(
      'CHARGE.INVALID_AMOUNT',
      'amount.amountMinor must be at least 1 fen.',
      'amount.amountMinor',
    );
  }
  if (terms.subject.trim() === '') {
    throw new DomainError('CHARGE.INVALID_SUBJECT', 'subject must not be blank.', 'subject');
  }
  const lifetime = terms.expiresAt.getTime() - now.getTime();
  if (lifetime < MIN_CHARGE_LIFETIME_MS) {
    throw new DomainError(
      'CHARGE.EXPIRES_TOO_SOON',
      'expiresAt must be at least ten seconds in the future.',
      'expiresAt',
    );
  }
  if (lifetime > MAX_CHARGE_LIFETIME_MS) {
    throw new DomainError(
      'CHARGE.EXPIRES_TOO_LATE',
      'expiresAt must be at most 15 days in the future.',
      'expiresAt',
    );
  }
}

export interface ExistingCharge {
  status: string;
  merchantId: string;
  channel: string;
  amountMinor: number;
  currency: string;
}

/**
 * The same payment charged again: a retry gets the same transaction, unless it was closed
 * (CHARGE.CLOSED); different money, merchant or channel for the same payment is a conflict,
 * never a second transaction.
 */
export function checkChargeReplay(existing: ExistingCharge, terms: ChargeTerms): void {
  const differs: string[] = [];
  if (existing.merchantId !== terms.merchantId) differs.push('merchantId');
  if (existing.channel !== terms.channel) differs.push('channel');
  if (
    existing.amountMinor !== terms.amount.amountMinor ||
    existing.currency !== terms.amount.currency
  ) {
    differs.push('amount');
  }
  if (differs.length === 0 && existing.status === 'CLOSED') {
    // Its QR is closed at the channel: handing it out again would show the payer a dead code.
    throw new DomainError(
      'CHARGE.CLOSED',
      `The charge of payment ${terms.paymentId} was closed at the channel; it can no longer be paid.`,
    );
  }
  if (differs.length > 0) {
    throw new DomainError(
      'CHARGE.CONFLICTING_REQUEST',
      `Payment ${terms.paymentId} was already charged with a different ${differs.join(', ')}.`,
      differs[0],
    );
  }
}

export interface SettlingTransaction {
  status: TransactionStatus;
  amountMinor: number;
  currency: string;
  channelTradeNo: string | null;
}

/** The channel's word that a trade is paid (from a verified callback or a query). */
export interface PaymentReport {
  channelTradeNo: string;
  amount: Money;
  paidAt: Date;
}

export type Settlement =
  | { kind: 'settle'; channelTradeNo: string; paidAt: Date; businessDate: string }
  | { kind: 'duplicate' };

/**
 * What a payment report does to the transaction. Exactly once: a PENDING transaction becomes
 * SUCCEEDED; an already SUCCEEDED one is a duplicate with no effect. A CLOSED one is settled too:
 * the channel holds the payer's money, so its word wins and the payment must be recorded (and
 * then refunded by the platform), not ignored. A report whose amount differs from what we asked
 * for is never booked: that is a break for a person to look at.
 */
export function decideSettlement(
  transaction: SettlingTransaction,
  report: PaymentReport,
): Settlement {
  if (
    report.amount.amountMinor !== transaction.amountMinor ||
    report.amount.currency !== transaction.currency
  ) {
    throw new DomainError(
      'SETTLEMENT.AMOUNT_MISMATCH',
      `The channel reports ${report.amount.toDecimalString()} ${report.amount.currency}, the transaction is for ${transaction.amountMinor} fen ${transaction.currency}.`,
    );
  }
  if (transaction.status === 'SUCCEEDED') {
    if (transaction.channelTradeNo !== report.channelTradeNo) {
      throw new DomainError(
        'SETTLEMENT.CONFLICTING_TRADE_NO',
        `The transaction was paid as ${transaction.channelTradeNo}, the channel now reports ${report.channelTradeNo}.`,
      );
    }
    return { kind: 'duplicate' };
  }
  return {
    kind: 'settle',
    channelTradeNo: report.channelTradeNo,
    paidAt: report.paidAt,
    businessDate: shanghaiBusinessDate(report.paidAt),
  };
}

/**
 * The channel's own deadline for a transaction: the charge's expiresAt in whole seconds, rounded
 * down, because that is what `time_expire` carries to the channel (Alipay "yyyy-MM-dd HH:mm:ss",
 * WeChat Pay RFC 3339 without fractions). Channel and platform then agree on the second.
 */
export function channelDeadlineOf(expiresAt: Date): Date {
  return new Date(Math.floor(expiresAt.getTime() / 1000) * 1000);
}

/** Whether an unpaid transaction is past the channel's deadline and must be closed there. */
export function isExpired(expiresAt: Date, now: Date): boolean {
  return now.getTime() >= channelDeadlineOf(expiresAt).getTime();
}

/**
 * What an active query's answer leads to for a PENDING transaction:
 * - paid → `settle` (whatever the time: the channel holds the money);
 * - unpaid (or read as closed) before the channel's deadline → `wait`, keep querying: the payer
 *   may still pay, and a trade is never treated as closed before its expiry;
 * - unpaid or closed after the deadline → `close-at-channel`: close it there (harmless if the
 *   channel closed it itself), and only then record CLOSED (reason EXPIRED).
 */
export type QueryAction = 'settle' | 'wait' | 'close-at-channel';

export function decideQueryAction(
  channelStatus: 'PENDING' | 'SUCCEEDED' | 'CLOSED',
  expiresAt: Date,
  now: Date,
): QueryAction {
  if (channelStatus === 'SUCCEEDED') return 'settle';
  return isExpired(expiresAt, now) ? 'close-at-channel' : 'wait';
}

/**
 * A requested close (关单, CloseCharge) of a transaction: a PENDING one is closed at the channel,
 * a CLOSED one is already closed (a repeat answers the same), and a SUCCEEDED one is refused with
 * CHANNEL.TRADE_ALREADY_PAID: the payment is on its way and the order must not be closed.
 */
export function decideCloseRequest(
  status: TransactionStatus,
): 'close-at-channel' | 'already-closed' {
  if (status === 'SUCCEEDED') throw tradeAlreadyPaid();
  return status === 'CLOSED' ? 'already-closed' : 'close-at-channel';
}

/** A close that came too late: the payer has paid, the payment is on its way. */
export function tradeAlreadyPaid(): DomainError {
  return new DomainError(
    'CHANNEL.TRADE_ALREADY_PAID',
    'The payer has already paid this charge at the channel; it cannot be closed.',
  );
}
