import { Money, type CurrencyCode } from '@paylab/money';
import type { PaymentOrderState } from '../../payments/domain/payment-order';
import { DomainError } from '../../shared/domain-error';
import type { RefundKind, RefundState } from './refund';

/** What the refundable-amount rule needs to know about a refund already stored. */
export interface StoredRefundFacts {
  kind: RefundKind;
  state: RefundState;
  amount: Money;
}

/** What it needs to know about the order being refunded. */
export interface RefundableOrder {
  id: string;
  state: PaymentOrderState;
  amount: Money;
}

/**
 * How the order's money stands, counting merchant refunds only: a late payment return gives back
 * another transaction's money, so it never uses up what the merchant may refund.
 * - refunded: SUCCEEDED merchant refunds (the money has reached the payer);
 * - refunding: PENDING merchant refunds (promised to the payer, not yet confirmed);
 * - refundable: what the merchant may still ask for: paid − refunded − refunding.
 */
export interface RefundBalance {
  paid: Money;
  refunded: Money;
  refunding: Money;
  refundable: Money;
}

export function refundBalance(order: RefundableOrder, refunds: readonly StoredRefundFacts[]) {
  const zero = Money.zero(order.amount.currency);
  let refunded = zero;
  let refunding = zero;
  for (const refund of refunds) {
    if (refund.kind !== 'MERCHANT_REFUND') continue;
    if (refund.state === 'SUCCEEDED') refunded = refunded.add(refund.amount);
    else if (refund.state === 'PENDING') refunding = refunding.add(refund.amount);
  }
  const refundable = order.amount.subtract(refunded).subtract(refunding);
  return { paid: order.amount, refunded, refunding, refundable } satisfies RefundBalance;
}

/**
 * The merchant's view of refunds on an order (退款状态). The order's own state stays SUCCEEDED: a
 * refund does not undo the payment, it is a second movement of money with its own record.
 * NONE: nothing has reached the payer yet (a pending refund shows in refundingAmount);
 * PARTIALLY_REFUNDED: part of the payment is back with the payer; REFUNDED: all of it is.
 */
export type RefundStatus = 'NONE' | 'PARTIALLY_REFUNDED' | 'REFUNDED';

export function refundStatusOf(balance: RefundBalance): RefundStatus {
  if (balance.refunded.isZero()) return 'NONE';
  return balance.refunded.equals(balance.paid) ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
}

/**
 * Turns the merchant's requested amount into Money, with the refund's own error codes: a whole,
 * positive, safe number of minor units in the order's currency. Nothing else is rounded or fixed
 * up: 0.5 fen is a mistake to report, not a value to guess at.
 */
export function requestedRefundAmount(
  amountMinor: unknown,
  currency: unknown,
  orderCurrency: CurrencyCode,
): Money {
  if (typeof amountMinor !== 'number' || !Number.isSafeInteger(amountMinor) || amountMinor <= 0) {
    throw new DomainError(
      'REFUND.INVALID_AMOUNT',
      `amount.amountMinor must be a positive whole number of fen (minor units), got ${String(amountMinor)}`,
      'amount.amountMinor',
    );
  }
  if (currency !== orderCurrency) {
    throw new DomainError(
      'REFUND.CURRENCY_MISMATCH',
      `The payment was made in ${orderCurrency}; a refund must be in ${orderCurrency}, got ${JSON.stringify(currency)}`,
      'amount.currency',
    );
  }
  return Money.of(amountMinor, orderCurrency);
}

/**
 * The refundable-amount rule (可退金额): a merchant refund is only for a SUCCEEDED order, and the
 * PENDING and SUCCEEDED merchant refunds plus this one never exceed what was paid. Pending refunds
 * count, because the channel may still carry them out. Failed ones do not: their money never left.
 * The caller must hold the order's row lock while it reads `refunds` and stores the new one, or
 * two requests could each see the same room. Returns the balance after this refund.
 */
export function assertRefundable(
  order: RefundableOrder,
  refunds: readonly StoredRefundFacts[],
  requested: Money,
): RefundBalance {
  if (order.state !== 'SUCCEEDED') {
    throw new DomainError(
      'REFUND.PAYMENT_NOT_REFUNDABLE',
      `Payment ${order.id} is ${order.state}; only a SUCCEEDED payment can be refunded.`,
      undefined,
      { state: order.state },
    );
  }
  if (!requested.isPositive()) {
    throw new DomainError(
      'REFUND.INVALID_AMOUNT',
      `A refund must be for more than nothing, got ${requested.toString()}`,
      'amount.amountMinor',
    );
  }
  if (requested.currency !== order.amount.currency) {
    throw new DomainError(
      'REFUND.CURRENCY_MISMATCH',
      `The payment was made in ${order.amount.currency}; a refund must be in ${order.amount.currency}, got ${requested.currency}`,
      'amount.currency',
    );
  }
  const before = refundBalance(order, refunds);
  if (requested.greaterThan(before.refundable)) {
    throw new DomainError(
      'REFUND.EXCEEDS_REFUNDABLE_AMOUNT',
      `Only ${before.refundable.toString()} of the ${before.paid.toString()} paid is still refundable ` +
        `(${before.refunded.toString()} refunded, ${before.refunding.toString()} being refunded); ` +
        `${requested.toString()} was asked for.`,
      'amount.amountMinor',
      {
        refundableMinor: String(before.refundable.amountMinor),
        refundedMinor: String(before.refunded.amountMinor),
        refundingMinor: String(before.refunding.amountMinor),
      },
    );
  }
  return {
    ...before,
    refunding: before.refunding.add(requested),
    refundable: before.refundable.subtract(requested),
  };
}
