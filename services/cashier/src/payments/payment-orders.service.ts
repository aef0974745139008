import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  ChannelPaymentClosed,
  ChannelPaymentSucceeded,
  CloseCharge,
  LatePaymentRecorded,
  PaymentOrderClosed,
  PaymentOrderCreated,
  PaymentOrderFailed,
  PaymentOrderProcessing,
  PaymentOrderSucceededV2,
  type EnvelopeOf,
  type EventContract,
  type PayloadOf,
} from '@paylab/contracts';
import {
  KafkaRequestClient,
  Outbox,
  PermanentMessageError,
  RequestFailedError,
} from '@paylab/messaging';
import { Money, MoneyError, type CurrencyCode } from '@paylab/money';
import { ROOT_LOGGER, type PaylabLogger } from '@paylab/platform';
import type { DataSource, EntityManager } from 'typeorm';
import { QueryFailedError } from 'typeorm';
import type { MerchantContext } from '../merchant-auth/merchant-auth.guard';
import { MerchantNotifications } from '../notifications/merchant-notifications.service';
import { Refunds } from '../refunds/refunds.service';
import { DomainError } from '../shared/domain-error';
import { applyChannelPayment, type LatePaymentReason } from './domain/channel-payment';
import {
  PaymentOrder,
  type PaymentOrderEvent,
  type PaymentOrderTransitionResult,
} from './domain/payment-order';
import { LatePaymentEntity } from './late-payment.entity';
import { PaymentOrderEntity } from './payment-order.entity';
import { toDomain, toRow, type PaymentView } from './payment-order.mapper';
import { PaymentViews } from './payment-views';

export { CASHIER_PUBLIC_BASE_URL } from './payment-views';
/** How long past its deadline a PROCESSING order may wait for acquiring's close (ms). */
export const PROCESSING_CLOSE_GRACE_MS = Symbol('PROCESSING_CLOSE_GRACE_MS');

export type ChannelPaymentOutcome =
  { kind: 'succeeded' | 'duplicate' } | { kind: 'late'; reason: LatePaymentReason };

export interface CreatePaymentRequest {
  merchantOrderNo: string;
  amount: { amountMinor: number; currency: string };
  subject: string;
  description?: string;
  notifyUrl?: string;
  returnUrl?: string;
  expiresInSeconds?: number;
}

/**
 * payment_order.succeeded is published as v2 only, with the channel facts settlement clears
 * with; so a success can only be stored where those facts are known (applyChannelPayment).
 */
const CONTRACT_OF: Record<
  Exclude<PaymentOrderEvent['type'], 'payment_order.succeeded'>,
  EventContract
> = {
  'payment_order.created': PaymentOrderCreated,
  'payment_order.processing': PaymentOrderProcessing,
  'payment_order.failed': PaymentOrderFailed,
  'payment_order.closed': PaymentOrderClosed,
};

/** The channel's facts about the payment, carried on cashier's verdicts for settlement. */
type ChannelFacts = Pick<
  PayloadOf<typeof PaymentOrderSucceededV2>,
  'transactionId' | 'channel' | 'channelAccountId' | 'channelTradeNo' | 'paidAt' | 'businessDate'
>;

/** Wire names of the fields the domain reports problems on. */
const PARAM_OF_CODE: Record<string, string> = {
  'PAYMENT.INVALID_AMOUNT': 'amount.amountMinor',
  'PAYMENT.AMOUNT_TOO_LARGE': 'amount.amountMinor',
  'PAYMENT.UNSUPPORTED_CURRENCY': 'amount.currency',
};

