import { baseEnv, operatorAuthEnv, databaseEnv, kafkaEnv, redisEnv } from '@paylab/platform';
import { z } from 'zod';
import { isBusinessDate } from './calendar/domain/business-date';

/** Everything settlement reads from its environment, validated once at start-up. */
export const settlementConfigSchema = z.object({
  ...baseEnv,
  ...operatorAuthEnv,
  ...databaseEnv,
  ...redisEnv,
  ...kafkaEnv,
  /** Run the end of day (日终) on its schedule; off, it only runs when an instructor asks. */
  EOD_SCHEDULE_ENABLED: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
  /** How often the scheduler looks for a business date whose end of day is due. */
  EOD_POLL_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  /** Wait after midnight (Asia/Shanghai) before the day's end of day, for the last payments to clear. */
  EOD_GRACE_MS: z.coerce.number().int().min(0).max(21_600_000).default(300_000),
  /**
   * The first business date the end of day ever runs for. Unset, the first run starts at the
   * earliest cleared item's date, at most EOD_FIRST_RUN_LOOKBACK_DAYS back.
   */
  EOD_FIRST_DATE: z.string().refine(isBusinessDate, 'must be a date YYYY-MM-DD').optional(),
  EOD_FIRST_RUN_LOOKBACK_DAYS: z.coerce.number().int().min(0).max(366).default(31),
  /** How far ahead of today an instructor may run the end of day (to show T+1 in minutes). */
  EOD_MAX_DAYS_AHEAD: z.coerce.number().int().min(0).max(31).default(7),
  PAYOUT_POLL_INTERVAL_MS: z.coerce.number().int().min(50).max(3_600_000).default(1_000),
});

export type SettlementConfig = z.infer<typeof settlementConfigSchema>;

/** The validated configuration, for the providers that need more than their module options. */
export const SETTLEMENT_CONFIG = Symbol('SETTLEMENT_CONFIG');

/** The Postgres schema settlement owns. No other service reads it. */
export const settlementSchema = 'settlement';
