import type { EventContract } from '@paylab/contracts';
import { newId } from '@paylab/ids';
import type { Kafka } from 'kafkajs';
import { eventHeaders } from '../outbox/event-headers';
import { PINNED_PARTITIONER } from './kafka-factory';

export interface ReadMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

/**
 * Reads a topic from the beginning without joining a consumer group (no offsets committed),
 * for operators inspecting a dead-letter topic and for tests asserting what was published.
 */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  options: { minMessages: number; timeoutMs: number },
): Promise<ReadMessage[]> {
  const admin = kafka.admin();
  await admin.connect();
  const consumer = kafka.consumer({
    groupId: `paylab-reader-${process.pid}-${Date.now()}-${Math.random()}`,
  });
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    const messages: ReadMessage[] = [];
    const expected = offsets.reduce(
      (sum, partition) => sum + Number(partition.high) - Number(partition.low),
      0,
    );
    if (expected === 0 && options.minMessages === 0) return [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => resolve(), options.timeoutMs);
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            messages.push({
              topic,
              partition,
              offset: message.offset,
              key: message.key?.toString('utf8') ?? null,
              value: message.value?.toString('utf8') ?? null,
              headers: Object.fromEntries(
                Object.entries(message.headers ?? {}).map(([name, value]) => [
                  name,
                  value?.toString() ?? '',
                ]),
              ),
            });
            if (messages.length >= Math.max(options.minMessages, expected)) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    return messages.sort(
      (a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset),
    );
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}

export interface RawOutgoingMessage {
  key: string | null;
  value: string | Buffer | null;
  headers?: Record<string, string>;
}

/** Writes messages as they are, bypassing the outbox: for replaying dead letters and for tests. */
export async function publishRaw(
  kafka: Kafka,
  topic: string,
  messages: RawOutgoingMessage[],
): Promise<void> {
  const producer = kafka.producer({
    createPartitioner: PINNED_PARTITIONER,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
}

export interface PublishEventOptions {
  messageId?: string;
  correlationId?: string;
  /** Defaults to the contract's key of the payload. */
  key?: string;
  producer?: string;
  occurredAt?: Date | string;
}

/**
 * Publishes one event as a service's relay would (same key, same headers) but without an
 * outbox and without validating the payload: for tests and for replaying by hand. Returns
 * the message id.
 */
export async function publishEvent(
  kafka: Kafka,
  contract: EventContract,
  payload: unknown,
  options: PublishEventOptions = {},
): Promise<string> {
  const messageId = options.messageId ?? newId('evt');
  let key = options.key ?? null;
  if (key === null) {
    try {
      key = (contract.keyOf(payload as never) as string | undefined) ?? null;
    } catch {
      key = null;
    }
  }
  await publishRaw(kafka, contract.topic, [
    {
      key,
      value: JSON.stringify(payload),
      headers: eventHeaders({
        messageId,
        contract,
        correlationId: options.correlationId ?? `corr-${messageId}`,
        producer: options.producer ?? 'manual',
        occurredAt: options.occurredAt ?? new Date(),
      }),
    },
  ]);
  return messageId;
}