/** Payment orders (支付单) of the merchant Open API: every change and its event in one transaction. */
@Injectable()
export class PaymentOrders {
  private readonly log: PaylabLogger;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly views: PaymentViews,
    private readonly notifications: MerchantNotifications,
    private readonly requests: KafkaRequestClient,
    @Inject(PROCESSING_CLOSE_GRACE_MS) private readonly processingCloseGraceMs: number,
    private readonly refunds: Refunds,
    @Inject(ROOT_LOGGER) logger: PaylabLogger,
  ) {
    this.log = logger.child({ component: 'payment-orders' });
  }

  async create(
    manager: EntityManager,
    merchant: MerchantContext,
    request: CreatePaymentRequest,
  ): Promise<PaymentView> {
    const { order, event } = withWireParams(() =>
      PaymentOrder.create(
        {
          merchantId: merchant.merchantId,
          appId: merchant.appId,
          merchantOrderNo: request.merchantOrderNo,
          amount: toMoney(request.amount),
          subject: request.subject,
          description: request.description,
          notifyUrl: request.notifyUrl,
          returnUrl: request.returnUrl,
          expiresInSeconds: request.expiresInSeconds,
        },
        new Date(),
      ),
    );
    try {
      await manager.insert(PaymentOrderEntity, toRow(order.toProps()));
    } catch (error) {
      if (
        error instanceof QueryFailedError &&
        (error.driverError as { constraint?: string }).constraint ===
          'payment_orders_merchant_order_no'
      ) {
        throw new DomainError(
          'PAYMENT.DUPLICATE_MERCHANT_ORDER_NO',
          `An order with merchantOrderNo ${request.merchantOrderNo} already exists. Query it instead of creating it again.`,
          'merchantOrderNo',
        );
      }
      throw error;
    }
    await this.publish(manager, event);
    return this.views.of(manager, order);
  }

  async find(merchantId: string, paymentId: string): Promise<PaymentView> {
    const row = await this.dataSource
      .getRepository(PaymentOrderEntity)
      .findOneBy({ id: paymentId, merchantId });
    if (!row) throw notFound(paymentId);
    return this.views.of(this.dataSource.manager, toDomain(row));
  }

  async findByMerchantOrderNo(merchantId: string, merchantOrderNo: string): Promise<PaymentView> {
    const row = await this.dataSource
      .getRepository(PaymentOrderEntity)
      .findOneBy({ merchantOrderNo, merchantId });
    if (!row) throw notFound(`merchantOrderNo ${merchantOrderNo}`);
    return this.views.of(this.dataSource.manager, toDomain(row));
  }

  /**
   * The merchant closes an order (关单). Closing twice is not an error: the second call returns the
   * closed order unchanged. A PROCESSING order has a channel charge the payer may still pay, so
   * acquiring closes it at the channel first (CloseCharge, request/reply); only then is the order
   * closed. If the payer has already paid at the channel the order stays open and the merchant
   * gets 409 PAYMENT.ALREADY_PAID_AT_CHANNEL: the payment is on its way.
   */
  async close(merchantId: string, paymentId: string): Promise<PaymentView> {
    let chargeClosed = false;
    for (;;) {
      const current = await this.dataSource
        .getRepository(PaymentOrderEntity)
        .findOneBy({ id: paymentId, merchantId });
      if (!current) throw notFound(paymentId);
      if (!chargeClosed && toDomain(current).closePlan() === 'close-charge-first') {
        // Not under the row lock: the channel call may take seconds.
        await this.closeCharge(paymentId, merchantId);
        chargeClosed = true;
      }
      const closed = await this.dataSource.transaction(async (manager) => {
        const row = await this.lockOrder(manager, paymentId, merchantId);
        if (!row) throw notFound(paymentId);
        // The payer chose a method since the read above: close that charge first, then retry.
        if (!chargeClosed && toDomain(row).closePlan() === 'close-charge-first') return undefined;
        return this.store(manager, row, toDomain(row).close('MERCHANT_REQUEST', new Date()));
      });
      if (closed) return closed;
    }
  }

  /** Asks acquiring to close the payment's channel trade; TRADE_ALREADY_PAID becomes a 409. */
  private async closeCharge(paymentId: string, merchantId: string): Promise<void> {
    try {
      await this.requests.request(CloseCharge, { paymentId, merchantId });
    } catch (error) {
      if (error instanceof RequestFailedError && error.code === 'CHANNEL.TRADE_ALREADY_PAID') {
        throw new DomainError(
          'PAYMENT.ALREADY_PAID_AT_CHANNEL',
          `The payer has already paid payment ${paymentId} at the channel; it is not closed, and its success is on its way.`,
        );
      }
      throw error;
    }
  }

  /**
   * Cashier's side of a channel trade closed by acquiring (ChannelPaymentClosed), inside the
   * inbox's transaction: an open order is closed (EXPIRED, or MERCHANT_REQUEST for a requested
   * close still open) with its event and the merchant's payment.closed webhook; an order already
   * CLOSED, or decided by a payment, is left as it is.
   */
  async applyChannelClosed(
    manager: EntityManager,
    envelope: EnvelopeOf<typeof ChannelPaymentClosed>,
  ): Promise<void> {
    const closedTrade = envelope.payload;
    const row = await this.lockOrder(manager, closedTrade.paymentId);
    if (!row || row.merchantId !== closedTrade.merchantId) {
      throw new PermanentMessageError(
        `CASHIER.UNKNOWN_PAYMENT: ${closedTrade.transactionId} closed payment ${closedTrade.paymentId} of ${closedTrade.merchantId}, which cashier does not know`,
      );
    }
    const result = toDomain(row).closeAfterChannelClosed(closedTrade.reason, new Date());
    if (!result.changed) {
      this.log.info(
        { paymentId: row.id, state: row.state, messageId: envelope.id },
        'channel trade closed; order already decided, no effect',
      );
      return;
    }
    await this.store(manager, row, result);
    this.log.info(
      { paymentId: row.id, reason: result.order.closeReason },
      'order closed after its channel trade closed',
    );
  }

  /**
   * The safety net for PROCESSING orders (see PaymentOrder.isStuckProcessing): asks acquiring to
   * close the charge of up to `limit` orders still PROCESSING a grace period after their
   * deadline, and closes each (EXPIRED) once the channel trade is closed or was never created.
   * One that turns out paid is left for its payment. Returns how many it closed.
   */
  async closeStuckProcessing(now: Date, limit: number): Promise<number> {
    const cutoff = new Date(now.getTime() - this.processingCloseGraceMs);
    const rows = await this.dataSource
      .getRepository(PaymentOrderEntity)
      .createQueryBuilder('payment')
      .where("payment.state = 'PROCESSING' AND payment.expires_at <= :cutoff", { cutoff })
      .orderBy('payment.expires_at', 'ASC')
      .limit(limit)
      .getMany();
    let closedCount = 0;
    for (const candidate of rows) {
      if (!toDomain(candidate).isStuckProcessing(now, this.processingCloseGraceMs)) continue;
      try {
        await this.closeCharge(candidate.id, candidate.merchantId);
      } catch (error) {
        this.log.warn(
          { err: error, paymentId: candidate.id },
          'stuck PROCESSING order: the channel charge could not be closed; will retry',
        );
        continue;
      }
      const changed = await this.dataSource.transaction(async (manager) => {
        const row = await this.lockOrder(manager, candidate.id);
        if (!row) return false;
        const result = toDomain(row).closeAfterChannelClosed('EXPIRED', new Date());
        await this.store(manager, row, result);
        return result.changed;
      });
      if (changed) closedCount += 1;
    }
    if (closedCount > 0) this.log.info({ closed: closedCount }, 'stuck PROCESSING orders closed');
    return closedCount;
  }

  private lockOrder(
    manager: EntityManager,
    paymentId: string,
    merchantId?: string,
  ): Promise<PaymentOrderEntity | null> {
    const query = manager
      .getRepository(PaymentOrderEntity)
      .createQueryBuilder('payment')
      .setLock('pessimistic_write')
      .where('payment.id = :paymentId', { paymentId });
    if (merchantId) query.andWhere('payment.merchant_id = :merchantId', { merchantId });
    return query.getOne();
  }

  /**
   * Cashier's side of a confirmed channel payment (step 5 of the payment walkthrough), inside the inbox's
   * transaction. The order is row-locked, so a concurrent close or a second event for it waits
   * and then sees the outcome of this one.
   *
   * - CREATED/PROCESSING → SUCCEEDED, with PaymentOrderSucceededV2 (carrying the channel facts
   *   settlement clears with) in the outbox and the merchant's webhook queued, all in this
   *   transaction.
   * - The same transaction again (re-published under a new message id): no effect.
   * - Money for an order that cannot take it (CLOSED, FAILED, or paid by another transaction) is
   *   recorded in `late_payments`, a LATE_PAYMENT_RETURN refund for the full amount is requested
   *   (RefundRequested), and LatePaymentRecorded tells settlement to hold it in suspense; the
   *   order stays as it is and the merchant is never credited. The message is processed, not
   *   dead-lettered: nothing about it is wrong, and the return is the action.
   * - An event that contradicts the order (unknown payment, another merchant or amount, another
   *   channel) throws PermanentMessageError with a coded reason: it goes to the dead-letter topic
   *   for an operator, because no automatic action on it is safe.
   */
  async applyChannelPayment(
    manager: EntityManager,
    envelope: EnvelopeOf<typeof ChannelPaymentSucceeded>,
  ): Promise<ChannelPaymentOutcome> {
    const payment = envelope.payload;
    const row = await manager
      .getRepository(PaymentOrderEntity)
      .createQueryBuilder('payment')
      .setLock('pessimistic_write')
      .where('payment.id = :id', { id: payment.paymentId })
      .getOne();
    if (!row) {
      throw new PermanentMessageError(
        `CASHIER.UNKNOWN_PAYMENT: ${payment.transactionId} reports payment ${payment.paymentId}, which cashier does not know`,
      );
    }
    const order = toDomain(row);
    const decision = applyChannelPayment(
      order,
      {
        transactionId: payment.transactionId,
        paymentId: payment.paymentId,
        merchantId: payment.merchantId,
        channel: payment.channel,
        channelAccountId: payment.channelAccountId,
        amountMinor: payment.amount.amountMinor,
        currency: payment.amount.currency,
        paidAt: new Date(payment.paidAt),
      },
      new Date(),
    );
    const channelFacts: ChannelFacts = {
      transactionId: payment.transactionId,
      channel: payment.channel,
      ...(payment.channelAccountId === undefined
        ? {}
        : { channelAccountId: payment.channelAccountId }),
      channelTradeNo: payment.channelTradeNo,
      paidAt: payment.paidAt,
      businessDate: payment.businessDate,
    };
    switch (decision.kind) {
      case 'succeeded':
        await this.store(manager, row, decision.transition, channelFacts);
        return { kind: 'succeeded' };
      case 'duplicate':
        this.log.info(
          { paymentId: order.id, transactionId: payment.transactionId, messageId: envelope.id },
          'channel payment already applied; event ignored',
        );
        return { kind: 'duplicate' };
      case 'late': {
        const recorded = await manager
          .getRepository(LatePaymentEntity)
          .existsBy({ transactionId: payment.transactionId });
        if (recorded) {
          // The same late transaction re-published: already recorded and being returned.
          this.log.info(
            { paymentId: order.id, transactionId: payment.transactionId, messageId: envelope.id },
            'late payment already recorded; event ignored',
          );
          return { kind: 'late', reason: decision.reason };
        }
        const amount = Money.of(payment.amount.amountMinor, payment.amount.currency);
        const refund = await this.refunds.requestLatePaymentReturn(manager, {
          order,
          transactionId: payment.transactionId,
          channel: payment.channel,
          channelAccountId: payment.channelAccountId,
          amount,
        });
        const recordedAt = new Date();
        await manager.insert(LatePaymentEntity, {
          transactionId: payment.transactionId,
          paymentId: payment.paymentId,
          merchantId: payment.merchantId,
          channel: payment.channel,
          channelTradeNo: payment.channelTradeNo,
          amountMinor: payment.amount.amountMinor,
          currency: payment.amount.currency,
          paidAt: new Date(payment.paidAt),
          reason: decision.reason,
          orderState: order.state,
          messageId: envelope.id,
          status: 'REFUND_PENDING',
          recordedAt,
          refundId: refund.id,
        });
        await this.outbox.publish(manager, LatePaymentRecorded, {
          paymentId: payment.paymentId,
          merchantId: payment.merchantId,
          amount: payment.amount,
          reason: decision.reason,
          refundId: refund.id,
          recordedAt: recordedAt.toISOString(),
          ...channelFacts,
        });
        this.log.warn(
          {
            paymentId: order.id,
            transactionId: payment.transactionId,
            state: order.state,
            reason: decision.reason,
            amount: payment.amount,
            refundId: refund.id,
          },
          'payment arrived for an order that cannot take it; returning it to the payer (迟到支付退回)',
        );
        return { kind: 'late', reason: decision.reason };
      }
      case 'rejected':
        throw new PermanentMessageError(`${decision.code}: ${decision.message}`);
    }
  }

  /**
   * Closes up to `limit` CREATED orders whose deadline is at or before `now` (订单超时关单), in
   * one transaction. SKIP LOCKED lets replicas sweep disjoint orders, and an order being paid
   * right now (locked by the consumer) is left for the next pass, where it is no longer CREATED.
   * PROCESSING orders are not touched: their channel trade is closed by acquiring at the deadline
   * and the order follows its ChannelPaymentClosed (applyChannelClosed); closeStuckProcessing is
   * the safety net. Returns how many it closed.
   */
  async expireDue(now: Date, limit: number): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const rows = await manager
        .getRepository(PaymentOrderEntity)
        .createQueryBuilder('payment')
        .where("payment.state = 'CREATED' AND payment.expires_at <= :now", { now })
        .orderBy('payment.expires_at', 'ASC')
        .limit(limit)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      for (const row of rows) {
        await this.store(manager, row, toDomain(row).close('EXPIRED', now));
      }
      if (rows.length > 0) {
        this.log.info({ closed: rows.map((row) => row.id) }, 'expired orders closed');
      }
      return rows.length;
    });
  }

  /**
   * Stores a transition of a row-locked order with its event and, for SUCCEEDED and CLOSED, the
   * merchant's webhook: all in the caller's transaction. An unchanged result stores nothing.
   */
  private async store(
    manager: EntityManager,
    row: PaymentOrderEntity,
    result: PaymentOrderTransitionResult,
    channelFacts?: ChannelFacts,
  ): Promise<PaymentView> {
    if (!result.changed) return this.views.of(manager, result.order);
    const updated = await manager.update(
      PaymentOrderEntity,
      { id: row.id, version: row.version },
      toRow(result.order.toProps()),
    );
    if (updated.affected !== 1) {
      // Cannot happen under the row lock; if it does, nothing of this change may commit.
      throw new DomainError(
        'PAYMENT.CONCURRENT_UPDATE',
        `Payment ${row.id} changed while it was being updated; retry.`,
      );
    }
    await this.publish(manager, result.event, channelFacts);
    const view = await this.views.of(manager, result.order);
    const notificationType =
      result.order.state === 'SUCCEEDED'
        ? 'payment.succeeded'
        : result.order.state === 'CLOSED'
          ? 'payment.closed'
          : undefined;
    if (notificationType) {
      await this.notifications.enqueue(manager, {
        type: notificationType,
        paymentId: view.id,
        merchantId: view.merchantId,
        appId: view.appId,
        notifyUrl: result.order.notifyUrl,
        data: view,
      });
    }
    return view;
  }

  private async publish(
    manager: EntityManager,
    event: PaymentOrderEvent,
    channelFacts?: ChannelFacts,
  ): Promise<void> {
    if (event.type === 'payment_order.succeeded') {
      if (!channelFacts || channelFacts.transactionId !== event.payload.transactionId) {
        throw new Error(`${event.payload.paymentId}: a success needs its channel facts`);
      }
      await this.outbox.publish(manager, PaymentOrderSucceededV2, {
        ...event.payload,
        ...channelFacts,
      });
      return;
    }
    await this.outbox.publish(manager, CONTRACT_OF[event.type], event.payload);
  }
}

