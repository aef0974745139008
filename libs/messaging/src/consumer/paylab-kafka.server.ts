import { decodeEvent, type EventEnvelope } from '@paylab/contracts';
import { Correlation, type DependencyCheck, type PaylabLogger } from '@paylab/platform';
import { KafkaContext, KafkaHeaders, ServerKafka, type ReadPacket } from '@nestjs/microservices';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Consumer, EachMessagePayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { isObservable, lastValueFrom } from 'rxjs';
import { kafkaClientConfig, PINNED_PARTITIONER } from '../kafka/kafka-factory';
import { provisionTopics } from '../kafka/topic-provisioner';
import { checkRequestDeadline } from '../request-reply/request-deadline';
import { buildDeadLetter } from './dead-letter';
import { classifyFailure, messageOf } from './failure-classifier';
import {
  decideAfterFailure,
  DEFAULT_RETRY_POLICY,
  DEFAULT_TRANSIENT_BACKOFF,
  type BackoffOptions,
  type RetryPolicy,
} from './retry-policy';

export interface KafkaConsumerOptions {
  serviceName: string;
  brokers: string[];
  logger: PaylabLogger;
  /** Partitions processed in parallel; order within a partition is always kept. */
  concurrency: number;
  /** Retries of a failure of unknown kind before it is dead-lettered. */
  retry?: RetryPolicy;
  /** Backoff while a dependency is unavailable (transient failures are retried without limit). */
  transientBackoff?: BackoffOptions;
  /** Shorter in tests so a restarted consumer rejoins quickly. */
  sessionTimeoutMs?: number;
  /**
   * Where a brand-new consumer group starts; services always start from the earliest message.
   * Tests on a shared broker start from the latest to skip other runs' events.
   */
  startFrom?: 'earliest' | 'latest';
}

/**
 * Nest's Kafka transport with PayLab's delivery rules around every @EventPattern handler:
 * - the message is decoded and validated against the contracts catalogue; one that can never
 *   be valid goes to `<topic>.dlt` with its reason and is committed, never blocking its partition;
 * - a handler failure is classified (classifyFailure): a transient one (database, Redis or Kafka
 *   unreachable, a lock or serialization conflict) is retried without limit with capped backoff
 *   while its partition is paused, heartbeating so the consumer keeps its group membership, and
 *   readiness reports the blocked partition; a permanent one (invalid, refused by a business
 *   rule) is dead-lettered at once; an unknown one after the retry policy is exhausted;
 * - a request (request/reply) past its deadline is dropped unanswered: its asker gave up;
 * - the handler receives the validated EventEnvelope and runs in its correlation scope.
 * Handlers make themselves idempotent with Inbox.consumeOnce.
 */
export class PaylabKafkaServer extends ServerKafka implements DependencyCheck {
  /** Readiness: a service is not ready to consume until its consumer has joined its group. */
  readonly name = 'kafka-consumer';
  private groupJoined = false;

