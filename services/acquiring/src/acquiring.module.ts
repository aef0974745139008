import { DynamicModule, Module } from '@nestjs/common';
import { DatabaseModule } from '@paylab/database';
import { PlatformModule, type PaylabLogger, RedisModule } from '@paylab/platform';
import { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS, MessagingModule } from '@paylab/messaging';
import { Topics } from '@paylab/contracts';
import { acquiringSchema, type AcquiringConfig } from './config';
import { ACQUIRING_ENTITIES, ACQUIRING_MIGRATIONS } from './persistence';

@Module({})
export class AcquiringModule {
  static register(config: AcquiringConfig, logger: PaylabLogger): DynamicModule {
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
    };
  }
}
