import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  ChannelRefundFailed,
  ChannelRefundSucceeded,
  RefundFailed,
  RefundRequested,
  RefundSucceeded,
  type EnvelopeOf,
  type EventContract,
} from '@paylab/contracts';
import { Outbox, PermanentMessageError } from '@paylab/messaging';
import { Money, type CurrencyCode } from '@paylab/money';
import { ROOT_LOGGER, type PaylabLogger } from '@paylab/platform';
import type { DataSource, EntityManager } from 'typeorm';
import { QueryFailedError } from 'typeorm';
import type { MerchantContext } from '../merchant-auth/merchant-auth.guard';
import { MerchantNotifications } from '../notifications/merchant-notifications.service';
import type { ChannelCode, PaymentOrder } from '../payments/domain/payment-order';
import { LatePaymentEntity } from '../payments/late-payment.entity';
import { PaymentOrderEntity } from '../payments/payment-order.entity';
import { toDomain } from '../payments/payment-order.mapper';
import { PaymentViews } from '../payments/payment-views';
import { DomainError } from '../shared/domain-error';
import {
  Refund,
  type RefundEvent,
  type RefundKind,
  type RefundState,
  type RefundTransitionResult,
} from './domain/refund';
import { assertRefundable, requestedRefundAmount } from './domain/refundable-amount';
import { RefundEntity } from './refund.entity';
import { toRefundDomain, toRefundRow, toRefundView, type RefundView } from './refund.mapper';

export interface CreateRefundRequest {
  amount: { amountMinor: number; currency: string };
  reason?: string;
  merchantRefundNo?: string;
}

export interface RefundPage {
  data: RefundView[];
  hasMore: boolean;
  /** Pass as `startingAfter` for the next page; null on the last one. */
  nextCursor: string | null;
}

export interface LatePaymentReturnInput {
  order: PaymentOrder;
  transactionId: string;
  channel: ChannelCode;
  channelAccountId?: string;
  amount: Money;
}

const CONTRACT_OF: Record<RefundEvent['type'], EventContract> = {
  'refund.requested': RefundRequested,
  'refund.succeeded': RefundSucceeded,
  'refund.failed': RefundFailed,
};

/**
 * Refunds (退款): the merchant's, asked for over the Open API, and the platform's returns of late
 * payments. Every change is stored with its event (outbox) and, where the merchant is told, its
 * webhook, in one transaction.
 */
