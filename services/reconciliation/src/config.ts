import { baseEnv, databaseEnv, kafkaEnv } from '@paylab/platform';
import { z } from 'zod';

/** Everything reconciliation reads from its environment, validated once at start-up. */
export const reconciliationConfigSchema = z.object({
  ...baseEnv,
  ...databaseEnv,
  ...kafkaEnv,
});

export type ReconciliationConfig = z.infer<typeof reconciliationConfigSchema>;

/** The Postgres schema reconciliation owns. No other service reads it. */
export const reconciliationSchema = 'reconciliation';
