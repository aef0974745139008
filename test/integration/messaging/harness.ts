/**
 * Two small services built from the real libraries, as the proof that the messaging ground
 * holds: a "payments" service that records a channel payment and publishes
 * ChannelPaymentSucceeded through its outbox, and a "ledger" service that consumes it with
 * an inbox and counts how many times each payment took effect.
 */
import { Controller, DynamicModule, Inject, Injectable, Module } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { InjectDataSource } from '@nestjs/typeorm';
import { ChannelPaymentSucceeded, Topics, type EnvelopeOf } from '@paylab/contracts';
import { DatabaseModule } from '@paylab/database';
import { newId } from '@paylab/ids';
import {
  Inbox,
  kafkaConsumer,
  MESSAGING_ENTITIES,
  MESSAGING_MIGRATIONS,
  MessagingModule,
  Outbox,
  PermanentMessageError,
  type BackoffOptions,
} from '@paylab/messaging';
import { DomainError } from '@paylab/errors';
import {
  baseEnv,
  databaseEnv,
  kafkaEnv,
  operatorAuthEnv,
  PlatformModule,
  startService,
  type PaylabLogger,
  type RunningService,
} from '@paylab/platform';
import { freePort } from '@paylab/testing';
import { localEnvOf } from '../../../tools/local/env-files';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { z } from 'zod';

const harnessConfigSchema = z.object({
  ...baseEnv,
  ...operatorAuthEnv,
  ...databaseEnv,
  ...kafkaEnv,
  SCHEMA: z.string(),
});
type HarnessConfig = z.infer<typeof harnessConfigSchema>;

class HarnessTables1732406460000 implements MigrationInterface {
  name = 'HarnessTables1732406460000';
  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = (queryRunner.connection.options as { schema: string }).schema;
    await queryRunner.query(
      `CREATE TABLE "${schema}"."payments" (payment_id text PRIMARY KEY, amount_minor bigint NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE TABLE "${schema}"."applied_payments" (payment_id text PRIMARY KEY, applied_count int NOT NULL)`,
    );
  }
  async down(): Promise<void> {}
}

// ---- the producing service -------------------------------------------------------------

@Injectable()
export class PaymentRecorder {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  /** One state change and its event, in one transaction. Touches no broker. */
  async recordPayment(
    amountMinor: number,
    paymentId: string = newId('pay'),
  ): Promise<{ paymentId: string; messageId: string }> {
    const messageId = await this.dataSource.transaction(async (manager) => {
      await manager.query('INSERT INTO payments (payment_id, amount_minor) VALUES ($1, $2)', [
        paymentId,
        amountMinor,
      ]);
      return this.outbox.publish(manager, ChannelPaymentSucceeded, {
        transactionId: newId('txn'),
        paymentId,
        merchantId: newId('mch'),
        channel: 'ALIPAY',
        channelTradeNo: `2026112422001${Math.floor(Math.random() * 1e9)}`,
        amount: { amountMinor, currency: 'CNY' },
        paidAt: new Date().toISOString(),
        businessDate: '2026-11-24',
        confirmedBy: 'CALLBACK',
      });
    });
    return { paymentId, messageId };
  }
}

@Module({})
class PaymentsModule {
  static register(config: HarnessConfig, logger: PaylabLogger): DynamicModule {
    return {
      module: PaymentsModule,
      imports: [
        PlatformModule.forRoot({
          serviceName: 'it-payments',
          logger,
          operatorCredentials: config.OPERATOR_CREDENTIALS,
        }),
        DatabaseModule.forRoot({
          url: config.DATABASE_URL,
          schema: config.SCHEMA,
          entities: MESSAGING_ENTITIES,
          migrations: [...MESSAGING_MIGRATIONS, HarnessTables1732406460000],
        }),
        MessagingModule.forRoot({
          serviceName: 'it-payments',
          brokers: config.KAFKA_BROKERS,
          outboxPollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
          publishes: [Topics.channelPayments.name],
        }),
      ],
      providers: [PaymentRecorder],
    };
  }
}

// ---- the consuming service -------------------------------------------------------------

export interface ConsumerObservations {
  /** Every delivery the handler saw, with what the inbox decided. */
  deliveries: Array<{ messageId: string; paymentId: string; outcome: 'processed' | 'duplicate' }>;
  /** paymentId → how many more times the handler should fail before it succeeds. */
  transientFailures: Map<string, number>;
  /** Payment ids whose handler throws PermanentMessageError. */
  permanentFailures: Set<string>;
  /** Payment ids a business rule refuses (the handler throws a DomainError). */
  refusedPayments: Set<string>;
  attempts: Map<string, number>;
}

const OBSERVATIONS = Symbol('OBSERVATIONS');

@Controller()
class LedgerConsumer {
  constructor(
    private readonly inbox: Inbox,
    @Inject(OBSERVATIONS) private readonly observations: ConsumerObservations,
  ) {}

