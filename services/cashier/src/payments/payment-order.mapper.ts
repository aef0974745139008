import { Money, type CurrencyCode, type MoneyJSON } from '@paylab/money';
import type { RefundStatus } from '../refunds/domain/refundable-amount';
import type { LatePaymentEntity } from './late-payment.entity';
import type {
  ChannelCode,
  CloseReason,
  PaymentOrderProps,
  PaymentOrderState,
} from './domain/payment-order';
import { PaymentOrder } from './domain/payment-order';
import type { PaymentOrderEntity } from './payment-order.entity';

export function toDomain(row: PaymentOrderEntity): PaymentOrder {
  return PaymentOrder.fromProps({
    id: row.id,
    merchantId: row.merchantId,
    appId: row.appId,
    merchantOrderNo: row.merchantOrderNo,
    amount: Money.of(row.amountMinor, row.currency as CurrencyCode),
    subject: row.subject,
    description: row.description ?? undefined,
    notifyUrl: row.notifyUrl ?? undefined,
    returnUrl: row.returnUrl ?? undefined,
    expiresAt: row.expiresAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    state: row.state as PaymentOrderState,
    channel: (row.channel as ChannelCode | null) ?? undefined,
    transactionId: row.transactionId ?? undefined,
    channelAccountId: row.channelAccountId ?? undefined,
    succeededAt: row.succeededAt ?? undefined,
    failedAt: row.failedAt ?? undefined,
    failureCode: row.failureCode ?? undefined,
    closedAt: row.closedAt ?? undefined,
    closeReason: (row.closeReason as CloseReason | null) ?? undefined,
    version: row.version,
  });
}

export function toRow(props: PaymentOrderProps): PaymentOrderEntity {
  return {
    id: props.id,
    merchantId: props.merchantId,
    appId: props.appId,
    merchantOrderNo: props.merchantOrderNo,
    amountMinor: props.amount.amountMinor,
    currency: props.amount.currency,
    subject: props.subject,
    description: props.description ?? null,
    notifyUrl: props.notifyUrl ?? null,
    returnUrl: props.returnUrl ?? null,
    state: props.state,
    channel: props.channel ?? null,
    transactionId: props.transactionId ?? null,
    channelAccountId: props.channelAccountId ?? null,
    failureCode: props.failureCode ?? null,
    closeReason: props.closeReason ?? null,
    expiresAt: props.expiresAt,
    createdAt: props.createdAt,
    updatedAt: props.updatedAt,
    succeededAt: props.succeededAt ?? null,
    failedAt: props.failedAt ?? null,
    closedAt: props.closedAt ?? null,
    version: props.version,
  };
}

/** The order alone, as the payer's checkout page sees it. */
export interface PaymentOrderView {
  id: string;
  merchantId: string;
  appId: string;
  merchantOrderNo: string;
  amount: { amountMinor: number; currency: string };
  subject: string;
  description: string | null;
  state: PaymentOrderState;
  channel: ChannelCode | null;
  transactionId: string | null;
  expiresAt: string;
  createdAt: string;
  succeededAt: string | null;
  closedAt: string | null;
  closeReason: CloseReason | null;
  checkoutUrl: string;
  /** The aggregated QR (一码付): one code every wallet can scan; encode it as the QR image. */
  qrCodeUrl: string;
}

/** A payment that arrived for this order when it could no longer take it, and its return. */
export interface LatePaymentView {
  transactionId: string;
  amount: MoneyJSON;
  reason: LatePaymentEntity['reason'];
  /** REFUND_PENDING until the LATE_PAYMENT_RETURN refund succeeds, then REFUNDED. */
  status: LatePaymentEntity['status'];
  refundId: string | null;
  paidAt: string;
}

/**
 * Refunds as the merchant sees them on the order. The order's `state` stays SUCCEEDED after a
 * refund (the payment did happen); these fields say how much of it went back. Only merchant
 * refunds count: returning a late payment gives back another transaction's money.
 */
export interface PaymentRefundFacts {
  /** Refunds that reached the payer (SUCCEEDED). */
  refundedAmount: MoneyJSON;
  /** Refunds the channel has not confirmed yet (PENDING); they already use up refundable room. */
  refundingAmount: MoneyJSON;
  refundStatus: RefundStatus;
  latePayments: LatePaymentView[];
}

/** What the merchant API and the payment webhooks return for an order. */
export type PaymentView = PaymentOrderView & PaymentRefundFacts;

export function toView(
  order: PaymentOrder,
  publicBaseUrl: string,
  refundFacts: PaymentRefundFacts,
): PaymentView {
  return { ...toOrderView(order, publicBaseUrl), ...refundFacts };
}

export function toOrderView(order: PaymentOrder, publicBaseUrl: string): PaymentOrderView {
  const props = order.toProps();
  return {
    id: props.id,
    merchantId: props.merchantId,
    appId: props.appId,
    merchantOrderNo: props.merchantOrderNo,
    amount: props.amount.toJSON(),
    subject: props.subject,
    description: props.description ?? null,
    state: props.state,
    channel: props.channel ?? null,
    transactionId: props.transactionId ?? null,
    expiresAt: props.expiresAt.toISOString(),
    createdAt: props.createdAt.toISOString(),
    succeededAt: props.succeededAt?.toISOString() ?? null,
    closedAt: props.closedAt?.toISOString() ?? null,
    closeReason: props.closeReason ?? null,
    checkoutUrl: `${publicBaseUrl.replace(/\/$/, '')}/checkout/${props.id}`,
    qrCodeUrl: `${publicBaseUrl.replace(/\/$/, '')}/qr/${props.id}`,
  };
}
