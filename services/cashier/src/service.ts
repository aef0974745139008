import type { ServiceDefinition } from '@paylab/platform';
import { cashierConfigSchema, type CashierConfig } from './config';
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
};
