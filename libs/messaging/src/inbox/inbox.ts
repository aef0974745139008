import type { EnvelopeOf, EventContract, EventEnvelope } from '@paylab/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import { InboxMessageEntity } from './inbox-message.entity';

export type ConsumeOutcome = 'processed' | 'duplicate';

/**
 * The idempotent consumer. The inbox row and the handler's own changes share one
 * transaction: either both commit, or neither does and the message is retried. A message
 * whose row already exists is acknowledged without running the handler again.
 */
export class Inbox {
  constructor(private readonly dataSource: DataSource) {}

  async consumeOnce<C extends EventContract>(
    consumer: string,
    envelope: EnvelopeOf<C> | EventEnvelope,
    apply: (manager: EntityManager) => Promise<void>,
  ): Promise<ConsumeOutcome> {
    return this.dataSource.transaction(async (manager) => {
      const table = manager.getRepository(InboxMessageEntity).metadata.tablePath;
      // A concurrent redelivery blocks on the primary key until this transaction ends, then
      // sees the conflict: exactly one of them applies the message.
      const inserted = (await manager.query(
        `INSERT INTO ${table} (message_id, consumer, topic, event_type) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING RETURNING message_id`,
        [envelope.id, consumer, envelope.topic, envelope.type],
      )) as unknown[];
      if (inserted.length === 0) return 'duplicate';
      await apply(manager);
      return 'processed';
    });
  }
}
