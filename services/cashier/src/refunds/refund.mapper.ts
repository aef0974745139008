import { Money, type CurrencyCode, type MoneyJSON } from '@paylab/money';
import type { ChannelCode } from '../payments/domain/payment-order';
import { Refund, type RefundKind, type RefundProps, type RefundState } from './domain/refund';
import type { RefundEntity } from './refund.entity';

export function toRefundDomain(row: RefundEntity): Refund {
  return Refund.fromProps({
    id: row.id,
    paymentId: row.paymentId,
    merchantId: row.merchantId,
    appId: row.appId,
    transactionId: row.transactionId,
    kind: row.kind as RefundKind,
    amount: Money.of(row.amountMinor, row.currency as CurrencyCode),
    reason: row.reason ?? undefined,
    merchantRefundNo: row.merchantRefundNo ?? undefined,
    channel: row.channel as ChannelCode,
    channelAccountId: row.channelAccountId ?? undefined,
    state: row.state as RefundState,
    channelRefundNo: row.channelRefundNo ?? undefined,
    businessDate: row.businessDate ?? undefined,
    failureCode: row.failureCode ?? undefined,
    failureMessage: row.failureMessage ?? undefined,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    succeededAt: row.succeededAt ?? undefined,
    failedAt: row.failedAt ?? undefined,
    version: row.version,
  });
}

export function toRefundRow(props: RefundProps): RefundEntity {
  return {
    id: props.id,
    paymentId: props.paymentId,
    merchantId: props.merchantId,
    appId: props.appId,
    transactionId: props.transactionId,
    kind: props.kind,
    amountMinor: props.amount.amountMinor,
    currency: props.amount.currency,
    state: props.state,
    reason: props.reason ?? null,
    merchantRefundNo: props.merchantRefundNo ?? null,
    channel: props.channel,
    channelAccountId: props.channelAccountId ?? null,
    channelRefundNo: props.channelRefundNo ?? null,
    businessDate: props.businessDate ?? null,
    failureCode: props.failureCode ?? null,
    failureMessage: props.failureMessage ?? null,
    createdAt: props.createdAt,
    updatedAt: props.updatedAt,
    succeededAt: props.succeededAt ?? null,
    failedAt: props.failedAt ?? null,
    version: props.version,
  };
}

/** What the merchant API (and the refund webhooks) return for a refund. */
export interface RefundView {
  id: string;
  paymentId: string;
  merchantId: string;
  kind: RefundKind;
  amount: MoneyJSON;
  reason: string | null;
  merchantRefundNo: string | null;
  state: RefundState;
  /** The channel transaction the money goes back from (the order's, or a late payment's). */
  transactionId: string;
  channel: ChannelCode;
  channelRefundNo: string | null;
  failureCode: string | null;
  failureMessage: string | null;
  createdAt: string;
  succeededAt: string | null;
  failedAt: string | null;
}

export function toRefundView(refund: Refund): RefundView {
  return {
    id: refund.id,
    paymentId: refund.paymentId,
    merchantId: refund.merchantId,
    kind: refund.kind,
    amount: refund.amount.toJSON(),
    reason: refund.reason ?? null,
    merchantRefundNo: refund.merchantRefundNo ?? null,
    state: refund.state,
    transactionId: refund.transactionId,
    channel: refund.channel,
    channelRefundNo: refund.channelRefundNo ?? null,
    failureCode: refund.failureCode ?? null,
    failureMessage: refund.failureMessage ?? null,
    createdAt: refund.createdAt.toISOString(),
    succeededAt: refund.succeededAt?.toISOString() ?? null,
    failedAt: refund.failedAt?.toISOString() ?? null,
  };
}
