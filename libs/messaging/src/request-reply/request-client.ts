import { ClientKafka } from '@nestjs/microservices';
import {
  replyEnvelope,
  replyTopicOf,
  topicDefinition,
  type RequestContract,
  type RequestOf,
  type ResponseOf,
} from '@paylab/contracts';
import type { PaylabLogger } from '@paylab/platform';
import type { Kafka } from 'kafkajs';
import { firstValueFrom, timeout, TimeoutError } from 'rxjs';
import { createKafka, kafkaClientConfig, PINNED_PARTITIONER } from '../kafka/kafka-factory';
import { provisionTopics } from '../kafka/topic-provisioner';
import { REQUEST_DEADLINE_HEADER } from './request-deadline';

/** A request that failed: the responder's coded error, a timeout, or no connection. */
export class RequestFailedError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly param?: string,
  ) {
    super(message);
    this.name = 'RequestFailedError';
  }
}

export interface RequestClientOptions {
  serviceName: string;
  brokers: string[];
  logger: PaylabLogger;
  contracts: readonly RequestContract[];
  defaultTimeoutMs?: number;
}

/**
 * Request/reply over Kafka for the few places where a person waits, on Nest's
 * ClientKafka. Replies come back on `<topic>.reply`, to the partition this instance owns in
 * its group `<service>-replies`: the reply topic needs a partition per running instance.
 */
export class KafkaRequestClient {
  private readonly client: ClientKafka;
  private readonly kafka: Kafka;
  private connected = false;
  private readonly defaultTimeoutMs: number;

  constructor(private readonly options: RequestClientOptions) {
    this.defaultTimeoutMs = options.defaultTimeoutMs ?? 5_000;
    this.kafka = createKafka({
      clientId: `${options.serviceName}-requests-admin`,
      brokers: options.brokers,
      logger: options.logger,
    });
    this.client = new ClientKafka({
      client: kafkaClientConfig({
        clientId: `${options.serviceName}-requests`,
        brokers: options.brokers,
        logger: options.logger,
      }),
      consumer: {
        groupId: `${options.serviceName}-replies`,
        allowAutoTopicCreation: false,
        sessionTimeout: 10_000,
        maxWaitTimeInMs: 1_000,
        heartbeatInterval: 3_000,
      },
      producer: { createPartitioner: PINNED_PARTITIONER, allowAutoTopicCreation: false },
      postfixId: '',
    });
    for (const contract of options.contracts) this.client.subscribeToResponseOf(contract.topic);
  }

  /** Creates the request and reply topics, then joins the reply group. */
  async connect(): Promise<void> {
    await provisionTopics(
      this.kafka,
      this.options.contracts.map((contract) => contract.topic),
    );
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = this.options.contracts
        .map((contract) => replyTopicOf(contract.topic))
        .filter((topic) => !existing.has(topic))
        .map((topic) => ({
          topic,
          numPartitions: topicDefinition(topic.replace(/\.reply$/, ''))?.partitions ?? 3,
        }));
      if (missing.length > 0) await admin.createTopics({ topics: missing, waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }
    await this.client.connect();
    // Replies are addressed to a partition this instance owns, known only once the group join
    // completes; until then Nest cannot address a request at all.
    const replyTopics = this.options.contracts.map((contract) => replyTopicOf(contract.topic));
    const deadline = Date.now() + 30_000;
    while (
      !replyTopics.every((topic) => this.client.getConsumerAssignments()[topic] !== undefined)
    ) {
      if (Date.now() > deadline)
        throw new Error(`no reply partitions assigned for ${replyTopics.join(', ')} after 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    this.connected = true;
  }

  async close(): Promise<void> {
    this.connected = false;
    await this.client.close();
  }

  async request<C extends RequestContract>(
    contract: C,
    payload: RequestOf<C>,
    options: { timeoutMs?: number } = {},
  ): Promise<ResponseOf<C>> {
    const who = contract.topic.split('.')[1] ?? contract.topic;
    if (!this.connected) {
      throw new RequestFailedError(
        'REQUEST.UNAVAILABLE',
        `${who} cannot be asked right now (not connected to Kafka). Retry shortly.`,
      );
    }
    const request = contract.request.parse(payload);
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    let raw: unknown;
    try {
      // The deadline travels with the request, so a responder that only gets to it after the
      // asker gave up drops it instead of doing the work (see checkRequestDeadline).
      const deadline = new Date(Date.now() + timeoutMs).toISOString();
      raw = await firstValueFrom(
        this.client
          .send(contract.topic, {
            value: request,
            headers: { [REQUEST_DEADLINE_HEADER]: deadline },
          })
          .pipe(timeout(timeoutMs)),
      );
    } catch (error) {
      if (error instanceof TimeoutError) {
        throw new RequestFailedError(
          'REQUEST.TIMEOUT',
          `${who} did not answer within ${timeoutMs} ms. Retry shortly.`,
        );
      }
      throw new RequestFailedError(
        'REQUEST.UNAVAILABLE',
        `${who} could not be asked: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const parsedReply = replyEnvelope.safeParse(raw);
    if (!parsedReply.success) {
      throw new RequestFailedError(
        'REQUEST.BAD_REPLY',
        `${who} answered with something that is not a reply envelope.`,
      );
    }
    const reply = parsedReply.data;
    if (!reply.ok)
      throw new RequestFailedError(reply.error.code, reply.error.message, reply.error.param);
    return contract.response.parse(reply.result) as ResponseOf<C>;
  }
}
