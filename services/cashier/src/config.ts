import {
  baseEnv,
  operatorAuthEnv,
  databaseEnv,
  httpUrl,
  kafkaEnv,
  redisEnv,
} from '@paylab/platform';
import { z } from 'zod';
import { WebhookAllowList } from './notifications/domain/webhook-address';

/** Everything cashier reads from its environment, validated once at start-up. */
export const cashierConfigSchema = z.object({
  ...baseEnv,
  ...operatorAuthEnv,
  ...databaseEnv,
  ...redisEnv,
  ...kafkaEnv,
  PUBLIC_BASE_URL: httpUrl(),
  /** How often the expiry worker looks for unpaid orders past their deadline (订单超时关单). */
  PAYMENT_EXPIRY_SWEEP_INTERVAL_MS: z.coerce.number().int().min(50).max(600_000).default(5_000),
  /**
   * How long past its deadline a PROCESSING order waits for acquiring's ChannelPaymentClosed
   * before the expiry sweep asks acquiring to close its charge itself (the safety net).
   */
  PROCESSING_CLOSE_GRACE_MS: z.coerce.number().int().min(0).max(86_400_000).default(300_000),
  /** How often the webhook worker looks for notifications that are due. */
  WEBHOOK_POLL_INTERVAL_MS: z.coerce.number().int().min(20).max(60_000).default(1_000),
  /** How long one webhook attempt may take before it counts as failed. */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /**
   * Multiplies the published retry schedule (15 s … 12 h). 1 in every real deployment; tests and
   * classroom demos shrink it (0.001 turns 15 s into 15 ms) to watch retries happen.
   */
  WEBHOOK_TIME_SCALE: z.coerce.number().positive().max(1).default(1),
  /**
   * Non-public destinations webhooks may reach after all (SSRF protection): host names, IPs or
   * CIDR ranges, comma-separated. Empty in production: loopback, private, link-local (cloud
   * metadata), CGNAT, multicast and reserved addresses are refused at create and at delivery.
   */
  WEBHOOK_ALLOWED_HOSTS: z
    .string()
    .default('')
    .transform((value, context) => {
      try {
        return WebhookAllowList.parse(value);
      } catch (error) {
        context.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
  /** How long checkout waits for routing and acquiring before telling the payer to retry. */
  CHECKOUT_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
});

export type CashierConfig = z.infer<typeof cashierConfigSchema>;

/** The Postgres schema cashier owns. No other service reads it. */
export const cashierSchema = 'cashier';

/**
 * The consumer group cashier reads channel payments in, unless KAFKA_CONSUMER_GROUP names another
 * (every replica of one deployment shares it; a second deployment on the same broker, such as a
 * test run, needs its own or it would steal the partitions).
 */
export const DEFAULT_CASHIER_CONSUMER_GROUP = 'cashier';
