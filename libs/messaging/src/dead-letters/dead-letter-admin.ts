import { Injectable } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { PATTERN_HANDLER_METADATA, PATTERN_METADATA } from '@nestjs/microservices/constants';
import { PatternHandler } from '@nestjs/microservices/enums/pattern-handler.enum';
import { deadLetterTopicOf, DeadLetterHeaders, MessageHeaders } from '@paylab/contracts';
import { DomainError } from '@paylab/errors';
import type { PaylabLogger } from '@paylab/platform';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { publishRaw, readTopic, type ReadMessage } from '../kafka/topic-tools';

/** A dead letter as an operator sees it. */
export interface DeadLetterView {
  topic: string;
  partition: number;
  offset: string;
  originalTopic: string | null;
  originalPartition: number | null;
  originalOffset: string | null;
  key: string | null;
  reason: string | null;
  consumerGroup: string | null;
  attempts: number | null;
  failedAt: string | null;
  messageId: string | null;
  eventType: string | null;
  payload: string | null;
  /** When this service last replayed it, if ever. */
  replayedAt: string | null;
}

export type ReplayOutcome = {
  topic: string;
  partition: number;
  offset: string;
  originalTopic: string;
  messageId: string | null;
  outcome: 'replayed' | 'already replayed';
};

export class DeadLetterError extends DomainError<
  'DEAD_LETTER.TOPIC_NOT_FOUND' | 'DEAD_LETTER.RECORD_NOT_FOUND' | 'DEAD_LETTER.NOT_REPLAYABLE'
> {}

const DEAD_LETTER_HEADER_NAMES = new Set<string>(Object.values(DeadLetterHeaders));

/**
 * Lists and replays the dead letters of the topics this service consumes. A replay publishes
 * the original message (key, value, headers, so its message id too) to its original topic, and
 * is recorded first in dead_letter_replays: a second replay of the same record publishes
 * nothing, and if a message were ever published twice the consumers' inbox still applies it once.
 */
