import { DynamicModule, Module } from '@nestjs/common';
import { DatabaseModule } from '@paylab/database';
import { PlatformModule, type PaylabLogger, RedisModule } from '@paylab/platform';
import { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS, MessagingModule } from '@paylab/messaging';
import { ChannelsController } from './channels/channels.controller';
import { RoutingConfiguration } from './channels/routing-configuration';
import { routingSchema, type RoutingConfig } from './config';
import { ROUTING_ENTITIES, ROUTING_MIGRATIONS } from './persistence';
import { PriorityThenFeeStrategy } from './route-decisions/domain/priority-fee-strategy';
import { RouteDecisionRequestsController } from './route-decisions/route-decision-requests.controller';
import { RouteDecisionsController } from './route-decisions/route-decisions.controller';
import { ROUTING_STRATEGY, RouteDecisions } from './route-decisions/route-decisions.service';

@Module({})
export class RoutingModule {
  static register(config: RoutingConfig, logger: PaylabLogger): DynamicModule {
    return {
      module: RoutingModule,
      imports: [
        PlatformModule.forRoot({
          serviceName: 'routing',
          logger,
          operatorCredentials: config.OPERATOR_CREDENTIALS,
        }),
        DatabaseModule.forRoot({
          url: config.DATABASE_URL,
          schema: routingSchema,
          poolSize: config.DATABASE_POOL_SIZE,
          applicationName: 'routing',
          entities: [...MESSAGING_ENTITIES, ...ROUTING_ENTITIES],
          migrations: [...MESSAGING_MIGRATIONS, ...ROUTING_MIGRATIONS],
        }),
        RedisModule.forRoot(config.REDIS_URL),
        MessagingModule.forRoot({
          serviceName: 'routing',
          brokers: config.KAFKA_BROKERS,
          outboxPollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
          publishes: [],
        }),
      ],
      controllers: [RouteDecisionsController, ChannelsController, RouteDecisionRequestsController],
      providers: [
        RoutingConfiguration,
        RouteDecisions,
        { provide: ROUTING_STRATEGY, useValue: new PriorityThenFeeStrategy() },
      ],
    };
  }
}