@Injectable()
export class Refunds {
  private readonly log: PaylabLogger;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly notifications: MerchantNotifications,
    private readonly paymentViews: PaymentViews,
    @Inject(ROOT_LOGGER) logger: PaylabLogger,
  ) {
    this.log = logger.child({ component: 'refunds' });
  }

  /**
   * A merchant refund, in the caller's (idempotency) transaction. The order row is locked first
   * (SELECT … FOR UPDATE), so concurrent refunds of one order run one after the other and each
   * sees the refunds the previous one stored: together they can never exceed what was paid.
   */
  async request(
    manager: EntityManager,
    merchant: MerchantContext,
    paymentId: string,
    request: CreateRefundRequest,
  ): Promise<RefundView> {
    const row = await manager
      .getRepository(PaymentOrderEntity)
      .createQueryBuilder('payment')
      .setLock('pessimistic_write')
      .where('payment.id = :paymentId AND payment.merchant_id = :merchantId', {
        paymentId,
        merchantId: merchant.merchantId,
      })
      .getOne();
    if (!row) throw paymentNotFound(paymentId);
    const order = toDomain(row);
    const amount = requestedRefundAmount(
      request.amount.amountMinor,
      request.amount.currency,
      order.amount.currency,
    );
    const stored = await manager.getRepository(RefundEntity).find({
      where: { paymentId: order.id },
      select: ['kind', 'state', 'amountMinor', 'currency'],
    });
    assertRefundable(
      order,
      stored.map((refund) => ({
        kind: refund.kind as RefundKind,
        state: refund.state as RefundState,
        amount: Money.of(refund.amountMinor, refund.currency as CurrencyCode),
      })),
      amount,
    );
    const { refund, event } = Refund.request(
      {
        paymentId: order.id,
        merchantId: order.merchantId,
        appId: order.appId,
        // A SUCCEEDED order always has both (the domain checks it on load).
        transactionId: order.transactionId!,
        channel: order.channel!,
        channelAccountId: order.channelAccountId,
        kind: 'MERCHANT_REFUND',
        amount,
        paymentAmount: order.amount,
        reason: request.reason,
        merchantRefundNo: request.merchantRefundNo,
      },
      new Date(),
    );
    try {
      await manager.insert(RefundEntity, toRefundRow(refund.toProps()));
    } catch (error) {
      if (
        error instanceof QueryFailedError &&
        (error.driverError as { constraint?: string }).constraint === 'refunds_merchant_refund_no'
      ) {
        throw new DomainError(
          'REFUND.DUPLICATE_MERCHANT_REFUND_NO',
          `A refund with merchantRefundNo ${String(request.merchantRefundNo)} already exists. Query it instead of refunding again.`,
          'merchantRefundNo',
        );
      }
      throw error;
    }
    await this.publish(manager, event);
    this.log.info(
      { paymentId: order.id, refundId: refund.id, amount: amount.toJSON() },
      'refund requested (退款申请)',
    );
    return toRefundView(refund);
  }

  /**
   * The platform's return of a late payment (迟到支付退回), for its full amount, inside the
   * transaction that records the late payment (the order row is locked by the caller). It
   * refunds the late transaction, so it is not checked against the order's refundable amount.
   */
  async requestLatePaymentReturn(
    manager: EntityManager,
    input: LatePaymentReturnInput,
  ): Promise<Refund> {
    const { refund, event } = Refund.request(
      {
        paymentId: input.order.id,
        merchantId: input.order.merchantId,
        appId: input.order.appId,
        transactionId: input.transactionId,
        channel: input.channel,
        channelAccountId: input.channelAccountId,
        kind: 'LATE_PAYMENT_RETURN',
        amount: input.amount,
        paymentAmount: input.amount,
        reason: 'Late payment returned to the payer (迟到支付退回)',
      },
      new Date(),
    );
    await manager.insert(RefundEntity, toRefundRow(refund.toProps()));
    await this.publish(manager, event);
    return refund;
  }

  async find(merchantId: string, refundId: string): Promise<RefundView> {
    const row = await this.dataSource
      .getRepository(RefundEntity)
      .findOneBy({ id: refundId, merchantId });
    if (!row) {
      throw new DomainError('REFUND.NOT_FOUND', `No refund ${refundId} for this merchant.`);
    }
    return toRefundView(toRefundDomain(row));
  }

  /**
   * A payment's refunds, oldest first (ids are time-ordered ULIDs), `limit` at a time; the
   * cursor is the last id of the previous page.
   */
  async listForPayment(
    merchantId: string,
    paymentId: string,
    page: { limit: number; startingAfter?: string },
  ): Promise<RefundPage> {
    const payment = await this.dataSource
      .getRepository(PaymentOrderEntity)
      .findOne({ where: { id: paymentId, merchantId }, select: ['id'] });
    if (!payment) throw paymentNotFound(paymentId);
    const query = this.dataSource
      .getRepository(RefundEntity)
      .createQueryBuilder('refund')
      .where('refund.payment_id = :paymentId AND refund.merchant_id = :merchantId', {
        paymentId,
        merchantId,
      })
      .orderBy('refund.id', 'ASC')
      .limit(page.limit + 1);
    if (page.startingAfter !== undefined) {
      query.andWhere('refund.id > :cursor', { cursor: page.startingAfter });
    }
    const rows = await query.getMany();
    const data = rows.slice(0, page.limit).map((row) => toRefundView(toRefundDomain(row)));
    const hasMore = rows.length > page.limit;
    return { data, hasMore, nextCursor: hasMore ? data[data.length - 1].id : null };
  }

  /** The channel confirmed a refund: PENDING → SUCCEEDED, inside the inbox's transaction. */
  async applyChannelRefundSucceeded(
    manager: EntityManager,
    envelope: EnvelopeOf<typeof ChannelRefundSucceeded>,
  ): Promise<void> {
    const reported = envelope.payload;
    await this.applyChannelOutcome(manager, reported, (refund, now) =>
      refund.succeed(
        {
          channelRefundNo: reported.channelRefundNo,
          succeededAt: new Date(reported.refundedAt),
          businessDate: reported.businessDate,
          channelAccountId: reported.channelAccountId,
        },
        now,
      ),
    );
  }

  /** The channel refused a refund for good: PENDING → FAILED, inside the inbox's transaction. */
  async applyChannelRefundFailed(
    manager: EntityManager,
    envelope: EnvelopeOf<typeof ChannelRefundFailed>,
  ): Promise<void> {
    const reported = envelope.payload;
    await this.applyChannelOutcome(manager, reported, (refund, now) =>
      refund.fail(
        {
          failureCode: reported.failureCode,
          failureMessage: reported.failureMessage,
          failedAt: new Date(reported.failedAt),
          channelAccountId: reported.channelAccountId,
        },
        now,
      ),
    );
  }

  /**
   * Shared by both outcomes: the refund row is locked, so a second report for it waits and then
   * sees this one's result. A report for a refund cashier does not know, or one that contradicts
   * it (other payment, amount, kind, or the opposite outcome), cannot be applied automatically:
   * PermanentMessageError sends it to the dead-letter topic for an operator. A repeat of the
   * recorded outcome changes nothing.
   */
  private async applyChannelOutcome(
    manager: EntityManager,
    reported: {
      refundId: string;
      paymentId: string;
      merchantId: string;
      transactionId: string;
      kind: RefundKind;
      amount: { amountMinor: number; currency: string };
    },
    transition: (refund: Refund, now: Date) => RefundTransitionResult,
  ): Promise<void> {
    const row = await manager
      .getRepository(RefundEntity)
      .createQueryBuilder('refund')
      .setLock('pessimistic_write')
      .where('refund.id = :id', { id: reported.refundId })
      .getOne();
    if (!row) {
      throw new PermanentMessageError(
        `REFUND.UNKNOWN_REFUND: the channel reports refund ${reported.refundId} of ${reported.paymentId}, which cashier does not know`,
      );
    }
    const refund = toRefundDomain(row);
    const mismatch = [
      ['paymentId', refund.paymentId, reported.paymentId],
      ['merchantId', refund.merchantId, reported.merchantId],
      ['transactionId', refund.transactionId, reported.transactionId],
      ['kind', refund.kind, reported.kind],
      [
        'amount',
        `${refund.amount.amountMinor} ${refund.amount.currency}`,
        `${reported.amount.amountMinor} ${reported.amount.currency}`,
      ],
    ].find(([, recorded, said]) => recorded !== said);
    if (mismatch) {
      throw new PermanentMessageError(
        `REFUND.MISMATCH: refund ${refund.id} has ${mismatch[0]} ${mismatch[1]} but the channel reports ${mismatch[2]}`,
      );
    }
    let result: RefundTransitionResult;
    try {
      result = transition(refund, new Date());
    } catch (error) {
      if (error instanceof DomainError) {
        throw new PermanentMessageError(`${error.code}: ${error.message}`);
      }
      throw error;
    }
    if (!result.changed) {
      this.log.info(
        { refundId: refund.id, state: refund.state },
        'channel refund outcome already applied; event ignored',
      );
      return;
    }
    const updated = await manager.update(
      RefundEntity,
      { id: row.id, version: row.version },
      toRefundRow(result.refund.toProps()),
    );
    if (updated.affected !== 1) {
      throw new DomainError(
        'REFUND.CONCURRENT_UPDATE',
        `Refund ${row.id} changed meanwhile; retry.`,
      );
    }
    await this.publish(manager, result.event);
    await this.tellMerchant(manager, result.refund);
  }

  /**
   * The merchant's webhook for a refund outcome. A merchant refund gets refund.succeeded or
   * refund.failed with the refund view. A returned late payment marks its late_payments row
   * REFUNDED and gets payment.late_payment_returned with the payment view; a failed return is
   * for an operator (the late payment stays REFUND_PENDING, the refund shows FAILED).
   */
  private async tellMerchant(manager: EntityManager, refund: Refund): Promise<void> {
    const orderRow = await manager
      .getRepository(PaymentOrderEntity)
      .findOneByOrFail({ id: refund.paymentId });
    const order = toDomain(orderRow);
    const target = {
      paymentId: order.id,
      merchantId: order.merchantId,
      appId: order.appId,
      notifyUrl: order.notifyUrl,
    };
    if (refund.kind === 'MERCHANT_REFUND') {
      await this.notifications.enqueue(manager, {
        ...target,
        type: refund.state === 'SUCCEEDED' ? 'refund.succeeded' : 'refund.failed',
        data: toRefundView(refund),
      });
      return;
    }
    if (refund.state === 'FAILED') {
      this.log.error(
        { refundId: refund.id, paymentId: refund.paymentId, failureCode: refund.failureCode },
        'returning a late payment failed at the channel; an operator must return it (迟到支付退回失败)',
      );
      return;
    }
    await manager.update(
      LatePaymentEntity,
      { refundId: refund.id, status: 'REFUND_PENDING' },
      { status: 'REFUNDED' },
    );
    await this.notifications.enqueue(manager, {
      ...target,
      type: 'payment.late_payment_returned',
      data: await this.paymentViews.of(manager, order),
    });
  }

  private async publish(manager: EntityManager, event: RefundEvent): Promise<void> {
    await this.outbox.publish(manager, CONTRACT_OF[event.type], event.payload);
  }
}

function paymentNotFound(paymentId: string): DomainError {
  return new DomainError('PAYMENT.NOT_FOUND', `No payment ${paymentId} for this merchant.`);
}
