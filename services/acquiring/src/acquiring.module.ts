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
    return {
      module: AcquiringModule,
      imports: [
        PlatformModule.forRoot({ serviceName: 'acquiring', logger }),
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
          publishes: [Topics.channelPayments.name],
        }),
      ],
      controllers: [TransactionsController, CallbacksController, ChargeRequestsController],
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
      ],
    };
  }
}
