import { baseEnv, databaseEnv, kafkaEnv, redisEnv } from '@paylab/platform';
import { z } from 'zod';

/** Everything settlement reads from its environment, validated once at start-up. */
export const settlementConfigSchema = z.object({
  ...baseEnv,
  ...databaseEnv,
  ...redisEnv,
  ...kafkaEnv,
  /**
   * The Kafka consumer group settlement reads payment events in. Every replica of one deployment
   * must share it (Kafka then splits the partitions between them); a separate deployment on the
   * same broker (a test run, a lab copy) needs its own, or it would steal the partitions.
   */
  SETTLEMENT_CONSUMER_GROUP: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,200}$/, 'must be 1-200 of A-Z a-z 0-9 . _ -')
    .default('settlement'),
});

export type SettlementConfig = z.infer<typeof settlementConfigSchema>;

/** The Postgres schema settlement owns. No other service reads it. */
export const settlementSchema = 'settlement';
