import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { RefundSucceeded, type EnvelopeOf } from '@paylab/contracts';
import { newId } from '@paylab/ids';
import { PermanentMessageError } from '@paylab/messaging';
import { Money, Rate, type CurrencyCode, type RoundingMode } from '@paylab/money';
import { AppError, ROOT_LOGGER, type PaylabLogger } from '@paylab/platform';
import type { DataSource, EntityManager } from 'typeorm';
import { ClearingEntity } from '../clearing/clearing.entity';
import { asPermanent } from '../clearing/as-permanent';
import {
  applyRefundFeePolicy,
  clearRefund,
  type ClearingResult,
  type RefundClearing,
} from '../clearing/domain';
import { FeeSchedules } from '../clearing/fee-schedules.service';
import { LatePaymentClearingEntity } from '../late-payments/late-payment-clearing.entity';
import {
  journalForLatePaymentReturn,
  journalForRefundClearing,
  type JournalEntry,
} from '../ledger/domain';
import { Ledger } from '../ledger/ledger.service';
import { SettlementItems } from '../batches/settlement-items';
import type { JournalEntryView } from '../ledger/ledger.views';
import { ParkedRefundEntity, RefundClearingEntity } from './refund-clearing.entity';
import { lockTransactionBookings } from '../clearing/transaction-lock';

type Refund = EnvelopeOf<typeof RefundSucceeded>['payload'];

export interface RefundClearingView {
  clearingId: string;
  refundId: string;
  kind: 'MERCHANT_REFUND' | 'LATE_PAYMENT_RETURN';
  /** The payment clearing (merchant refund) or late payment clearing (return) it reverses. */
  originalClearingId: string;
  transactionId: string;
  paymentId: string;
  merchantId: string;
  channel: string;
  channelRefundNo: string;
  refund: { amountMinor: number; currency: string };
  merchantFeeRefund: { amountMinor: number; currency: string };
  channelCostRefund: { amountMinor: number; currency: string };
  platformMarginRefund: { amountMinor: number; currency: string };
  merchantNetRefund: { amountMinor: number; currency: string };
  feePolicy: 'PRO_RATA' | 'KEEP' | null;
  succeededAt: string;
  businessDate: string;
  clearedAt: string;
  journal: JournalEntryView;
}

/**
 * Refund clearing (退款清分) from RefundSucceeded, exactly once per refund id:
 * - MERCHANT_REFUND reverses part of the payment's clearing with the cumulative pro-rata method
 *   (clearRefund) and the merchant's refund fee policy; the merchant's payable is debited and may
 *   go negative.
 * - LATE_PAYMENT_RETURN empties the late payment's suspense (the second leg).
 *
 * A refund can arrive before its payment is cleared: cashier's verdict on the payment and the
 * refund travel on different topics. Retrying it in place would not help: the consumer fetches
 * every partition in one loop that waits for the retrying message, so the payment's event would
 * never be read meanwhile. The refund is parked instead (parked_refunds) and cleared in the very
 * transaction that clears its payment (clearParked), so the order of arrival does not matter.
 */
