import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { LatePaymentRecorded, type EnvelopeOf } from '@paylab/contracts';
import { newId } from '@paylab/ids';
import { PermanentMessageError } from '@paylab/messaging';
import { Money } from '@paylab/money';
import { AppError, ROOT_LOGGER, type PaylabLogger } from '@paylab/platform';
import type { DataSource, EntityManager } from 'typeorm';
import { ClearingEntity } from '../clearing/clearing.entity';
import { asPermanent } from '../clearing/as-permanent';
import { journalForLatePaymentSuspense } from '../ledger/domain';
import { Ledger } from '../ledger/ledger.service';
import type { JournalEntryView } from '../ledger/ledger.views';
import { RefundClearingEntity } from '../refunds/refund-clearing.entity';
import { RefundClearings } from '../refunds/refund-clearings.service';
import { LatePaymentClearingEntity } from './late-payment-clearing.entity';
import { lockTransactionBookings } from '../clearing/transaction-lock';

export interface LatePaymentClearingView {
  clearingId: string;
  transactionId: string;
  paymentId: string;
  merchantId: string;
  refundId: string;
  reason: string;
  channel: string;
  channelAccountId: string | null;
  channelTradeNo: string;
  gross: { amountMinor: number; currency: string };
  /** IN_SUSPENSE until the return refund succeeded, then RETURNED. */
  status: 'IN_SUSPENSE' | 'RETURNED';
  paidAt: string;
  businessDate: string;
  clearedAt: string;
  /** The suspense leg (Dr CHANNEL_RECEIVABLE / Cr LATE_PAYMENT_SUSPENSE). */
  journal: JournalEntryView;
  /** The return leg (Dr LATE_PAYMENT_SUSPENSE / Cr CHANNEL_RECEIVABLE), once the refund succeeded. */
  returnJournal: JournalEntryView | null;
}

/**
 * Late payments (迟到支付): money for an order that could no longer take it. Settlement never
 * credits it to the merchant: it goes into LATE_PAYMENT_SUSPENSE when cashier records it and out
 * again when its return refund succeeds (RefundClearings), both legs in the ledger.
 */
@Injectable()
export class LatePaymentClearings {
  private readonly log: PaylabLogger;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly ledger: Ledger,
    private readonly refunds: RefundClearings,
    @Inject(ROOT_LOGGER) logger: PaylabLogger,
  ) {
    this.log = logger.child({ component: 'late-payment-clearing' });
  }

  async holdInSuspense(
    manager: EntityManager,
    envelope: EnvelopeOf<typeof LatePaymentRecorded>,
  ): Promise<void> {
    const late = envelope.payload;
    await lockTransactionBookings(manager, late.transactionId);
    const paid = await manager
      .getRepository(ClearingEntity)
      .findOneBy({ transactionId: late.transactionId });
    if (paid) {
      throw new PermanentMessageError(
        `SETTLEMENT.CONFLICTING_VERDICT: transaction ${late.transactionId} was already cleared ` +
          `as the merchant's payment ${paid.id}; it cannot also be a late payment`,
      );
    }
    const repository = manager.getRepository(LatePaymentClearingEntity);
    const existing = await repository.findOneBy({ transactionId: late.transactionId });
    if (existing) {
      if (
        existing.grossMinor !== late.amount.amountMinor ||
        existing.currency !== late.amount.currency ||
        existing.refundId !== late.refundId
      ) {
        throw new PermanentMessageError(
          `SETTLEMENT.CONFLICTING_DUPLICATE: late payment ${late.transactionId} was already held ` +
            `as ${existing.id} with different facts`,
        );
      }
      this.log.info(
        { transactionId: late.transactionId, clearingId: existing.id },
        'late payment already in suspense; event ignored',
      );
      return;
    }
    const clearedAt = new Date();
    const clearingId = newId('clr');
    const journal = await asPermanent(async () => {
      const gross = Money.of(late.amount.amountMinor, late.amount.currency);
      if (!gross.isPositive()) {
        throw new PermanentMessageError(
          `CLEARING.NON_POSITIVE_GROSS: late payment ${late.transactionId} has amount ${gross.toString()}`,
        );
      }
      return journalForLatePaymentSuspense(
        gross,
        {
          transactionId: late.transactionId,
          paymentId: late.paymentId,
          merchantId: late.merchantId,
          channel: late.channel,
          refundId: late.refundId,
        },
        { postedAt: clearedAt },
      );
    });
    await repository.insert({
      id: clearingId,
      transactionId: late.transactionId,
      paymentId: late.paymentId,
      merchantId: late.merchantId,
      refundId: late.refundId,
      reason: late.reason,
      channel: late.channel,
      channelAccountId: late.channelAccountId ?? null,
      channelTradeNo: late.channelTradeNo,
      currency: late.amount.currency,
      grossMinor: late.amount.amountMinor,
      journalEntryId: journal.id,
      sourceMessageId: envelope.id,
      paidAt: new Date(late.paidAt),
      businessDate: late.businessDate,
      clearedAt,
    });
    await this.ledger.post(manager, journal);
    // Its return refund may have succeeded before this verdict reached us: it was parked.
    await this.refunds.clearParked(manager, late.transactionId);
    this.log.warn(
      {
        transactionId: late.transactionId,
        paymentId: late.paymentId,
        refundId: late.refundId,
        reason: late.reason,
        amount: late.amount,
      },
      'late payment held in suspense (迟到支付挂账) until its return refund succeeds',
    );
  }

  async find(transactionId: string): Promise<LatePaymentClearingView> {
    const row = await this.dataSource
      .getRepository(LatePaymentClearingEntity)
      .findOneBy({ transactionId });
    if (!row) {
      throw new AppError(
        'not_found_error',
        'LATE_PAYMENT_CLEARING.NOT_FOUND',
        `No late payment clearing for transaction ${transactionId}.`,
        'transactionId',
      );
    }
    const returned = await this.dataSource
      .getRepository(RefundClearingEntity)
      .findOneBy({ latePaymentClearingId: row.id });
    const journal = await this.ledger.entry(row.journalEntryId);
    if (!journal) throw new Error(`late payment clearing ${row.id} lacks its journal entry`);
    const returnJournal = returned
      ? ((await this.ledger.entry(returned.journalEntryId)) ?? null)
      : null;
    return {
      clearingId: row.id,
      transactionId: row.transactionId,
      paymentId: row.paymentId,
      merchantId: row.merchantId,
      refundId: row.refundId,
      reason: row.reason,
      channel: row.channel,
      channelAccountId: row.channelAccountId,
      channelTradeNo: row.channelTradeNo,
      gross: { amountMinor: row.grossMinor, currency: row.currency },
      status: returned ? 'RETURNED' : 'IN_SUSPENSE',
      paidAt: row.paidAt.toISOString(),
      businessDate: row.businessDate,
      clearedAt: row.clearedAt.toISOString(),
      journal,
      returnJournal,
    };
  }
}
