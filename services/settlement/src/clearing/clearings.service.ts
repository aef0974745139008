import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { PaymentCleared, PaymentOrderSucceededV2, type EnvelopeOf } from '@paylab/contracts';
import { Outbox, PermanentMessageError } from '@paylab/messaging';
import { Money } from '@paylab/money';
import { AppError, ROOT_LOGGER, type PaylabLogger } from '@paylab/platform';
import type { DataSource, EntityManager } from 'typeorm';
import { journalForPaymentClearing, type JournalEntry } from '../ledger/domain';
import { Ledger } from '../ledger/ledger.service';
import { LatePaymentClearingEntity } from '../late-payments/late-payment-clearing.entity';
import { ClearingEntity } from './clearing.entity';
import type { ClearingView } from './clearing.views';
import { clearPayment, type ClearingResult } from './domain';
import { RefundClearings } from '../refunds/refund-clearings.service';
import { SettlementItems } from '../batches/settlement-items';
import { asPermanent } from './as-permanent';
import { FeeSchedules, type ResolvedFeeSchedule } from './fee-schedules.service';
import { lockTransactionBookings } from './transaction-lock';

type PaidOrder = EnvelopeOf<typeof PaymentOrderSucceededV2>['payload'];

export type ClearOutcome =
  | { readonly kind: 'cleared'; readonly clearingId: string; readonly journalEntryId: string }
  | { readonly kind: 'already-cleared'; readonly clearingId: string };

/**
 * Clearing (清分) of paid orders, from cashier's verdict (PaymentOrderSucceededV2) rather than from
 * the channel's report alone, so a payment for an order that could not take it (a late payment)
 * never reaches a merchant's balance. The fee schedule is applied by the pure domain,
 * and the clearing record, its journal entry and the PaymentCleared event are written in the one
 * transaction the caller (the inbox) holds, so they exist together or not at all.
 */
