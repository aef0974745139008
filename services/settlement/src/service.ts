import type { ServiceDefinition } from '@paylab/platform';
import { settlementConfigSchema, type SettlementConfig } from './config';
import { SettlementModule } from './settlement.module';

export const settlementService: ServiceDefinition<SettlementConfig> = {
  name: 'settlement',
  configSchema: settlementConfigSchema,
  openApi: {
    title: 'PayLab settlement (清结算)',
    description:
      'Clearing on payment and refund events, a double-entry ledger, settlement batches and payouts.',
  },
  rootModule: (config, logger) => SettlementModule.register(config, logger),
};
