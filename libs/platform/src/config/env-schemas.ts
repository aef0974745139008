import { z } from 'zod';
import { parseOperatorCredentials } from '../auth/operator-credentials';

/**
 * Building blocks for each service's configuration schema. A service spreads the blocks it
 * needs into one z.object, so every variable is declared once and validated the same way.
 */

const port = () =>
  z.coerce
    .number({ message: 'must be a TCP port number' })
    .int('must be an integer')
    .min(1, 'must be between 1 and 65535')
    .max(65535, 'must be between 1 and 65535');

const urlWithProtocols = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );

export const httpUrl = () => urlWithProtocols(['http:', 'https:']);

function isHostAndPort(value: string): boolean {
  const match = /^[A-Za-z0-9.-]+:(\d{1,5})$/.exec(value);
  if (!match) return false;
  const port = Number(match[1]);
  return port >= 1 && port <= 65535;
}

export const baseEnv = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HTTP_HOST: z.string().default('0.0.0.0'),
  HTTP_PORT: port(),
};

export const databaseEnv = {
  DATABASE_URL: urlWithProtocols(['postgres:', 'postgresql:']),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
};

export const redisEnv = {
  REDIS_URL: urlWithProtocols(['redis:', 'rediss:']),
};

export const kafkaEnv = {
  KAFKA_BROKERS: z
    .string()
    .transform((value) => value.split(',').map((broker) => broker.trim()))
    .refine((brokers) => brokers.every(isHostAndPort), {
      message: 'must be a comma-separated list of host:port',
    }),
  KAFKA_CONSUMER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(3),
  /** Defaults to the service name; tests running a second copy of a service set their own. */
  KAFKA_CONSUMER_GROUP: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/, 'must be 1-100 letters, digits, dots, dashes or underscores')
    .optional(),
  OUTBOX_POLL_INTERVAL_MS: z.coerce.number().int().min(10).max(60_000).default(200),
};

/**
 * Who may call this service's internal and admin endpoints: `name:role:sha256hex, …` (the
 * SHA-256 of each bearer token, never the token). Unset means nobody: every guarded route
 * answers 401, so a missing env file fails closed.
 */
export const operatorAuthEnv = {
  OPERATOR_CREDENTIALS: z
    .string()
    .default('')
    .transform((value, context) => {
      try {
        return parseOperatorCredentials(value);
      } catch (error) {
        context.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
};

/** The bearer token a service sends when it calls another PayLab service (role `service`). */
export const serviceCredentialEnv = {
  SERVICE_TOKEN: z.string().min(24, 'must be at least 24 characters'),
};

export const baseConfigSchema = z.object(baseEnv);
export type BaseConfig = z.infer<typeof baseConfigSchema>;
export type DatabaseConfig = z.infer<z.ZodObject<typeof databaseEnv>>;
export type RedisConfig = z.infer<z.ZodObject<typeof redisEnv>>;
export type OperatorAuthConfig = z.infer<z.ZodObject<typeof operatorAuthEnv>>;
export type KafkaConfig = z.infer<z.ZodObject<typeof kafkaEnv>>;
