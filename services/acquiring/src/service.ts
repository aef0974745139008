import { kafkaConsumer } from '@paylab/messaging';
import type { ServiceDefinition } from '@paylab/platform';
import { acquiringConfigSchema, type AcquiringConfig } from './config';
import { AcquiringModule } from './acquiring.module';

export const acquiringService: ServiceDefinition<AcquiringConfig> = {
  name: 'acquiring',
  configSchema: acquiringConfigSchema,
  openApi: {
    title: 'PayLab acquiring (三方支付收单)',
    description:
      'One adapter per payment channel: charge, query, close, refund, callbacks and statements.',
  },
  rootModule: (config, logger) => AcquiringModule.register(config, logger),
  // Answers charge requests (request/reply) from checkout, and takes cashier's refund requests
  // (RefundRequestsConsumer). One consumer group, so it starts from the latest offset as request
  // responders must: a brand-new group skips refund requests published before it first joined
  // (only ever on a first deployment; committed offsets carry it from then on).
  consumer: (config, logger) =>
    kafkaConsumer({
      serviceName: config.KAFKA_CONSUMER_GROUP ?? 'acquiring',
      brokers: config.KAFKA_BROKERS,
      logger,
      concurrency: config.KAFKA_CONSUMER_CONCURRENCY,
      startFrom: 'latest',
    }),
};
