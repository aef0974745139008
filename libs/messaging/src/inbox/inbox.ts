import type { EnvelopeOf, EventContract, EventEnvelope } from '@paylab/contracts';
import { classifyFailure, messageOf } from '../consumer/failure-classifier';
import { TransientError } from '../consumer/message-errors';
import { PermanentMessageError } from '../consumer/retry-policy';
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
    let handlerError: unknown = undefined;
    try {
      return await this.dataSource.transaction(async (manager) => {
        const table = manager.getRepository(InboxMessageEntity).metadata.tablePath;
        // A concurrent redelivery blocks on the primary key until this transaction ends, then
        // sees the conflict: exactly one of them applies the message.
        const inserted = (await manager.query(
          `INSERT INTO ${table} (message_id, consumer, topic, event_type) VALUES ($1, $2, $3, $4)
           ON CONFLICT DO NOTHING RETURNING message_id`,
          [envelope.id, consumer, envelope.topic, envelope.type],
        )) as unknown[];
        if (inserted.length === 0) return 'duplicate' as const;
        try {
          await apply(manager);
        } catch (error) {
          handlerError = error;
          throw error;
        }
        return 'processed' as const;
      });
    } catch (error) {
      throw error === handlerError ? error : asDatabaseFailure(error);
    }
  }

  /**
   * consumeOnce for one contract on a shared topic: other event types on the topic are not this
   * consumer's business ('not ours'); an unknown version of its own event is dead-lettered
   * rather than misread.
   */
  async consumeContract<C extends EventContract>(
    consumer: string,
    contract: C,
    envelope: EventEnvelope,
    apply: (manager: EntityManager, envelope: EnvelopeOf<C>) => Promise<void>,
  ): Promise<ConsumeOutcome | 'not ours'> {
    if (envelope.type !== contract.type) return 'not ours';
    if (envelope.version !== contract.version) {
      throw new PermanentMessageError(
        `${consumer} does not understand ${envelope.type} v${envelope.version}`,
      );
    }
    return this.consumeOnce(consumer, envelope, (manager) =>
      apply(manager, envelope as EnvelopeOf<C>),
    );
  }
}

/**
 * A network failure while connecting, beginning or committing the inbox transaction is the
 * database's, though a bare "read ECONNRESET" does not say so: name it for readiness and logs.
 */
function asDatabaseFailure(error: unknown): unknown {
  const failure = classifyFailure(error);
  if (failure.kind !== 'transient' || failure.dependency === 'database') return error;
  return new TransientError('database', messageOf(error), {
    cause: error,
  });
}
