/**
 * Kafka headers every PayLab message carries. The value is the JSON payload alone; the
 * envelope fields travel as headers so tools can route and filter without parsing bodies.
 * They never use the `kafka_` prefix, which Nest reserves for request/reply.
 */
export const MessageHeaders = {
  messageId: 'paylab-message-id',
  eventType: 'paylab-event-type',
  schemaVersion: 'paylab-schema-version',
  correlationId: 'paylab-correlation-id',
  causationId: 'paylab-causation-id',
  producer: 'paylab-producer',
  occurredAt: 'paylab-occurred-at',
} as const;

export const DeadLetterHeaders = {
  reason: 'paylab-dlt-reason',
  originalTopic: 'paylab-dlt-original-topic',
  originalPartition: 'paylab-dlt-original-partition',
  originalOffset: 'paylab-dlt-original-offset',
  consumerGroup: 'paylab-dlt-consumer-group',
  attempts: 'paylab-dlt-attempts',
  failedAt: 'paylab-dlt-failed-at',
} as const;

/** An event as the application sees it: headers and payload decoded and validated. */
export interface EventEnvelope<TPayload = unknown> {
  id: string;
  type: string;
  version: number;
  topic: string;
  key: string;
  occurredAt: string;
  correlationId: string;
  causationId?: string;
  producer: string;
  payload: TPayload;
}
