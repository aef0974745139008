import { kafkaConsumer } from '@paylab/messaging';
import type { ServiceDefinition } from '@paylab/platform';
import { reconciliationConfigSchema, type ReconciliationConfig } from './config';
import { ReconciliationModule } from './reconciliation.module';

export const reconciliationService: ServiceDefinition<ReconciliationConfig> = {
  name: 'reconciliation',
  configSchema: reconciliationConfigSchema,
  openApi: {
    title: 'PayLab reconciliation (自动化对账)',
    description:
      'Statement imports, recon runs, matches, discrepancies (差错) and the case workflow.',
  },
  rootModule: (config, logger) => ReconciliationModule.register(config, logger),
  // Builds the projections of platform transactions (ChannelPaymentSucceeded) and refunds
  // (ChannelRefundSucceeded).
  consumer: (config, logger) =>
    kafkaConsumer({
      serviceName: config.KAFKA_CONSUMER_GROUP ?? 'reconciliation',
      brokers: config.KAFKA_BROKERS,
      logger,
      concurrency: config.KAFKA_CONSUMER_CONCURRENCY,
    }),
};