@Injectable()
export class DeadLetterAdmin {
  private topics: string[] | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly dataSource: DataSource,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly log: PaylabLogger,
  ) {}

  /** The event topics this service's @EventPattern handlers consume. */
  consumedTopics(): string[] {
    this.topics ??= this.discoverEventTopics();
    return this.topics;
  }

  async list(options: {
    topic?: string;
    consumerGroup?: string;
    limit: number;
  }): Promise<DeadLetterView[]> {
    const topics = options.topic ? [this.originalTopicOf(options.topic)] : this.consumedTopics();
    const letters: ReadMessage[] = [];
    for (const topic of topics) letters.push(...(await this.read(topic)));
    const replayed = await this.replayedAt(letters);
    return letters
      .map((letter) => toView(letter, replayed))
      .filter((view) => !options.consumerGroup || view.consumerGroup === options.consumerGroup)
      .sort((a, b) => (a.failedAt ?? '').localeCompare(b.failedAt ?? ''))
      .slice(-options.limit);
  }

  async replayOne(topic: string, partition: number, offset: string): Promise<ReplayOutcome> {
    const original = this.originalTopicOf(topic);
    const letter = (await this.read(original)).find(
      (m) => m.partition === partition && m.offset === offset,
    );
    if (!letter) {
      throw new DeadLetterError(
        'DEAD_LETTER.RECORD_NOT_FOUND',
        `${deadLetterTopicOf(original)} has no record at partition ${partition} offset ${offset}.`,
        'offset',
      );
    }
    return this.replay(letter);
  }

  async replayAll(topic: string): Promise<ReplayOutcome[]> {
    const letters = await this.read(this.originalTopicOf(topic));
    const outcomes: ReplayOutcome[] = [];
    for (const letter of letters) outcomes.push(await this.replay(letter));
    return outcomes;
  }

  private async replay(letter: ReadMessage): Promise<ReplayOutcome> {
    const originalTopic = letter.headers[DeadLetterHeaders.originalTopic];
    if (!originalTopic || !this.consumedTopics().includes(originalTopic)) {
      throw new DeadLetterError(
        'DEAD_LETTER.NOT_REPLAYABLE',
        `${letter.topic} ${letter.partition}/${letter.offset} names no original topic this service consumes.`,
        'topic',
      );
    }
    const messageId = letter.headers[MessageHeaders.messageId] ?? null;
    const base = {
      topic: letter.topic,
      partition: letter.partition,
      offset: letter.offset,
      originalTopic,
      messageId,
    };
    const table = this.table();
    // The row is written before the publish and committed after it: a concurrent replay of the
    // same record waits on the key and then finds it; a failed publish leaves no row behind.
    const outcome = await this.dataSource.transaction(async (manager) => {
      const inserted = (await manager.query(
        `INSERT INTO ${table} (dead_letter_topic, dead_letter_partition, dead_letter_offset, original_topic, message_id)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING dead_letter_offset`,
        [letter.topic, letter.partition, letter.offset, originalTopic, messageId],
      )) as unknown[];
      if (inserted.length === 0) return 'already replayed' as const;
      const headers = Object.fromEntries(
        Object.entries(letter.headers).filter(([name]) => !DEAD_LETTER_HEADER_NAMES.has(name)),
      );
      await publishRaw(this.kafka, originalTopic, [
        { key: letter.key, value: letter.value, headers },
      ]);
      return 'replayed' as const;
    });
    this.log.info({ ...base, outcome }, 'dead letter replay');
    return { ...base, outcome };
  }

  /** Accepts the original topic or its `.dlt`; only topics this service consumes. */
  private originalTopicOf(topic: string): string {
    const original = topic.endsWith('.dlt') ? topic.slice(0, -'.dlt'.length) : topic;
    if (!this.consumedTopics().includes(original)) {
      throw new DeadLetterError(
        'DEAD_LETTER.TOPIC_NOT_FOUND',
        `This service consumes no topic ${original}; it consumes ${this.consumedTopics().join(', ') || 'none'}.`,
        'topic',
      );
    }
    return original;
  }

  private async read(originalTopic: string): Promise<ReadMessage[]> {
    const dlt = deadLetterTopicOf(originalTopic);
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      if (!(await admin.listTopics()).includes(dlt)) return [];
    } finally {
      await admin.disconnect();
    }
    return readTopic(this.kafka, dlt, { minMessages: 0, timeoutMs: 10_000 });
  }

  private async replayedAt(letters: ReadMessage[]): Promise<Map<string, string>> {
    if (letters.length === 0) return new Map();
    const rows = (await this.dataSource.query(
      `SELECT dead_letter_topic, dead_letter_partition, dead_letter_offset::text AS dead_letter_offset, replayed_at
         FROM ${this.table()} WHERE dead_letter_topic = ANY($1)`,
      [[...new Set(letters.map((l) => l.topic))]],
    )) as Array<{
      dead_letter_topic: string;
      dead_letter_partition: number;
      dead_letter_offset: string;
      replayed_at: Date;
    }>;
    return new Map(
      rows.map((row) => [
        `${row.dead_letter_topic}/${row.dead_letter_partition}/${row.dead_letter_offset}`,
        new Date(row.replayed_at).toISOString(),
      ]),
    );
  }

  private table(): string {
    const schema = (this.dataSource.options as { schema?: string }).schema;
    return schema ? `"${schema}"."dead_letter_replays"` : '"dead_letter_replays"';
  }

  private discoverEventTopics(): string[] {
    const topics = new Set<string>();
    for (const wrapper of this.discovery.getControllers()) {
      const instance = wrapper.instance as object | undefined;
      if (!instance) continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const handler = (prototype as Record<string, unknown>)[method];
        if (typeof handler !== 'function') continue;
        if (Reflect.getMetadata(PATTERN_HANDLER_METADATA, handler) !== PatternHandler.EVENT) {
          continue;
        }
        const patterns = (Reflect.getMetadata(PATTERN_METADATA, handler) ?? []) as unknown[];
        for (const pattern of patterns) if (typeof pattern === 'string') topics.add(pattern);
      }
    }
    return [...topics].sort();
  }
}

function toView(letter: ReadMessage, replayed: Map<string, string>): DeadLetterView {
  const h = letter.headers;
  const number = (text: string | undefined) =>
    text === undefined || text === '' ? null : Number(text);
  return {
    topic: letter.topic,
    partition: letter.partition,
    offset: letter.offset,
    originalTopic: h[DeadLetterHeaders.originalTopic] ?? null,
    originalPartition: number(h[DeadLetterHeaders.originalPartition]),
    originalOffset: h[DeadLetterHeaders.originalOffset] ?? null,
    key: letter.key,
    reason: h[DeadLetterHeaders.reason] ?? null,
    consumerGroup: h[DeadLetterHeaders.consumerGroup] ?? null,
    attempts: number(h[DeadLetterHeaders.attempts]),
    failedAt: h[DeadLetterHeaders.failedAt] ?? null,
    messageId: h[MessageHeaders.messageId] ?? null,
    eventType: h[MessageHeaders.eventType] ?? null,
    payload: letter.value,
    replayedAt: replayed.get(`${letter.topic}/${letter.partition}/${letter.offset}`) ?? null,
  };
}