@Injectable()
export class RefundClearings {
  private readonly log: PaylabLogger;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly feeSchedules: FeeSchedules,
    private readonly ledger: Ledger,
    private readonly settlementItems: SettlementItems,
    @Inject(ROOT_LOGGER) logger: PaylabLogger,
  ) {
    this.log = logger.child({ component: 'refund-clearing' });
  }

  async clearRefundSucceeded(
    manager: EntityManager,
    envelope: EnvelopeOf<typeof RefundSucceeded>,
  ): Promise<void> {
    const refund = envelope.payload;
    await this.clear(manager, refund, envelope.id, 'park');
  }

  /**
   * Clears the refunds parked for a transaction, oldest first; called in the transaction that
   * just cleared it. One that cannot be cleared (it would exceed the payment, say) stays parked
   * with its reason for an operator: it must not undo the payment's clearing.
   */
  async clearParked(manager: EntityManager, transactionId: string): Promise<void> {
    const parked = await manager
      .getRepository(ParkedRefundEntity)
      .createQueryBuilder('p')
      .where('p.transaction_id = :transactionId AND p.failure_reason IS NULL', { transactionId })
      .orderBy('p.parked_at', 'ASC')
      .addOrderBy('p.refund_id', 'ASC')
      .setLock('pessimistic_write')
      .getMany();
    for (const row of parked) {
      const refund = RefundSucceeded.schema.parse(row.payload);
      try {
        await this.clear(manager, refund, row.sourceMessageId, 'fail');
        await manager.getRepository(ParkedRefundEntity).delete({ refundId: row.refundId });
      } catch (error) {
        if (!(error instanceof PermanentMessageError)) throw error;
        await manager
          .getRepository(ParkedRefundEntity)
          .update({ refundId: row.refundId }, { failureReason: error.message });
        this.log.error(
          { refundId: row.refundId, transactionId, reason: error.message },
          'parked refund cannot be cleared; left for an operator',
        );
      }
    }
  }

  private async clear(
    manager: EntityManager,
    refund: Refund,
    messageId: string,
    whenUncleared: 'park' | 'fail',
  ): Promise<void> {
    await lockTransactionBookings(manager, refund.transactionId);
    const existing = await manager
      .getRepository(RefundClearingEntity)
      .findOneBy({ refundId: refund.refundId });
    if (existing) return this.alreadyCleared(existing, refund);
    const cleared =
      refund.kind === 'LATE_PAYMENT_RETURN'
        ? await this.returnLatePayment(manager, refund, messageId)
        : await this.clearMerchantRefund(manager, refund, messageId);
    if (cleared) return;
    if (whenUncleared === 'fail') {
      throw new Error(`refund ${refund.refundId}: transaction ${refund.transactionId} not cleared`);
    }
    await manager
      .createQueryBuilder()
      .insert()
      .into(ParkedRefundEntity)
      .values({
        refundId: refund.refundId,
        transactionId: refund.transactionId,
        kind: refund.kind,
        payload: refund,
        sourceMessageId: messageId,
      })
      .orIgnore()
      .execute();
    this.log.info(
      { refundId: refund.refundId, transactionId: refund.transactionId },
      'refund arrived before its payment was cleared; parked until it is',
    );
  }

  /** False when the payment is not cleared yet (the caller parks the refund). */
  private async clearMerchantRefund(
    manager: EntityManager,
    refund: Refund,
    messageId: string,
  ): Promise<boolean> {
    // The row lock serialises refunds of one payment: each sees the ones before it.
    const payment = await manager
      .getRepository(ClearingEntity)
      .createQueryBuilder('c')
      .where('c.transaction_id = :transactionId', { transactionId: refund.transactionId })
      .setLock('pessimistic_write')
      .getOne();
    if (!payment) {
      await this.refuseIfLatePayment(manager, refund);
      return false;
    }
    if (payment.paymentId !== refund.paymentId || payment.merchantId !== refund.merchantId) {
      throw new PermanentMessageError(
        `SETTLEMENT.REFUND_MISMATCH: refund ${refund.refundId} names payment ${refund.paymentId} ` +
          `of ${refund.merchantId}, but transaction ${refund.transactionId} cleared ` +
          `${payment.paymentId} of ${payment.merchantId}`,
      );
    }
    const previousRows = await manager
      .getRepository(RefundClearingEntity)
      .findBy({ paymentClearingId: payment.id });
    const clearedAt = new Date();
    const { policy, computed, applied, journal } = await asPermanent(async () => {
      const policy = await this.feeSchedules.refundFeePolicy(
        manager,
        payment.merchantId,
        payment.channel,
      );
      const computed = clearRefund(
        Money.of(refund.amount.amountMinor, refund.amount.currency),
        rehydrateClearing(payment),
        previousRows.map(rehydrateRefund),
      );
      const applied = applyRefundFeePolicy(computed, policy);
      const journal = journalForRefundClearing(
        applied,
        {
          refundId: refund.refundId,
          paymentId: refund.paymentId,
          merchantId: refund.merchantId,
          channel: payment.channel,
        },
        { postedAt: clearedAt },
      );
      return { policy, computed, applied, journal };
    });
    await manager.getRepository(RefundClearingEntity).insert({
      ...this.baseRow(refund, messageId, applied.clearingId, journal, clearedAt),
      kind: 'MERCHANT_REFUND',
      paymentClearingId: payment.id,
      latePaymentClearingId: null,
      channel: payment.channel,
      proRataFeeRefundMinor: computed.merchantFeeRefund.amountMinor,
      merchantFeeRefundMinor: applied.merchantFeeRefund.amountMinor,
      channelCostRefundMinor: applied.channelCostRefund.amountMinor,
      platformMarginRefundMinor: applied.platformMarginRefund.amountMinor,
      merchantNetRefundMinor: applied.merchantNetRefund.amountMinor,
      feePolicy: policy,
    });
    await this.ledger.post(manager, journal);
    await this.settlementItems.record(manager, {
      kind: 'REFUND',
      sourceId: applied.clearingId,
      merchantId: refund.merchantId,
      transactionId: refund.transactionId,
      paymentId: refund.paymentId,
      refundId: refund.refundId,
      currency: refund.amount.currency,
      grossMinor: 0,
      feeMinor: -applied.merchantFeeRefund.amountMinor,
      refundMinor: refund.amount.amountMinor,
      netMinor: -applied.merchantNetRefund.amountMinor,
      occurredAt: new Date(refund.succeededAt),
    });
    return true;
  }

  /** False when the late payment is not in suspense yet (the caller parks the refund). */
  private async returnLatePayment(
    manager: EntityManager,
    refund: Refund,
    messageId: string,
  ): Promise<boolean> {
    const late = await manager
      .getRepository(LatePaymentClearingEntity)
      .createQueryBuilder('l')
      .where('l.transaction_id = :transactionId', { transactionId: refund.transactionId })
      .setLock('pessimistic_write')
      .getOne();
    if (!late) {
      const paid = await manager
        .getRepository(ClearingEntity)
        .findOneBy({ transactionId: refund.transactionId });
      if (paid) {
        throw new PermanentMessageError(
          `SETTLEMENT.CONFLICTING_VERDICT: refund ${refund.refundId} returns transaction ` +
            `${refund.transactionId} as a late payment, but it was cleared as the merchant's payment ${paid.id}`,
        );
      }
      return false;
    }
    if (
      late.refundId !== refund.refundId ||
      late.grossMinor !== refund.amount.amountMinor ||
      late.currency !== refund.amount.currency
    ) {
      throw new PermanentMessageError(
        `SETTLEMENT.REFUND_MISMATCH: late payment ${late.transactionId} is returned by ` +
          `${late.refundId} for ${late.grossMinor} ${late.currency}, not by ${refund.refundId} ` +
          `for ${refund.amount.amountMinor} ${refund.amount.currency}`,
      );
    }
    const clearingId = newId('clr');
    const clearedAt = new Date();
    const journal = await asPermanent(async () =>
      journalForLatePaymentReturn(
        Money.of(late.grossMinor, late.currency as CurrencyCode),
        {
          transactionId: late.transactionId,
          paymentId: late.paymentId,
          merchantId: late.merchantId,
          channel: late.channel,
          refundId: late.refundId,
        },
        { postedAt: clearedAt },
      ),
    );
    await manager.getRepository(RefundClearingEntity).insert({
      ...this.baseRow(refund, messageId, clearingId, journal, clearedAt),
      kind: 'LATE_PAYMENT_RETURN',
      paymentClearingId: null,
      latePaymentClearingId: late.id,
      channel: late.channel,
      // No fee was charged on a late payment, so none comes back; the whole amount leaves suspense.
      proRataFeeRefundMinor: 0,
      merchantFeeRefundMinor: 0,
      channelCostRefundMinor: 0,
      platformMarginRefundMinor: 0,
      merchantNetRefundMinor: late.grossMinor,
      feePolicy: null,
    });
    await this.ledger.post(manager, journal);
    // Listed in the merchant's next batch for the record; none of it was ever the merchant's.
    await this.settlementItems.record(manager, {
      kind: 'LATE_PAYMENT_RETURN',
      sourceId: clearingId,
      merchantId: late.merchantId,
      transactionId: late.transactionId,
      paymentId: late.paymentId,
      refundId: late.refundId,
      currency: late.currency,
      grossMinor: 0,
      feeMinor: 0,
      refundMinor: 0,
      netMinor: 0,
      occurredAt: new Date(refund.succeededAt),
    });
    this.log.info(
      { transactionId: late.transactionId, refundId: refund.refundId },
      'late payment returned; suspense emptied',
    );
    return true;
  }

  /** A merchant refund of a late payment can never be cleared: no merchant money to take it from. */
  private async refuseIfLatePayment(manager: EntityManager, refund: Refund): Promise<void> {
    const late = await manager
      .getRepository(LatePaymentClearingEntity)
      .findOneBy({ transactionId: refund.transactionId });
    if (late) {
      throw new PermanentMessageError(
        `SETTLEMENT.CONFLICTING_VERDICT: merchant refund ${refund.refundId} of transaction ` +
          `${refund.transactionId}, which is a late payment held in suspense as ${late.id}`,
      );
    }
  }

  private baseRow(
    refund: Refund,
    messageId: string,
    clearingId: string,
    journal: JournalEntry,
    clearedAt: Date,
  ) {
    return {
      id: clearingId,
      refundId: refund.refundId,
      transactionId: refund.transactionId,
      paymentId: refund.paymentId,
      merchantId: refund.merchantId,
      channelRefundNo: refund.channelRefundNo,
      currency: refund.amount.currency,
      refundMinor: refund.amount.amountMinor,
      journalEntryId: journal.id,
      sourceMessageId: messageId,
      succeededAt: new Date(refund.succeededAt),
      businessDate: refund.businessDate,
      clearedAt,
    };
  }

  private alreadyCleared(existing: RefundClearingEntity, refund: Refund): void {
    const differences = [
      ['kind', existing.kind, refund.kind],
      ['transactionId', existing.transactionId, refund.transactionId],
      ['amountMinor', existing.refundMinor, refund.amount.amountMinor],
      ['currency', existing.currency, refund.amount.currency],
    ].filter(([, stored, incoming]) => stored !== incoming);
    if (differences.length > 0) {
      throw new PermanentMessageError(
        `SETTLEMENT.CONFLICTING_DUPLICATE: refund ${refund.refundId} was already cleared as ` +
          `${existing.id} with different facts: ` +
          differences.map(([field, a, b]) => `${field} ${a} ≠ ${b}`).join(', '),
      );
    }
    this.log.info(
      { refundId: refund.refundId, clearingId: existing.id },
      'refund already cleared; event ignored',
    );
  }

  async find(refundId: string): Promise<RefundClearingView> {
    const row = await this.dataSource.getRepository(RefundClearingEntity).findOneBy({ refundId });
    if (!row) {
      const parked = await this.dataSource
        .getRepository(ParkedRefundEntity)
        .findOneBy({ refundId });
      if (parked) {
        throw new AppError(
          'not_found_error',
          'REFUND_CLEARING.NOT_FOUND',
          parked.failureReason
            ? `Refund ${refundId} could not be cleared: ${parked.failureReason}`
            : `Refund ${refundId} is not cleared yet: it waits for the clearing of transaction ${parked.transactionId}.`,
          'refundId',
        );
      }
      throw new AppError(
        'not_found_error',
        'REFUND_CLEARING.NOT_FOUND',
        `No refund clearing for refund ${refundId}.`,
        'refundId',
      );
    }
    const journal = await this.ledger.entry(row.journalEntryId);
    if (!journal) throw new Error(`refund clearing ${row.id} lacks its journal entry`);
    const money = (amountMinor: number) => ({ amountMinor, currency: row.currency });
    return {
      clearingId: row.id,
      refundId: row.refundId,
      kind: row.kind,
      originalClearingId: (row.paymentClearingId ?? row.latePaymentClearingId)!,
      transactionId: row.transactionId,
      paymentId: row.paymentId,
      merchantId: row.merchantId,
      channel: row.channel,
      channelRefundNo: row.channelRefundNo,
      refund: money(row.refundMinor),
      merchantFeeRefund: money(row.merchantFeeRefundMinor),
      channelCostRefund: money(row.channelCostRefundMinor),
      platformMarginRefund: money(row.platformMarginRefundMinor),
      merchantNetRefund: money(row.merchantNetRefundMinor),
      feePolicy: row.feePolicy,
      succeededAt: row.succeededAt.toISOString(),
      businessDate: row.businessDate,
      clearedAt: row.clearedAt.toISOString(),
      journal,
    };
  }
}

