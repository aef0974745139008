import { kafkaConsumer } from '@paylab/messaging';
import type { ServiceDefinition } from '@paylab/platform';
import { settlementConfigSchema, type SettlementConfig } from './config';
import { SettlementModule } from './settlement.module';

export const settlementService: ServiceDefinition<SettlementConfig> = {
  name: 'settlement',
  configSchema: settlementConfigSchema,
  openApi: {
    title: 'PayLab settlement (清结算)',
    description:
      'Clearing on payment and refund events, a double-entry ledger, settlement batches and payouts. ' +
      'The read endpoints are internal/admin and not yet behind admin credentials.',
  },
  rootModule: (config, logger) => SettlementModule.register(config, logger),
  // Clears from cashier's verdicts (PaymentOrdersConsumer) and refunds (RefundsConsumer).
  consumer: (config, logger) =>
    kafkaConsumer({
      serviceName: config.KAFKA_CONSUMER_GROUP ?? 'settlement',
      brokers: config.KAFKA_BROKERS,
      logger,
      concurrency: config.KAFKA_CONSUMER_CONCURRENCY,
    }),
};
