import { baseEnv, databaseEnv, httpUrl } from '@paylab/platform';
import { z } from 'zod';

/** Everything channel-sandbox reads from its environment, validated once at start-up. */
export const channelSandboxConfigSchema = z.object({
  ...baseEnv,
  ...databaseEnv,
  PUBLIC_BASE_URL: httpUrl(),
});

export type ChannelSandboxConfig = z.infer<typeof channelSandboxConfigSchema>;

/** The Postgres schema channel-sandbox owns. No other service reads it. */
export const channelSandboxSchema = 'channel_sandbox';
