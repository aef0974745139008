import { Inject, Injectable } from '@nestjs/common';
import { Money, type CurrencyCode } from '@paylab/money';
import type { EntityManager } from 'typeorm';
import type { RefundKind, RefundState } from '../refunds/domain/refund';
import { refundBalance, refundStatusOf } from '../refunds/domain/refundable-amount';
import { RefundEntity } from '../refunds/refund.entity';
import type { PaymentOrder } from './domain/payment-order';
import { LatePaymentEntity } from './late-payment.entity';
import { toView, type PaymentRefundFacts, type PaymentView } from './payment-order.mapper';

export const CASHIER_PUBLIC_BASE_URL = Symbol('CASHIER_PUBLIC_BASE_URL');

/**
 * Builds the merchant's view of a payment: the order plus what was refunded from it and the late
 * payments it received. Reads through the caller's manager, so inside a transaction the view
 * includes that transaction's own changes (a webhook body is always what was committed with it).
 */
@Injectable()
export class PaymentViews {
  constructor(@Inject(CASHIER_PUBLIC_BASE_URL) private readonly publicBaseUrl: string) {}

  async of(manager: EntityManager, order: PaymentOrder): Promise<PaymentView> {
    return toView(order, this.publicBaseUrl, await this.refundFactsOf(manager, order));
  }

  private async refundFactsOf(
    manager: EntityManager,
    order: PaymentOrder,
  ): Promise<PaymentRefundFacts> {
    const refunds = await manager.getRepository(RefundEntity).find({
      where: { paymentId: order.id },
      select: ['kind', 'state', 'amountMinor', 'currency'],
    });
    const balance = refundBalance(
      order,
      refunds.map((row) => ({
        kind: row.kind as RefundKind,
        state: row.state as RefundState,
        amount: Money.of(row.amountMinor, row.currency as CurrencyCode),
      })),
    );
    const latePayments = await manager
      .getRepository(LatePaymentEntity)
      .find({ where: { paymentId: order.id }, order: { recordedAt: 'ASC', transactionId: 'ASC' } });
    return {
      refundedAmount: balance.refunded.toJSON(),
      refundingAmount: balance.refunding.toJSON(),
      refundStatus: refundStatusOf(balance),
      latePayments: latePayments.map((late) => ({
        transactionId: late.transactionId,
        amount: { amountMinor: late.amountMinor, currency: late.currency as CurrencyCode },
        reason: late.reason,
        status: late.status,
        refundId: late.refundId,
        paidAt: late.paidAt.toISOString(),
      })),
    };
  }
}
