import { baseEnv, operatorAuthEnv, databaseEnv, kafkaEnv, redisEnv } from '@paylab/platform';
import { z } from 'zod';

/** Everything routing reads from its environment, validated once at start-up. */
export const routingConfigSchema = z.object({
  ...baseEnv,
  ...operatorAuthEnv,
  ...databaseEnv,
  ...redisEnv,
  ...kafkaEnv,
});

export type RoutingConfig = z.infer<typeof routingConfigSchema>;

/** The Postgres schema routing owns. No other service reads it. */
export const routingSchema = 'routing';
