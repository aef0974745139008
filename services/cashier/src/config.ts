import { baseEnv, databaseEnv, httpUrl, kafkaEnv, redisEnv } from '@paylab/platform';
import { z } from 'zod';

/** Everything cashier reads from its environment, validated once at start-up. */
export const cashierConfigSchema = z.object({
  ...baseEnv,
  ...databaseEnv,
  ...redisEnv,
  ...kafkaEnv,
  PUBLIC_BASE_URL: httpUrl(),
});

export type CashierConfig = z.infer<typeof cashierConfigSchema>;

/** The Postgres schema cashier owns. No other service reads it. */
export const cashierSchema = 'cashier';
