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
};
