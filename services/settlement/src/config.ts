import {
  baseEnv,
  operatorAuthEnv,
  databaseEnv,
  httpUrl,
  kafkaEnv,
  redisEnv,
  rsaKeyEnv,
} from '@paylab/platform';
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
  /**
   * The bank's enterprise direct link (银企直连) that pays merchants out (代付). Going live = the
   * bank's URL, the client id it gave us, our key pair's private half and the bank's public key.
   */
  BANK_BASE_URL: httpUrl(),
  BANK_CLIENT_ID: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be the client id (客户号)'),
  BANK_CLIENT_PRIVATE_KEY: rsaKeyEnv(),
  BANK_PUBLIC_KEY: rsaKeyEnv(),
  /** The platform's own account, payer of every payout (备付金专户). */
  BANK_PAYER_ACCOUNT_NO: z.string().regex(/^\d{8,32}$/, 'must be 8-32 digits'),
  /** Past this a bank call has no answer: a payout's fate is UNKNOWN and must be queried. */
  BANK_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5_000),
  /** Where the bank POSTs payout results: settlement's /v1/bank/payout-notifications. */
  BANK_NOTIFY_URL: httpUrl(),
});

export type SettlementConfig = z.infer<typeof settlementConfigSchema>;

/** The validated configuration, for the providers that need more than their module options. */
export const SETTLEMENT_CONFIG = Symbol('SETTLEMENT_CONFIG');

/** The Postgres schema settlement owns. No other service reads it. */
export const settlementSchema = 'settlement';
