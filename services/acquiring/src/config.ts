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

/** A certificate serial number in hex, or a WeChat Pay public key id (PUB_KEY_ID_…). */
const certificateSerial = () =>
  z
    .string()
    .regex(
      /^(?:[0-9A-Fa-f]{8,64}|PUB_KEY_ID_[0-9A-Za-z_]+)$/,
      'must be a hex certificate serial or PUB_KEY_ID_…',
    );

/** Everything acquiring reads from its environment, validated once at start-up. */
export const acquiringConfigSchema = z.object({
  ...baseEnv,
  ...operatorAuthEnv,
  ...databaseEnv,
  ...redisEnv,
  ...kafkaEnv,
  CHANNEL_SANDBOX_URL: httpUrl(),
  /** Where channels deliver their async callbacks: notify_url = `${PUBLIC_BASE_URL}/callbacks/<channel>`. */
  PUBLIC_BASE_URL: httpUrl(),
  /**
   * Alipay (支付宝) OpenAPI. A real channel is a change of these four values only: the gateway
   * URL, the app id, the app's private key (PKCS#1) and Alipay's public key.
   */
  ALIPAY_GATEWAY_URL: httpUrl(),
  /**
   * Routing's id (cha_…) of the account these ALIPAY_* credentials belong to: the channel's
   * default account. Further accounts' credentials live in acquiring.channel_accounts.
   */
  ALIPAY_CHANNEL_ACCOUNT_ID: z.string().min(1).max(64).default('cha_01M85DMB00EHTE541GQYE3T4TM'),
  ALIPAY_APP_ID: z.string().regex(/^\d{16}$/, 'must be a 16-digit Alipay app id'),
  ALIPAY_APP_PRIVATE_KEY: rsaKeyEnv(),
  ALIPAY_PLATFORM_PUBLIC_KEY: rsaKeyEnv(),
  /**
   * WeChat Pay (微信支付) API v3. Going live is a change of these values only: the API root
   * (https://api.mch.weixin.qq.com/), the merchant id and app id, the merchant API certificate's
   * serial and private key, the platform certificate's serial (or PUB_KEY_ID_…) and public key,
   * and the APIv3 key.
   */
  WECHATPAY_BASE_URL: httpUrl(),
  /** Routing's id (cha_…) of the account these WECHATPAY_* credentials belong to. */
  WECHATPAY_CHANNEL_ACCOUNT_ID: z.string().min(1).max(64).default('cha_01M85DMB00EHTE541GQYE3T4TN'),
  WECHATPAY_MCHID: z.string().regex(/^\d{8,10}$/, 'must be a WeChat Pay merchant id (商户号)'),
  WECHATPAY_APPID: z.string().regex(/^wx[0-9a-f]{16}$/, 'must be a WeChat app id (wx + 16 hex)'),
  WECHATPAY_MERCHANT_SERIAL: certificateSerial(),
  WECHATPAY_MERCHANT_PRIVATE_KEY: rsaKeyEnv(),
  WECHATPAY_PLATFORM_SERIAL: certificateSerial(),
  WECHATPAY_PLATFORM_PUBLIC_KEY: rsaKeyEnv(),
  /** AES-256-GCM key of notification resources: exactly 32 bytes. */
  WECHATPAY_APIV3_KEY: z
    .string()
    .refine((value) => Buffer.byteLength(value, 'utf8') === 32, { message: 'must be 32 bytes' }),
  /** Active query (主动查询): how often the worker looks for unconfirmed transactions. */
  ACTIVE_QUERY_INTERVAL_MS: z.coerce.number().int().min(50).max(3_600_000).default(10_000),
  /** Only transactions at least this old are queried: the callback usually comes first. */
  ACTIVE_QUERY_AFTER_MS: z.coerce.number().int().min(0).max(86_400_000).default(30_000),
  /** Refunds: how often the refund worker submits due refunds and queries unfinished ones. */
  REFUND_WORKER_INTERVAL_MS: z.coerce.number().int().min(50).max(3_600_000).default(2_000),
  /** Wait before the first active query of a refund the channel is still processing. */
  REFUND_QUERY_AFTER_MS: z.coerce.number().int().min(0).max(86_400_000).default(30_000),
  /** First wait after a refund call without a usable answer (network, 5xx); doubles per attempt. */
  REFUND_RETRY_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(5_000),
  /** Ceiling of the refund waits. */
  REFUND_RETRY_MAX_MS: z.coerce.number().int().min(10).max(86_400_000).default(600_000),
});

export type AcquiringConfig = z.infer<typeof acquiringConfigSchema>;

/** The Postgres schema acquiring owns. No other service reads it. */
export const acquiringSchema = 'acquiring';
