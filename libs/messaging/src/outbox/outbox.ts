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
   * inside the caller's transaction, in chunks that stay under Postgres's parameter limit.
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
        publishedAt: null,
      };
    });
    for (let start = 0; start < rows.length; start += 1000) {
      await manager.insert(OutboxMessageEntity, rows.slice(start, start + 1000));
    }
    return rows.map((row) => row.messageId);
  }
}
