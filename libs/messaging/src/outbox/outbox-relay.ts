import type { PaylabLogger } from '@paylab/platform';
import type { Kafka, Producer } from 'kafkajs';
import { Gauge, Counter, type Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { PINNED_PARTITIONER } from '../kafka/kafka-factory';
import { provisionTopics } from '../kafka/topic-provisioner';
import { backoffDelayMs } from '../consumer/retry-policy';
import { OutboxMessageEntity } from './outbox-message.entity';

export interface OutboxRelayOptions {
  producerName: string;
  pollIntervalMs: number;
  batchSize?: number;
  /** Topics this service owns and publishes to; created before the first send. */
  topics: readonly string[];
}

/**
 * Moves committed outbox rows to Kafka, oldest first. One relay per schema works at a time
 * (a transaction-scoped advisory lock), which keeps a key's events in commit order even with
 * several replicas. Delivery is at least once: a crash between send and commit re-sends,
 * and consumers' inboxes absorb the duplicate.
 */
export class OutboxRelay {
  private producer: Producer | undefined;
  private connected = false;
  private topicsReady = false;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private consecutiveFailures = 0;
  private readonly batchSize: number;
  private readonly published: Counter | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly kafka: Kafka,
    private readonly options: OutboxRelayOptions,
    private readonly logger: PaylabLogger,
    registry?: Registry,
  ) {
    this.batchSize = options.batchSize ?? 100;
    if (registry) {
      const countPending = () => this.countPending();
      new Gauge({
        name: 'outbox_pending_messages',
        help: 'Outbox rows committed but not yet relayed to Kafka',
        registers: [registry],
        // Counted at scrape time, so the backlog is visible even while the relay is stuck.
        async collect() {
          this.set(await countPending());
        },
      });
      this.published = new Counter({
        name: 'outbox_published_messages_total',
        help: 'Outbox rows relayed to Kafka',
        labelNames: ['topic'],
        registers: [registry],
      });
    }
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops polling, lets an in-flight batch finish, then disconnects the producer. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    if (this.producer && this.connected) await this.producer.disconnect().catch(() => undefined);
    this.connected = false;
  }

  /** Ask for an immediate pass, e.g. right after a commit that wrote events. */
  nudge(): void {
    this.wake?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let relayed = 0;
      try {
        relayed = await this.relayOnce();
        if (this.consecutiveFailures > 0) {
          this.logger.info(
            { afterFailures: this.consecutiveFailures },
            'outbox relay reconnected to Kafka',
          );
        }
        this.consecutiveFailures = 0;
      } catch (error) {
        this.consecutiveFailures += 1;
        this.connected = false;
        this.logger.warn(
          { err: describe(error), consecutiveFailures: this.consecutiveFailures },
          'outbox relay could not publish; events stay in the outbox and will be retried',
        );
      }
      if (!this.running) break;
      // A full batch means more is waiting: go again at once. Failures back off exponentially.
      const delay =
        this.consecutiveFailures > 0
          ? backoffDelayMs(this.consecutiveFailures, { baseMs: 250, maxMs: 5_000 })
          : relayed >= this.batchSize
            ? 0
            : this.options.pollIntervalMs;
      await this.sleep(delay);
    }
  }

  /** Publishes one batch; returns how many rows it relayed. Exposed for tests and tools. */
  async relayOnce(): Promise<number> {
    await this.ensureProducer();
    const outcome = await this.dataSource.transaction(async (manager) => {
      const repository = manager.getRepository(OutboxMessageEntity);
      const [{ locked }] = (await manager.query(
        'SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked',
        [`paylab.outbox.${repository.metadata.tablePath}`],
      )) as Array<{ locked: boolean }>;
      if (!locked) return { relayed: [] as OutboxMessageEntity[] };
      const batch = await repository
        .createQueryBuilder('message')
        .where('message.published_at IS NULL')
        .orderBy('message.sequence', 'ASC')
        .limit(this.batchSize)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      if (batch.length === 0) return { relayed: [] as OutboxMessageEntity[] };
      const ids = batch.map((message) => message.sequence);
      try {
        await this.send(batch);
      } catch (error) {
        // Commit the attempt count (visible to operators) but leave the rows pending.
        await repository
          .createQueryBuilder()
          .update()
          .set({ attempts: () => 'attempts + 1', lastError: describe(error).slice(0, 2_000) })
          .whereInIds(ids)
          .execute();
        return { relayed: [] as OutboxMessageEntity[], error };
      }
      await repository
        .createQueryBuilder()
        .update()
        .set({ publishedAt: () => 'now()', lastError: null })
        .whereInIds(ids)
        .execute();
      return { relayed: batch };
    });
    if ('error' in outcome) throw outcome.error;
    const relayed = outcome.relayed;
    for (const message of relayed) this.published?.inc({ topic: message.topic });
    return relayed.length;
  }

  private async send(batch: OutboxMessageEntity[]): Promise<void> {
    const byTopic = new Map<string, OutboxMessageEntity[]>();
    for (const message of batch) {
      const list = byTopic.get(message.topic) ?? [];
      list.push(message);
      byTopic.set(message.topic, list);
    }
    await this.producer!.sendBatch({
      acks: -1,
      topicMessages: [...byTopic.entries()].map(([topic, messages]) => ({
        topic,
        messages: messages.map((message) => ({
          key: message.messageKey,
          value: JSON.stringify(message.payload),
          headers: message.headers,
        })),
      })),
    });
  }

  private async ensureProducer(): Promise<void> {
    if (!this.producer) {
      this.producer = this.kafka.producer({
        createPartitioner: PINNED_PARTITIONER,
        allowAutoTopicCreation: false,
        // One request in flight keeps a key's messages in order across kafkajs retries.
        maxInFlightRequests: 1,
      });
      this.producer.on(this.producer.events.DISCONNECT, () => {
        this.connected = false;
      });
    }
    if (!this.connected) {
      await this.producer.connect();
      this.connected = true;
    }
    if (!this.topicsReady) {
      await provisionTopics(this.kafka, this.options.topics);
      this.topicsReady = true;
    }
  }

  /** Rows committed but not yet relayed: the backlog an outage leaves behind. */
  countPending(): Promise<number> {
    return this.dataSource
      .getRepository(OutboxMessageEntity)
      .createQueryBuilder('message')
      .where('message.published_at IS NULL')
      .getCount();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