@Injectable()
export class Clearings {
  private readonly log: PaylabLogger;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly feeSchedules: FeeSchedules,
    private readonly ledger: Ledger,
    private readonly outbox: Outbox,
    private readonly refunds: RefundClearings,
    private readonly settlementItems: SettlementItems,
    @Inject(ROOT_LOGGER) logger: PaylabLogger,
  ) {
    this.log = logger.child({ component: 'clearing' });
  }

  /**
   * Clears one PaymentOrderSucceededV2 event, once per channel transaction. Throws PermanentMessageError for an event that can
   * never be cleared as it is (a non-positive amount, no fee schedule for its channel, a second
   * event for an already-cleared transaction with different facts): retrying cannot help, so it
   * goes to the dead-letter topic with the reason, for an operator to fix and replay. Anything
   * else (a database error) propagates and is retried.
   */
  async clearPaidOrder(
    manager: EntityManager,
    envelope: EnvelopeOf<typeof PaymentOrderSucceededV2>,
  ): Promise<ClearOutcome> {
    const payment = envelope.payload;
    await lockTransactionBookings(manager, payment.transactionId);
    const clearings = manager.getRepository(ClearingEntity);

    // A transaction is cleared once, as the merchant's money or as a late payment, never both.
    const held = await manager
      .getRepository(LatePaymentClearingEntity)
      .findOneBy({ transactionId: payment.transactionId });
    if (held) {
      throw new PermanentMessageError(
        `SETTLEMENT.CONFLICTING_VERDICT: transaction ${payment.transactionId} is already held in ` +
          `suspense as late payment ${held.id}; it cannot also be the merchant's money`,
      );
    }

    // A second event for the same transaction (re-published with a new message id, so the inbox
    // cannot tell) must not clear the money twice.
    const existing = await clearings.findOneBy({ transactionId: payment.transactionId });
    if (existing) return this.alreadyCleared(existing, payment, envelope.id);

    const clearedAt = new Date();
    const { resolved, clearing, journal } = await asPermanent(async () => {
      const resolved = await this.feeSchedules.forPayment(
        manager,
        payment.merchantId,
        payment.channel,
        payment.channelAccountId,
      );
      const clearing = clearPayment({
        gross: Money.of(payment.amount.amountMinor, payment.amount.currency),
        schedule: resolved.schedule,
      });
      const journal = journalForPaymentClearing(
        clearing,
        { paymentId: payment.paymentId, merchantId: payment.merchantId, channel: payment.channel },
        { postedAt: clearedAt },
      );
      return { resolved, clearing, journal };
    });

    // ON CONFLICT DO NOTHING: a concurrent clearing of the same transaction waits here for the
    // other transaction to commit, then finds its row instead of failing on the unique key.
    const inserted = await manager
      .createQueryBuilder()
      .insert()
      .into(ClearingEntity)
      .values(toRow(payment, envelope.id, clearing, resolved, journal, clearedAt))
      .orIgnore()
      .returning(['id'])
      .execute();
    if ((inserted.raw as unknown[]).length === 0) {
      const winner = await clearings.findOneBy({ transactionId: payment.transactionId });
      // Not found means the conflict was on the new clr_ id itself; a retry draws another.
      if (!winner) throw new Error(`clearing ${clearing.clearingId} collided; retrying`);
      return this.alreadyCleared(winner, payment, envelope.id);
    }

    await this.ledger.post(manager, journal);
    await this.settlementItems.record(manager, {
      kind: 'PAYMENT',
      sourceId: clearing.clearingId,
      merchantId: payment.merchantId,
      transactionId: payment.transactionId,
      paymentId: payment.paymentId,
      refundId: null,
      currency: clearing.gross.currency,
      grossMinor: clearing.gross.amountMinor,
      feeMinor: clearing.merchantFee.amountMinor,
      refundMinor: 0,
      netMinor: clearing.merchantNet.amountMinor,
      occurredAt: new Date(payment.paidAt),
    });
    // Refunds of this payment that arrived first were parked; they clear now, after it.
    await this.refunds.clearParked(manager, payment.transactionId);
    await this.outbox.publish(manager, PaymentCleared, {
      clearingId: clearing.clearingId,
      paymentId: payment.paymentId,
      transactionId: payment.transactionId,
      merchantId: payment.merchantId,
      gross: clearing.gross.toJSON(),
      merchantFee: clearing.merchantFee.toJSON(),
      channelCost: clearing.channelCost.toJSON(),
      platformMargin: clearing.platformMargin.toJSON(),
      merchantNet: clearing.merchantNet.toJSON(),
      clearedAt: clearedAt.toISOString(),
    });
    if (clearing.marginNegative) {
      // Allowed (a promotional rate), but someone should know we lose money on it.
      this.log.warn(
        {
          clearingId: clearing.clearingId,
          merchantId: payment.merchantId,
          channel: payment.channel,
          platformMargin: clearing.platformMargin.toJSON(),
        },
        'negative platform margin (平台毛利为负)',
      );
    }
    return { kind: 'cleared', clearingId: clearing.clearingId, journalEntryId: journal.id };
  }

  async find(transactionId: string): Promise<ClearingView> {
    const row = await this.dataSource.getRepository(ClearingEntity).findOneBy({ transactionId });
    if (!row) {
      // AppError rather than a coded domain error: the catalogue maps every CLEARING.* code to
      // api_error (500) before it looks at the .NOT_FOUND suffix.
      throw new AppError(
        'not_found_error',
        'CLEARING.NOT_FOUND',
        `No clearing for transaction ${transactionId}.`,
        'transactionId',
      );
    }
    const journal = await this.ledger.entry(row.journalEntryId);
    if (!journal) {
      throw new Error(`clearing ${row.id} references missing journal entry ${row.journalEntryId}`);
    }
    const money = (amountMinor: number) => ({ amountMinor, currency: row.currency });
    return {
      clearingId: row.id,
      transactionId: row.transactionId,
      paymentId: row.paymentId,
      merchantId: row.merchantId,
      channel: row.channel,
      channelAccountId: row.channelAccountId,
      channelTradeNo: row.channelTradeNo,
      gross: money(row.grossMinor),
      merchantFee: money(row.merchantFeeMinor),
      channelCost: money(row.channelCostMinor),
      platformMargin: money(row.platformMarginMinor),
      merchantNet: money(row.merchantNetMinor),
      merchantFeeRatePpm: row.merchantFeeRatePpm,
      channelCostRatePpm: row.channelCostRatePpm,
      feeRateSource: row.feeRateSource,
      channelCostRateSource: row.channelCostRateSource,
      rounding: { merchantFee: row.merchantFeeRounding, channelCost: row.channelCostRounding },
      paidAt: row.paidAt.toISOString(),
      businessDate: row.businessDate,
      clearedAt: row.clearedAt.toISOString(),
      journal,
    };
  }

  /** A repeat is harmless only if it describes the same payment; otherwise someone must look. */
  private alreadyCleared(
    existing: ClearingEntity,
    payment: PaidOrder,
    messageId: string,
  ): ClearOutcome {
    const differences = [
      ['paymentId', existing.paymentId, payment.paymentId],
      ['merchantId', existing.merchantId, payment.merchantId],
      ['channel', existing.channel, payment.channel],
      ['amountMinor', existing.grossMinor, payment.amount.amountMinor],
      ['currency', existing.currency, payment.amount.currency],
    ].filter(([, stored, incoming]) => stored !== incoming);
    if (differences.length > 0) {
      throw new PermanentMessageError(
        `SETTLEMENT.CONFLICTING_DUPLICATE: transaction ${payment.transactionId} was already ` +
          `cleared as ${existing.id} with different facts: ` +
          differences
            .map(([field, stored, incoming]) => `${field} ${stored} ≠ ${incoming}`)
            .join(', '),
      );
    }
    this.log.info(
      { transactionId: payment.transactionId, clearingId: existing.id, messageId },
      'transaction already cleared; event ignored',
    );
    return { kind: 'already-cleared', clearingId: existing.id };
  }
}

function toRow(
  payment: PaidOrder,
  messageId: string,
  clearing: ClearingResult,
  resolved: ResolvedFeeSchedule,
  journal: JournalEntry,
  clearedAt: Date,
): ClearingEntity {
  return {
    id: clearing.clearingId,
    transactionId: payment.transactionId,
    paymentId: payment.paymentId,
    merchantId: payment.merchantId,
    channel: payment.channel,
    channelAccountId: payment.channelAccountId ?? null,
    channelTradeNo: payment.channelTradeNo,
    currency: clearing.gross.currency,
    grossMinor: clearing.gross.amountMinor,
    merchantFeeMinor: clearing.merchantFee.amountMinor,
    channelCostMinor: clearing.channelCost.amountMinor,
    platformMarginMinor: clearing.platformMargin.amountMinor,
    merchantNetMinor: clearing.merchantNet.amountMinor,
    merchantFeeRatePpm: clearing.merchantFeeRate.toPpm(),
    channelCostRatePpm: clearing.channelCostRate.toPpm(),
    feeRateSource: resolved.source,
    channelCostRateSource: resolved.costSource,
    merchantFeeRounding: clearing.rounding.merchantFee,
    channelCostRounding: clearing.rounding.channelCost,
    journalEntryId: journal.id,
    sourceMessageId: messageId,
    paidAt: new Date(payment.paidAt),
    businessDate: payment.businessDate,
    clearedAt,
  };
}
