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
  // Answers charge and close requests (request/reply) from cashier, and takes cashier's refund
  // requests (RefundRequestsConsumer); a new group starts from the earliest message, and requests
  // past their deadline are dropped unanswered.
  consumer: (config, logger) =>
    kafkaConsumer({
      serviceName: config.KAFKA_CONSUMER_GROUP ?? 'acquiring',
      brokers: config.KAFKA_BROKERS,
      logger,
      concurrency: config.KAFKA_CONSUMER_CONCURRENCY,
    }),
};
