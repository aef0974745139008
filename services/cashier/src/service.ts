import { kafkaConsumer } from '@paylab/messaging';
import type { ServiceDefinition } from '@paylab/platform';
import { cashierConfigSchema, DEFAULT_CASHIER_CONSUMER_GROUP, type CashierConfig } from './config';
import { CashierModule } from './cashier.module';

export const cashierService: ServiceDefinition<CashierConfig> = {
  name: 'cashier',
  configSchema: cashierConfigSchema,
  openApi: {
    title: 'PayLab cashier (收银台)',
    description:
      'Merchant Open API: payment orders, refunds, hosted checkout and aggregated QR (一码付), signed merchant webhooks.',
  },
  rootModule: (config, logger) => CashierModule.register(config, logger),
  // Marks orders paid on every ChannelPaymentSucceeded (ChannelPaymentsConsumer) and settles
  // refunds on ChannelRefundSucceeded/Failed (ChannelRefundsConsumer); queues settlement.paid /
  // settlement.failed webhooks from settlement's batch events (SettlementBatchesConsumer).
  consumer: (config, logger) =>
    kafkaConsumer({
      serviceName: config.KAFKA_CONSUMER_GROUP ?? DEFAULT_CASHIER_CONSUMER_GROUP,
      brokers: config.KAFKA_BROKERS,
      logger,
      concurrency: config.KAFKA_CONSUMER_CONCURRENCY,
    }),
};
