import { DynamicModule, Module } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { DatabaseModule } from '@paylab/database';
import { PlatformModule, type PaylabLogger, RedisModule } from '@paylab/platform';
import { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS, MessagingModule } from '@paylab/messaging';
import { Topics } from '@paylab/contracts';
import { CallbacksController } from './callbacks/callbacks.controller';
import { ChannelCallbacks } from './callbacks/channel-callbacks.service';
import { ChannelAdapters } from './channels/channel-adapters';
import { connectChannels } from './channels/connected-channels';
import { acquiringSchema, type AcquiringConfig } from './config';
import { ACQUIRING_ENTITIES, ACQUIRING_MIGRATIONS } from './persistence';
import {
  ChannelRefunds,
  REFUND_SETTINGS,
  type RefundSettings,
} from './refunds/channel-refunds.service';
import { RefundRequestsConsumer } from './refunds/refund-requests.consumer';
import { RefundWorker } from './refunds/refund.worker';
import { RefundsController } from './refunds/refunds.controller';
import { ActiveQueryWorker } from './transactions/active-query.worker';
import {
  ACQUIRING_SETTINGS,
  type AcquiringSettings,
  ChannelTransactions,
} from './transactions/channel-transactions.service';
import { ChargeRequestsController } from './transactions/charge-requests.controller';
import { TransactionsController } from './transactions/transactions.controller';

@Module({})
export class AcquiringModule {
  static register(config: AcquiringConfig, logger: PaylabLogger): DynamicModule {
    const settings: AcquiringSettings = {
      activeQueryIntervalMs: config.ACTIVE_QUERY_INTERVAL_MS,
      activeQueryAfterMs: config.ACTIVE_QUERY_AFTER_MS,
    };
    const refundSettings: RefundSettings = {
      workerIntervalMs: config.REFUND_WORKER_INTERVAL_MS,
      queryAfterMs: config.REFUND_QUERY_AFTER_MS,
      retryBaseMs: config.REFUND_RETRY_BASE_MS,
      retryMaxMs: config.REFUND_RETRY_MAX_MS,
      claimLeaseMs: 60_000,
    };
    return {
      module: AcquiringModule,
      imports: [
        PlatformModule.forRoot({
          serviceName: 'acquiring',
          logger,
          operatorCredentials: config.OPERATOR_CREDENTIALS,
        }),
        DatabaseModule.forRoot({
          url: config.DATABASE_URL,
          schema: acquiringSchema,
          poolSize: config.DATABASE_POOL_SIZE,
          applicationName: 'acquiring',
          entities: [...MESSAGING_ENTITIES, ...ACQUIRING_ENTITIES],
          migrations: [...MESSAGING_MIGRATIONS, ...ACQUIRING_MIGRATIONS],
        }),
        RedisModule.forRoot(config.REDIS_URL),
        MessagingModule.forRoot({
          serviceName: 'acquiring',
          brokers: config.KAFKA_BROKERS,
          outboxPollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
          publishes: [Topics.channelPayments.name, Topics.channelRefunds.name],
        }),
      ],
      controllers: [
        TransactionsController,
        CallbacksController,
        ChargeRequestsController,
        RefundsController,
        RefundRequestsConsumer,
      ],
      providers: [
        {
          // One adapter per channel account, chosen per transaction (ChannelAdapters.adapterFor).
          provide: ChannelAdapters,
          inject: [getDataSourceToken()],
          useFactory: (dataSource: DataSource) => connectChannels(config, dataSource, logger),
        },
        { provide: ACQUIRING_SETTINGS, useValue: settings },
        ChannelTransactions,
        ChannelCallbacks,
        ActiveQueryWorker,
        { provide: REFUND_SETTINGS, useValue: refundSettings },
        ChannelRefunds,
        RefundWorker,
      ],
    };
  }
}
