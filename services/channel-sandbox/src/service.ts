import type { ServiceDefinition } from '@paylab/platform';
import { channelSandboxConfigSchema, type ChannelSandboxConfig } from './config';
import { ChannelSandboxModule } from './channel-sandbox.module';

export const channelSandboxService: ServiceDefinition<ChannelSandboxConfig> = {
  name: 'channel-sandbox',
  configSchema: channelSandboxConfigSchema,
  openApi: {
    title: 'PayLab channel sandbox (模拟支付渠道)',
    description:
      'Simulated Alipay, WeChat Pay and UnionPay style channels with their real signing, payer pages, callbacks, statements and fault injection.',
  },
  rootModule: (config, logger) => ChannelSandboxModule.register(config, logger),
};
