import type { EventContract, PayloadOf } from '@paylab/contracts';
import { newId } from '@paylab/ids';
import { Correlation } from '@paylab/platform';
import type { EntityManager } from 'typeorm';
import { eventHeaders } from './event-headers';
import { OutboxMessageEntity } from './outbox-message.entity';

export interface PublishOptions {
  /** The message or request that caused this event; defaults to the current scope's. */
  causationId?: string;
  correlationId?: string;
  occurredAt?: Date;
}

/**
 * Records an event in the outbox inside the caller's transaction. The payload is validated
 * against its contract here, so an invalid event rolls back the state change with it
 * instead of reaching consumers.
 */
export class Outbox {
  constructor(private readonly producerName: string) {}

  async publish<C extends EventContract>(
    manager: EntityManager,
    contract: C,
    payload: PayloadOf<C>,
    options: PublishOptions = {},
  ): Promise<string> {
    const [messageId] = await this.publishAll(manager, contract, [payload], options);
    return messageId;
  }

  /**
   * Records many events of one contract in one go (an end of day publishes one per merchant),
   * inside the caller's transaction.
   */
  async publishAll<C extends EventContract>(
    manager: EntityManager,
    contract: C,
    payloads: readonly PayloadOf<C>[],
    options: PublishOptions = {},
  ): Promise<string[]> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error(
        `outbox publish of ${contract.type} must run inside the state change's transaction`,
      );
    }
    const scope = Correlation.current();
    const occurredAt = options.occurredAt ?? new Date();
    const rows = payloads.map((payload) => {
      const validPayload = contract.schema.parse(payload) as PayloadOf<C>;
      const messageId = newId('evt');
      const correlationId = options.correlationId ?? scope?.correlationId ?? messageId;
      const causationId = options.causationId ?? scope?.causationId ?? scope?.requestId;
      return {
        messageId,
        topic: contract.topic,
        messageKey: contract.keyOf(validPayload),
        eventType: contract.type,
        schemaVersion: contract.version,
        payload: validPayload as object,
        headers: eventHeaders({
          messageId,
          contract,
          correlationId,
          causationId,
          producer: this.producerName,
          occurredAt,
        }),
        occurredAt,
      };
    });
    if (rows.length === 0) return [];
    // One statement and one JSON document whatever the count: ten thousand events cost one round
    // trip, parsed once by Postgres, with no per-row query building.
    const table = manager.getRepository(OutboxMessageEntity).metadata.tablePath;
    await manager.query(
      `INSERT INTO ${table}
         (message_id, topic, message_key, event_type, schema_version, payload, headers, occurred_at)
       SELECT message_id, topic, message_key, event_type, schema_version, payload, headers, occurred_at
         FROM jsonb_to_recordset($1::jsonb) AS r(message_id text, topic text, message_key text,
              event_type text, schema_version int, payload jsonb, headers jsonb, occurred_at timestamptz)`,
      [
        JSON.stringify(
          rows.map((row) => ({
            message_id: row.messageId,
            topic: row.topic,
            message_key: row.messageKey,
            event_type: row.eventType,
            schema_version: row.schemaVersion,
            payload: row.payload,
            headers: row.headers,
            occurred_at: row.occurredAt.toISOString(),
          })),
        ),
      ],
    );
    return rows.map((row) => row.messageId);
  }
}
