import { baseEnv, operatorAuthEnv, databaseEnv, httpUrl } from '@paylab/platform';
import { z } from 'zod';

/** Everything channel-sandbox reads from its environment, validated once at start-up. */
export const channelSandboxConfigSchema = z.object({
  ...baseEnv,
  ...operatorAuthEnv,
  ...databaseEnv,
  PUBLIC_BASE_URL: httpUrl(),
  /**
   * Where other servers reach the sandbox, for links they fetch themselves (bill downloads).
   * Defaults to PUBLIC_BASE_URL; in compose the payer's localhost is not the acquiring container's.
   */
  API_BASE_URL: httpUrl().optional(),
  /**
   * Multiplies the channel's published callback retry schedule (4m, 10m, …). 1 is the real
   * schedule; tests and classroom demos use e.g. 0.001 so a day of retries takes seconds.
   */
  CALLBACK_TIME_SCALE: z.coerce.number().positive().max(1).default(1),
  /** How often the notification worker looks for callbacks that are due. */
  CALLBACK_POLL_INTERVAL_MS: z.coerce.number().int().min(10).max(60_000).default(1_000),
  /**
   * The simulated bank (银企直连): how long after acceptance a payout (代付) is finished and its
   * result notified. Its notifications retry on the bank's schedule scaled by CALLBACK_TIME_SCALE.
   */
  BANK_PAYOUT_DELAY_MS: z.coerce.number().int().min(0).max(600_000).default(1_500),
});

export type ChannelSandboxConfig = z.infer<typeof channelSandboxConfigSchema>;

/** The Postgres schema channel-sandbox owns. No other service reads it. */
export const channelSandboxSchema = 'channel_sandbox';
