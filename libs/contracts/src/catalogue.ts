import type { EventContract } from './define-event';
import { ChannelPaymentClosed, ChannelPaymentSucceeded } from './events/channel-payments';
import { ChannelRefundFailed, ChannelRefundSucceeded } from './events/channel-refunds';
import { PaymentCleared } from './events/clearings';
import { RefundFailed, RefundRequested, RefundSucceeded } from './events/refunds';
import {
  SettlementBatchCreated,
  SettlementBatchFailed,
  SettlementBatchPaid,
} from './events/settlement-batches';
import {
  LatePaymentRecorded,
  PaymentOrderClosed,
  PaymentOrderCreated,
  PaymentOrderFailed,
  PaymentOrderProcessing,
  PaymentOrderSucceeded,
  PaymentOrderSucceededV2,
} from './events/payment-orders';
import { topicDefinition } from './topics';
import { MessageHeaders, type EventEnvelope } from './wire';

export const EVENT_CATALOGUE: readonly EventContract[] = [
  PaymentOrderCreated,
  PaymentOrderProcessing,
  PaymentOrderSucceeded,
  PaymentOrderSucceededV2,
  PaymentOrderFailed,
  PaymentOrderClosed,
  LatePaymentRecorded,
  ChannelPaymentSucceeded,
  ChannelPaymentClosed,
  RefundRequested,
  RefundSucceeded,
  RefundFailed,
  ChannelRefundSucceeded,
  ChannelRefundFailed,
  PaymentCleared,
  SettlementBatchCreated,
  SettlementBatchPaid,
  SettlementBatchFailed,
];

for (const contract of EVENT_CATALOGUE) {
  if (!topicDefinition(contract.topic)) {
    throw new Error(
      `event ${contract.type} v${contract.version} names unknown topic ${contract.topic}`,
    );
  }
}

export function findContract(type: string, version: number): EventContract | undefined {
  return EVENT_CATALOGUE.find((contract) => contract.type === type && contract.version === version);
}

export type DecodeResult = { ok: true; envelope: EventEnvelope } | { ok: false; reason: string };

export interface RawMessage {
  topic: string;
  key: string | null;
  headers: Record<string, string | undefined>;
  /** The value as text; undefined for a tombstone. */
  value: string | undefined;
}

/**
 * Turns a raw Kafka message into a validated envelope, or says exactly why it cannot.
 * A message that fails here can never succeed, so the consumer dead-letters it at once.
 */
export function decodeEvent(message: RawMessage): DecodeResult {
  const header = (name: string) => message.headers[name];
  const type = header(MessageHeaders.eventType);
  const versionText = header(MessageHeaders.schemaVersion);
  const id = header(MessageHeaders.messageId);
  if (!type) return { ok: false, reason: `missing header ${MessageHeaders.eventType}` };
  if (!versionText || !/^\d+$/.test(versionText)) {
    return { ok: false, reason: `missing or non-numeric header ${MessageHeaders.schemaVersion}` };
  }
  if (!id) return { ok: false, reason: `missing header ${MessageHeaders.messageId}` };
  const version = Number(versionText);
  const contract = findContract(type, version);
  if (!contract) return { ok: false, reason: `unknown event ${type} v${version}` };
  if (contract.topic !== message.topic) {
    return {
      ok: false,
      reason: `event ${type} v${version} does not belong on topic ${message.topic}`,
    };
  }
  if (message.value === undefined) return { ok: false, reason: 'empty message value' };
  let json: unknown;
  try {
    json = JSON.parse(message.value);
  } catch {
    return { ok: false, reason: 'message value is not valid JSON' };
  }
  const parsed = contract.schema.safeParse(json);
  if (!parsed.success) {
    const details = parsed.error.issues
      .map((issue) => `${issue.path.map(String).join('.') || '(payload)'}: ${issue.message}`)
      .join('; ');
    return { ok: false, reason: `payload does not match ${type} v${version}: ${details}` };
  }
  const key = contract.keyOf(parsed.data);
  if (message.key !== null && message.key !== key) {
    return { ok: false, reason: `message key ${message.key} does not match payload key ${key}` };
  }
  return {
    ok: true,
    envelope: {
      id,
      type,
      version,
      topic: message.topic,
      key,
      occurredAt: header(MessageHeaders.occurredAt) ?? '',
      correlationId: header(MessageHeaders.correlationId) ?? id,
      causationId: header(MessageHeaders.causationId),
      producer: header(MessageHeaders.producer) ?? 'unknown',
      payload: parsed.data,
    },
  };
}