  @EventPattern(Topics.channelPayments.name)
  async onChannelPayment(
    @Payload() envelope: EnvelopeOf<typeof ChannelPaymentSucceeded>,
  ): Promise<void> {
    const { paymentId } = envelope.payload;
    this.observations.attempts.set(paymentId, (this.observations.attempts.get(paymentId) ?? 0) + 1);
    const outcome = await this.inbox.consumeOnce('ledger', envelope, async (manager) => {
      await manager.query(
        `INSERT INTO applied_payments (payment_id, applied_count) VALUES ($1, 1)
         ON CONFLICT (payment_id) DO UPDATE SET applied_count = applied_payments.applied_count + 1`,
        [paymentId],
      );
      if (this.observations.refusedPayments.has(paymentId)) {
        throw new DomainError('LEDGER.PAYMENT_REFUSED', `payment ${paymentId} is refused`);
      }
      if (this.observations.permanentFailures.has(paymentId)) {
        throw new PermanentMessageError(`payment ${paymentId} can never be applied`);
      }
      const failuresLeft = this.observations.transientFailures.get(paymentId) ?? 0;
      if (failuresLeft > 0) {
        this.observations.transientFailures.set(paymentId, failuresLeft - 1);
        // Thrown after the writes: the rollback must undo them and the inbox row together.
        throw new Error(`simulated transient failure (${failuresLeft} left)`);
      }
    });
    this.observations.deliveries.push({ messageId: envelope.id, paymentId, outcome });
  }
}

@Module({})
class LedgerModule {
  static register(
    config: HarnessConfig,
    logger: PaylabLogger,
    observations: ConsumerObservations,
  ): DynamicModule {
    return {
      module: LedgerModule,
      imports: [
        PlatformModule.forRoot({
          serviceName: 'it-ledger',
          logger,
          operatorCredentials: config.OPERATOR_CREDENTIALS,
        }),
        DatabaseModule.forRoot({
          url: config.DATABASE_URL,
          schema: config.SCHEMA,
          entities: MESSAGING_ENTITIES,
          migrations: [...MESSAGING_MIGRATIONS, HarnessTables1732406460000],
        }),
        MessagingModule.forRoot({
          serviceName: 'it-ledger',
          brokers: config.KAFKA_BROKERS,
          outboxPollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
          publishes: [],
        }),
      ],
      controllers: [LedgerConsumer],
      providers: [{ provide: OBSERVATIONS, useValue: observations }],
    };
  }
}

// ---- starting them ---------------------------------------------------------------------

export interface HarnessEnv {
  databaseUrl: string;
  brokers: string[];
  schema: string;
}

async function envFor(options: HarnessEnv): Promise<Record<string, string>> {
  return {
    HTTP_PORT: String(await freePort()),
    HTTP_HOST: '127.0.0.1',
    LOG_LEVEL: process.env.PAYLAB_TEST_LOG_LEVEL ?? 'warn',
    DATABASE_URL: options.databaseUrl,
    KAFKA_BROKERS: options.brokers.join(','),
    OUTBOX_POLL_INTERVAL_MS: '50',
    SCHEMA: options.schema,
    // The demo operator credentials every service gets from deploy/env/common.env.
    OPERATOR_CREDENTIALS: localEnvOf('settlement', {}).OPERATOR_CREDENTIALS ?? '',
  };
}

export async function startPaymentsService(
  options: HarnessEnv,
): Promise<RunningService<HarnessConfig>> {
  return startService(
    {
      name: 'it-payments',
      configSchema: harnessConfigSchema,
      openApi: { title: 'it-payments', description: 'integration test producer' },
      rootModule: (config, logger) => PaymentsModule.register(config, logger),
    },
    await envFor(options),
  );
}

export async function startLedgerService(
  options: HarnessEnv & { consumerGroup: string; transientBackoff?: BackoffOptions },
  observations: ConsumerObservations,
): Promise<RunningService<HarnessConfig>> {
  return startService(
    {
      name: 'it-ledger',
      configSchema: harnessConfigSchema,
      openApi: { title: 'it-ledger', description: 'integration test consumer' },
      rootModule: (config, logger) => LedgerModule.register(config, logger, observations),
      consumer: (config, logger) =>
        kafkaConsumer({
          serviceName: options.consumerGroup,
          brokers: config.KAFKA_BROKERS,
          logger,
          concurrency: 3,
          sessionTimeoutMs: 10_000,
          retry: { maxAttempts: 4, baseMs: 50, maxMs: 400 },
          transientBackoff: options.transientBackoff,
        }),
    },
    await envFor(options),
  );
}

export function newObservations(): ConsumerObservations {
  return {
    deliveries: [],
    transientFailures: new Map(),
    permanentFailures: new Set(),
    refusedPayments: new Set(),
    attempts: new Map(),
  };
}