/** The payment's clearing as the domain computed it, from its stored row (re-checked by clearRefund). */
function rehydrateClearing(row: ClearingEntity): ClearingResult {
  const currency = row.currency as CurrencyCode;
  const money = (amountMinor: number) => Money.of(amountMinor, currency);
  const platformMargin = money(row.platformMarginMinor);
  return {
    clearingId: row.id,
    gross: money(row.grossMinor),
    merchantFee: money(row.merchantFeeMinor),
    channelCost: money(row.channelCostMinor),
    platformMargin,
    merchantNet: money(row.merchantNetMinor),
    marginNegative: platformMargin.isNegative(),
    minimumFeeApplied: false,
    feeCappedAtGross: row.merchantFeeMinor === row.grossMinor && row.grossMinor > 0,
    merchantFeeRate: Rate.ppm(row.merchantFeeRatePpm),
    channelCostRate: Rate.ppm(row.channelCostRatePpm),
    rounding: {
      merchantFee: row.merchantFeeRounding as RoundingMode,
      channelCost: row.channelCostRounding as RoundingMode,
    },
  };
}

/**
 * An earlier refund as clearRefund computed it: with the pro-rata fee share whatever the policy
 * then was, because the cumulative method checks the history against exactly that.
 */
function rehydrateRefund(row: RefundClearingEntity): RefundClearing {
  const currency = row.currency as CurrencyCode;
  const money = (amountMinor: number) => Money.of(amountMinor, currency);
  const merchantFeeRefund = money(row.proRataFeeRefundMinor);
  const channelCostRefund = money(row.channelCostRefundMinor);
  return {
    clearingId: row.id,
    originalClearingId: row.paymentClearingId!,
    refundAmount: money(row.refundMinor),
    merchantFeeRefund,
    channelCostRefund,
    platformMarginRefund: merchantFeeRefund.subtract(channelCostRefund),
    merchantNetRefund: money(row.refundMinor).subtract(merchantFeeRefund),
    refundedToDate: money(row.refundMinor),
    finalRefund: false,
  };
}
