import { baseEnv, operatorAuthEnv, databaseEnv, kafkaEnv, redisEnv } from '@paylab/platform';
import { z } from 'zod';

/** Everything settlement reads from its environment, validated once at start-up. */
export const settlementConfigSchema = z.object({
  ...baseEnv,
  ...operatorAuthEnv,
  ...databaseEnv,
  ...redisEnv,
  ...kafkaEnv,
});

export type SettlementConfig = z.infer<typeof settlementConfigSchema>;

/** The Postgres schema settlement owns. No other service reads it. */
export const settlementSchema = 'settlement';
