import { DynamicModule, Module } from '@nestjs/common';
import { DatabaseModule } from '@paylab/database';
import { PlatformModule, type PaylabLogger } from '@paylab/platform';
import { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS, MessagingModule } from '@paylab/messaging';
import { reconciliationSchema, type ReconciliationConfig } from './config';
import { RECONCILIATION_ENTITIES, RECONCILIATION_MIGRATIONS } from './persistence';
import { ChannelPaymentsConsumer } from './platform-transactions/channel-payments.consumer';
import { ChannelRefundsConsumer } from './platform-transactions/channel-refunds.consumer';
import {
  ACQUIRING_BASE_URL,
  AcquiringStatements,
  RECONCILIATION_SERVICE_TOKEN,
} from './statements/acquiring-statements';
import { ReconRunsController } from './recon-runs/recon-runs.controller';
import { CROSS_DAY_WINDOW_MINUTES, ReconRuns } from './recon-runs/recon-runs.service';

@Module({})
export class ReconciliationModule {
  static register(config: ReconciliationConfig, logger: PaylabLogger): DynamicModule {
    return {
      module: ReconciliationModule,
      imports: [
        PlatformModule.forRoot({
          serviceName: 'reconciliation',
          logger,
          operatorCredentials: config.OPERATOR_CREDENTIALS,
        }),
        DatabaseModule.forRoot({
          url: config.DATABASE_URL,
          schema: reconciliationSchema,
          poolSize: config.DATABASE_POOL_SIZE,
          applicationName: 'reconciliation',
          entities: [...MESSAGING_ENTITIES, ...RECONCILIATION_ENTITIES],
          migrations: [...MESSAGING_MIGRATIONS, ...RECONCILIATION_MIGRATIONS],
        }),
        MessagingModule.forRoot({
          serviceName: 'reconciliation',
          brokers: config.KAFKA_BROKERS,
          outboxPollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
          publishes: [],
        }),
      ],
      controllers: [ReconRunsController, ChannelPaymentsConsumer, ChannelRefundsConsumer],
      providers: [
        ReconRuns,
        AcquiringStatements,
        { provide: ACQUIRING_BASE_URL, useValue: config.ACQUIRING_URL },
        { provide: RECONCILIATION_SERVICE_TOKEN, useValue: config.SERVICE_TOKEN },
        { provide: CROSS_DAY_WINDOW_MINUTES, useValue: config.RECON_CROSS_DAY_WINDOW_MINUTES },
      ],
    };
  }
}
