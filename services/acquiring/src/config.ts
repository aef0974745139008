import { baseEnv, databaseEnv, httpUrl, kafkaEnv, redisEnv } from '@paylab/platform';
import { z } from 'zod';

/** Everything acquiring reads from its environment, validated once at start-up. */
export const acquiringConfigSchema = z.object({
  ...baseEnv,
  ...databaseEnv,
  ...redisEnv,
  ...kafkaEnv,
  CHANNEL_SANDBOX_URL: httpUrl(),
  PUBLIC_BASE_URL: httpUrl(),
});

export type AcquiringConfig = z.infer<typeof acquiringConfigSchema>;

/** The Postgres schema acquiring owns. No other service reads it. */
export const acquiringSchema = 'acquiring';
