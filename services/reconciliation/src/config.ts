import {
  baseEnv,
  databaseEnv,
  httpUrl,
  kafkaEnv,
  operatorAuthEnv,
  serviceCredentialEnv,
} from '@paylab/platform';
import { z } from 'zod';

/** Everything reconciliation reads from its environment, validated once at start-up. */
export const reconciliationConfigSchema = z.object({
  ...baseEnv,
  ...operatorAuthEnv,
  ...databaseEnv,
  ...kafkaEnv,
  /**
   * A platform transaction paid this many minutes or less before the cut-off (00:00
   * Asia/Shanghai) that is missing from the statement is held as CROSS_DAY (跨日) for the next
   * day's run instead of being reported as MISSING_IN_CHANNEL.
   */
  /** Where the channel statements come from (acquiring owns the channel connections). */
  ACQUIRING_URL: httpUrl(),
  /** Reconciliation's own credential (role `service`) when it calls acquiring. */
  ...serviceCredentialEnv,
  RECON_CROSS_DAY_WINDOW_MINUTES: z.coerce.number().int().min(0).max(720).default(5),
});

export type ReconciliationConfig = z.infer<typeof reconciliationConfigSchema>;

/** The Postgres schema reconciliation owns. No other service reads it. */
export const reconciliationSchema = 'reconciliation';
