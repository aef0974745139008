import { decodeEvent, type EventEnvelope } from '@paylab/contracts';
import { Correlation, type DependencyCheck, type PaylabLogger } from '@paylab/platform';
import { KafkaContext, ServerKafka, type ReadPacket } from '@nestjs/microservices';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Consumer, EachMessagePayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { isObservable, lastValueFrom } from 'rxjs';
import { kafkaClientConfig, PINNED_PARTITIONER } from '../kafka/kafka-factory';
import { provisionTopics } from '../kafka/topic-provisioner';
import { buildDeadLetter } from './dead-letter';
import { decideAfterFailure, DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy';

export interface KafkaConsumerOptions {
  serviceName: string;
  brokers: string[];
  logger: PaylabLogger;
  /** Partitions processed in parallel; order within a partition is always kept. */
  concurrency: number;
  retry?: RetryPolicy;
  /** Shorter in tests so a restarted consumer rejoins quickly. */
  sessionTimeoutMs?: number;
  /**
   * Where a brand-new consumer group starts. Events: from the earliest message, so nothing is
   * missed. Request responders: from the latest — a request nobody answered in time has already
   * failed for its asker, and answering it late would repeat its side effects.
   */
  startFrom?: 'earliest' | 'latest';
}

/**
 * Nest's Kafka transport with PayLab's delivery rules around every @EventPattern handler:
 * - the message is decoded and validated against the contracts catalogue; one that can never
 *   be valid goes to `<topic>.dlt` with its reason and is committed, never blocking its partition;
 * - a handler failure is retried in place with exponential backoff, heartbeating meanwhile,
 *   and dead-lettered only after the retry policy is exhausted;
 * - the handler receives the validated EventEnvelope and runs in its correlation scope.
 * Handlers make themselves idempotent with Inbox.consumeOnce.
 */
export class PaylabKafkaServer extends ServerKafka implements DependencyCheck {
  /** Readiness: a service is not ready to consume until its consumer has joined its group. */
  readonly name = 'kafka-consumer';
  private groupJoined = false;

  private readonly retry: RetryPolicy;
  private readonly log: PaylabLogger;
  private readonly consumerGroup: string;

  constructor(settings: KafkaConsumerOptions) {
    super({
      client: kafkaClientConfig({
        clientId: `${settings.serviceName}-consumer`,
        brokers: settings.brokers,
        logger: settings.logger,
      }),
      consumer: {
        groupId: settings.serviceName,
        allowAutoTopicCreation: false,
        sessionTimeout: settings.sessionTimeoutMs ?? 30_000,
        heartbeatInterval: Math.min(3_000, Math.floor((settings.sessionTimeoutMs ?? 30_000) / 3)),
        // The idle long-poll; disconnect waits for it, so it bounds how long a shutdown takes.
        maxWaitTimeInMs: 1_000,
      },
      producer: { createPartitioner: PINNED_PARTITIONER, allowAutoTopicCreation: false },
      run: { partitionsConsumedConcurrently: settings.concurrency },
      subscribe: { fromBeginning: (settings.startFrom ?? 'earliest') === 'earliest' },
      // Events are decoded from the raw bytes (see rawMessage); requests get Nest's parsed JSON.
      parser: { keepBinary: false },
      postfixId: '',
    });
    this.retry = settings.retry ?? DEFAULT_RETRY_POLICY;
    this.log = settings.logger.child({ component: 'kafka-consumer' });
    this.consumerGroup = settings.serviceName;
  }

  /**
   * The message exactly as kafkajs delivered it. Nest's parser turns header values that look
   * like JSON into objects; validation and dead letters must see the original bytes.
   */
  private readonly rawMessage = new AsyncLocalStorage<KafkaMessage>();

  async check(): Promise<void> {
    if (!this.groupJoined) throw new Error(`consumer group ${this.consumerGroup} not joined (yet)`);
  }

  protected override registerConsumerEventListeners(): void {
    super.registerConsumerEventListeners();
    const consumer = this.consumer as unknown as Consumer | null;
    if (!consumer) return;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.groupJoined = true;
    });
    for (const event of [consumer.events.CRASH, consumer.events.DISCONNECT, consumer.events.STOP]) {
      consumer.on(event, () => {
        this.groupJoined = false;
      });
    }
  }

  override handleMessage(payload: EachMessagePayload): Promise<unknown> {
    return this.rawMessage.run(payload.message, () => super.handleMessage(payload as never));
  }

  override async start(callback: () => void): Promise<void> {
    // Subscribing to a topic that does not exist yet fails; create ours (and DLTs) first.
    await provisionTopics(this.client as unknown as Kafka, [...this.messageHandlers.keys()]);
    return super.start(callback);
  }

  override async handleEvent(
    pattern: string,
    _packet: ReadPacket,
    context: KafkaContext,
  ): Promise<void> {
    const raw = this.rawMessage.getStore();
    if (!raw) throw new Error('handleEvent called outside handleMessage');
    const headers = decodeHeaders(raw.headers);
    const failed = {
      topic: context.getTopic(),
      partition: context.getPartition(),
      offset: raw.offset,
      key: raw.key,
      value: raw.value,
      headers,
    };
    const handler = this.getHandlerByPattern(pattern);
    if (!handler) {
      await this.deadLetter(failed, `no handler for ${pattern} in ${this.consumerGroup}`, 0);
      return;
    }
    const decoded = decodeEvent({
      topic: failed.topic,
      key: raw.key === null ? null : raw.key.toString('utf8'),
      headers,
      value: raw.value === null ? undefined : raw.value.toString('utf8'),
    });
    if (!decoded.ok) {
      await this.deadLetter(failed, `invalid message: ${decoded.reason}`, 0);
      return;
    }
    const envelope: EventEnvelope = decoded.envelope;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await Correlation.run(
          { correlationId: envelope.correlationId, causationId: envelope.id },
          async () => {
            const result: unknown = await handler(envelope, context);
            if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
          },
        );
        return;
      } catch (error) {
        const decision = decideAfterFailure(error, attempt, this.retry);
        if (decision.action === 'dead-letter') {
          await this.deadLetter(failed, decision.reason, attempt);
          return;
        }
        this.log.warn(
          {
            topic: failed.topic,
            partition: failed.partition,
            offset: failed.offset,
            messageId: envelope.id,
            attempt,
            delayMs: decision.delayMs,
            err: describe(error),
          },
          'handler failed; retrying',
        );
        await this.waitWithHeartbeat(decision.delayMs, context);
      }
    }
  }

  private async deadLetter(
    failed: Parameters<typeof buildDeadLetter>[0],
    reason: string,
    attempts: number,
  ): Promise<void> {
    const record = buildDeadLetter(failed, reason, this.consumerGroup, attempts);
    // If this send fails the error propagates, the offset is not committed and kafkajs
    // redelivers: a poison message is never silently dropped.
    await (this.producer as unknown as Producer).send({
      topic: record.topic,
      acks: -1,
      messages: [record.message],
    });
    this.log.error(
      {
        topic: failed.topic,
        partition: failed.partition,
        offset: failed.offset,
        deadLetterTopic: record.topic,
        reason,
      },
      'message dead-lettered',
    );
  }

  private async waitWithHeartbeat(ms: number, context: KafkaContext): Promise<void> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, deadline - Date.now())));
      await context.getHeartbeat()();
    }
  }
}

function decodeHeaders(headers: KafkaMessage['headers']): Record<string, string | undefined> {
  const result: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    result[name] = first === undefined ? undefined : first.toString();
  }
  return result;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