function toMoney(amount: CreatePaymentRequest['amount']): Money {
  try {
    return Money.of(amount.amountMinor, amount.currency as CurrencyCode);
  } catch (error) {
    if (error instanceof MoneyError && error.code === 'MONEY.UNKNOWN_CURRENCY') {
      throw new DomainError(
        'PAYMENT.UNSUPPORTED_CURRENCY',
        `Currency ${amount.currency} is not supported; use CNY.`,
        'amount.currency',
      );
    }
    if (error instanceof MoneyError && amount.amountMinor > Number.MAX_SAFE_INTEGER) {
      throw new DomainError(
        'PAYMENT.AMOUNT_TOO_LARGE',
        'amount.amountMinor is far beyond the per-order limit.',
        'amount.amountMinor',
      );
    }
    if (error instanceof MoneyError) {
      throw new DomainError('PAYMENT.INVALID_AMOUNT', error.message, 'amount.amountMinor');
    }
    throw error;
  }
}

function withWireParams<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof DomainError && PARAM_OF_CODE[error.code]) {
      throw new DomainError(error.code, error.message, PARAM_OF_CODE[error.code], error.details);
    }
    throw error;
  }
}

function notFound(what: string): DomainError {
  return new DomainError('PAYMENT.NOT_FOUND', `No payment ${what} for this merchant.`);
}
