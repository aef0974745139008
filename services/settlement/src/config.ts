import {
  baseEnv,
  operatorAuthEnv,
  databaseEnv,
  httpUrl,
  kafkaEnv,
  redisEnv,
} from '@paylab/platform';
import { z } from 'zod';

/** An RSA key as PEM, or the bare base64 body without the armour lines (fits an env file). */
const rsaKey = () =>
  z
    .string()
    .trim()
    .refine(
      (value) =>
        /^-----BEGIN [A-Z ]+-----[\s\S]+-----END [A-Z ]+-----$/.test(value) ||
        /^[A-Za-z0-9+/]+={0,2}$/.test(value),
      { message: 'must be a PEM key or its single-line base64 body' },
    );

/** Everything settlement reads from its environment, validated once at start-up. */
export const settlementConfigSchema = z.object({
  ...baseEnv,
  ...operatorAuthEnv,
  ...databaseEnv,
  ...redisEnv,
  ...kafkaEnv,
  /**
   * The bank's enterprise direct link (银企直连) that pays merchants out (代付). Going live = the
   * bank's URL, the client id it gave us, our key pair's private half and the bank's public key.
   */
  BANK_BASE_URL: httpUrl(),
  BANK_CLIENT_ID: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be the client id (客户号)'),
  BANK_CLIENT_PRIVATE_KEY: rsaKey(),
  BANK_PUBLIC_KEY: rsaKey(),
  /** The platform's own account, payer of every payout (备付金专户). */
  BANK_PAYER_ACCOUNT_NO: z.string().regex(/^\d{8,32}$/, 'must be 8-32 digits'),
  /** Past this a bank call has no answer: a payout's fate is UNKNOWN and must be queried. */
  BANK_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5_000),
  /** Where the bank POSTs payout results: settlement's /v1/bank/payout-notifications. */
  BANK_NOTIFY_URL: httpUrl(),
});

export type SettlementConfig = z.infer<typeof settlementConfigSchema>;

/** The Postgres schema settlement owns. No other service reads it. */
export const settlementSchema = 'settlement';
