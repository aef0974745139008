import { DynamicModule, Module } from '@nestjs/common';
import { DatabaseModule } from '@paylab/database';
import { PlatformModule, type PaylabLogger } from '@paylab/platform';
import { channelSandboxSchema, type ChannelSandboxConfig } from './config';
import { CHANNEL_SANDBOX_ENTITIES, CHANNEL_SANDBOX_MIGRATIONS } from './persistence';

@Module({})
export class ChannelSandboxModule {
  static register(config: ChannelSandboxConfig, logger: PaylabLogger): DynamicModule {
    return {
      module: ChannelSandboxModule,
      imports: [
        PlatformModule.forRoot({ serviceName: 'channel-sandbox', logger }),
        DatabaseModule.forRoot({
          url: config.DATABASE_URL,
          schema: channelSandboxSchema,
          poolSize: config.DATABASE_POOL_SIZE,
          applicationName: 'channel-sandbox',
          entities: CHANNEL_SANDBOX_ENTITIES,
          migrations: CHANNEL_SANDBOX_MIGRATIONS,
        }),
      ],
    };
  }
}
