import { kafkaConsumer } from '@paylab/messaging';
import type { ServiceDefinition } from '@paylab/platform';
import { routingConfigSchema, type RoutingConfig } from './config';
import { RoutingModule } from './routing.module';

export const routingService: ServiceDefinition<RoutingConfig> = {
  name: 'routing',
  configSchema: routingConfigSchema,
  openApi: {
    title: 'PayLab routing (支付路由)',
    description:
      'Channels, channel accounts, fee rates, limits and routing rules; route decisions with a full trace.',
  },
  rootModule: (config, logger) => RoutingModule.register(config, logger),
  // Answers route-decision requests (request/reply) from services with a person waiting.
  consumer: (config, logger) =>
    kafkaConsumer({
      serviceName: config.KAFKA_CONSUMER_GROUP ?? 'routing',
      brokers: config.KAFKA_BROKERS,
      logger,
      concurrency: config.KAFKA_CONSUMER_CONCURRENCY,
    }),
};
