import {
  BeforeApplicationShutdown,
  DynamicModule,
  Inject,
  Injectable,
  Module,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { CustomStrategy } from '@nestjs/microservices';
import { HealthRegistry, MetricsRegistry, ROOT_LOGGER, type PaylabLogger } from '@paylab/platform';
import type { Admin, Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { PaylabKafkaServer, type KafkaConsumerOptions } from './consumer/paylab-kafka.server';
import { DeadLetterAdmin } from './dead-letters/dead-letter-admin';
import { DeadLettersController } from './dead-letters/dead-letters.controller';
import { Inbox } from './inbox/inbox';
import { createKafka } from './kafka/kafka-factory';
import { Outbox } from './outbox/outbox';
import { OutboxRelay } from './outbox/outbox-relay';

export interface MessagingOptions {
  serviceName: string;
  brokers: string[];
  outboxPollIntervalMs: number;
  /** Topics this service publishes to (it owns them); created by the relay before its first send. */
  publishes: readonly string[];
}

const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');
const KAFKA = Symbol('KAFKA');

@Injectable()
class MessagingLifecycle
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly healthAdmin: Admin;

  constructor(
    private readonly relay: OutboxRelay,
    private readonly health: HealthRegistry,
    @Inject(MESSAGING_OPTIONS) options: MessagingOptions,
    @Inject(ROOT_LOGGER) logger: PaylabLogger,
  ) {
    // A separate client without retries, so a readiness probe answers within its timeout.
    this.healthAdmin = createKafka({
      clientId: `${options.serviceName}-health`,
      brokers: options.brokers,
      logger,
      retries: 0,
    }).admin();
  }

  onModuleInit(): void {
    this.health.register({
      name: 'kafka',
      check: async () => {
        await this.healthAdmin.connect();
        const cluster = await this.healthAdmin.describeCluster();
        if (cluster.brokers.length === 0) throw new Error('no brokers in cluster metadata');
      },
    });
  }

  onApplicationBootstrap(): void {
    this.relay.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.healthAdmin.disconnect().catch(() => undefined);
  }
}

/**
 * Outbox (publish inside a transaction), relay (outbox → Kafka), inbox (idempotent
 * consumption) and the dead-letter admin endpoint for one service. Consumers are attached
 * separately with kafkaConsumer().
 */
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingOptions): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      imports: [DiscoveryModule],
      controllers: [DeadLettersController],
      providers: [
        { provide: MESSAGING_OPTIONS, useValue: options },
        {
          provide: KAFKA,
          inject: [ROOT_LOGGER],
          useFactory: (logger: PaylabLogger) =>
            createKafka({
              clientId: `${options.serviceName}-producer`,
              brokers: options.brokers,
              logger,
            }),
        },
        { provide: Outbox, useFactory: () => new Outbox(options.serviceName) },
        {
          provide: Inbox,
          inject: [DataSource],
          useFactory: (dataSource: DataSource) => new Inbox(dataSource),
        },
        {
          provide: OutboxRelay,
          inject: [DataSource, KAFKA, ROOT_LOGGER, MetricsRegistry],
          useFactory: (
            dataSource: DataSource,
            kafka: Kafka,
            logger: PaylabLogger,
            metrics: MetricsRegistry,
          ) =>
            new OutboxRelay(
              dataSource,
              kafka,
              {
                producerName: options.serviceName,
                pollIntervalMs: options.outboxPollIntervalMs,
                topics: options.publishes,
              },
              logger.child({ component: 'outbox-relay' }),
              metrics.registry,
            ),
        },
        {
          provide: DeadLetterAdmin,
          inject: [KAFKA, DataSource, DiscoveryService, MetadataScanner, ROOT_LOGGER],
          useFactory: (
            kafka: Kafka,
            dataSource: DataSource,
            discovery: DiscoveryService,
            scanner: MetadataScanner,
            logger: PaylabLogger,
          ) =>
            new DeadLetterAdmin(
              kafka,
              dataSource,
              discovery,
              scanner,
              logger.child({ component: 'dead-letters' }),
            ),
        },
        MessagingLifecycle,
      ],
      exports: [Outbox, Inbox, OutboxRelay],
    };
  }
}

/** The Nest microservice options that attach PayLab's Kafka consumer to a service. */
export function kafkaConsumer(options: KafkaConsumerOptions): CustomStrategy {
  return { strategy: new PaylabKafkaServer(options) };
}
