import { Money, type CurrencyCode } from '@paylab/money';
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

/** What the merchant API returns for an order. */
export interface PaymentView {
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

export function toView(order: PaymentOrder, publicBaseUrl: string): PaymentView {
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