  private readonly retry: RetryPolicy;
  private readonly transientBackoff: BackoffOptions;
  /** Partitions waiting for a dependency, keyed `topic/partition`: what readiness reports. */
  private readonly blocked = new Map<string, BlockedPartition>();
  private closing = false;
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
      // A brand-new group starts from the earliest message, so no event is missed. Requests
      // (request/reply) are safe to read from the start too: each carries its deadline, and one
      // whose asker has given up is dropped unanswered (see checkRequestDeadline).
      subscribe: { fromBeginning: (settings.startFrom ?? 'earliest') === 'earliest' },
      // Events are decoded from the raw bytes (see rawMessage); requests get Nest's parsed JSON.
      parser: { keepBinary: false },
      postfixId: '',
    });
    this.retry = settings.retry ?? DEFAULT_RETRY_POLICY;
    this.transientBackoff = settings.transientBackoff ?? DEFAULT_TRANSIENT_BACKOFF;
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
    if (this.blocked.size > 0) {
      throw new Error(
        [...this.blocked.values()]
          .map(
            (b) =>
              `blocked on ${b.topic} partition ${b.partition} since ${b.since.toISOString()} ` +
              `(${b.attempts} attempts): ${b.reason}`,
          )
          .join('; '),
      );
    }
  }

  /** The partitions currently waiting for a dependency (for tests and diagnostics). */
  blockedPartitions(): BlockedPartition[] {
    return [...this.blocked.values()].map((b) => ({ ...b }));
  }

  override async close(): Promise<void> {
    // A handler waiting for a dependency gives up its message (uncommitted, so it is redelivered
    // to whoever owns the partition next) instead of holding the shutdown forever.
    this.closing = true;
    await super.close();
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
    const verdict = checkRequestDeadline(decodeHeaders(payload.message.headers));
    if (verdict.expired && isRequest(payload.message)) {
      this.log.warn(
        {
          topic: payload.topic,
          partition: payload.partition,
          offset: payload.message.offset,
          deadline: verdict.deadline,
          lateByMs: verdict.lateByMs,
        },
        'request dropped unanswered: its deadline passed before it could be worked on',
      );
      return Promise.resolve();
    }
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
    const where = { topic: failed.topic, partition: failed.partition };
    const blockKey = `${where.topic}/${where.partition}`;
    // Attempts are counted per kind: waiting for a database does not use up the few retries an
    // error of unknown kind gets.
    const attempts = { transient: 0, other: 0 };
    let applied = false;
    try {
      for (;;) {
        try {
          await Correlation.run(
            { correlationId: envelope.correlationId, causationId: envelope.id },
            async () => {
              const result: unknown = await handler(envelope, context);
              if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
            },
          );
          applied = true;
          return;
        } catch (error) {
          const kind = classifyFailure(error).kind === 'transient' ? 'transient' : 'other';
          attempts[kind] += 1;
          const decision = decideAfterFailure(
            error,
            attempts[kind],
            this.retry,
            this.transientBackoff,
          );
          if (decision.action === 'dead-letter') {
            await this.deadLetter(failed, decision.reason, attempts.transient + attempts.other);
            return;
          }
          const logged = {
            ...where,
            offset: failed.offset,
            messageId: envelope.id,
            eventType: envelope.type,
            attempt: attempts[kind],
            delayMs: decision.delayMs,
            err: messageOf(error),
          };
          if (decision.action === 'wait-for-dependency') {
            this.markBlocked(blockKey, where, decision.reason, context);
            this.log.warn(
              { ...logged, dependency: decision.dependency, reason: decision.reason },
              'dependency unavailable; partition paused, retrying until it is back',
            );
          } else {
            this.log.warn(logged, 'handler failed; retrying');
          }
          await this.waitWithHeartbeat(decision.delayMs, context);
        }
      }
    } finally {
      if (this.blocked.delete(blockKey)) {
        context.getConsumer().resume([{ topic: where.topic, partitions: [where.partition] }]);
        // Also reached on shutdown or a dead letter mid-wait: say the dependency is back only if it is.
        this.log.info(
          { ...where, offset: failed.offset },
          applied ? 'dependency back; partition resumed' : 'partition resumed',
        );
      }
    }
  }

  /**
   * Pauses the partition while its message waits for a dependency: kafkajs fetches nothing more
   * for it, and it stays assigned to this member because heartbeats keep going meanwhile.
   */
  private markBlocked(
    key: string,
    where: { topic: string; partition: number },
    reason: string,
    context: KafkaContext,
  ): void {
    const current = this.blocked.get(key);
    if (current) {
      current.attempts += 1;
      current.reason = reason;
      return;
    }
    this.blocked.set(key, { ...where, since: new Date(), attempts: 1, reason });
    context.getConsumer().pause([{ topic: where.topic, partitions: [where.partition] }]);
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
      if (this.closing) throw new Error('consumer closing; the message stays uncommitted');
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

/** A Nest request carries a correlation id and a reply topic; an event does not. */
function isRequest(message: KafkaMessage): boolean {
  const headers = message.headers ?? {};
  return (
    headers[KafkaHeaders.CORRELATION_ID] !== undefined &&
    headers[KafkaHeaders.REPLY_TOPIC] !== undefined
  );
}

export interface BlockedPartition {
  topic: string;
  partition: number;
  since: Date;
  attempts: number;
  reason: string;
}
