/**
 * The settlement service (清结算服务) as the integration specs run it: the real service definition
 * in-process on a database of its own, against the real Postgres, Redis and Kafka the test run
 * was given. One start-up and one tear-down for every settlement spec, so they differ only in
 * what they test.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createKafka, kafkaConsumer } from '@paylab/messaging';
import {
  createLogger,
  startService,
  type BaseConfig,
  type RunningService,
  type ServiceDefinition,
} from '@paylab/platform';
import {
  createDatabase,
  dropDatabase,
  freePort,
  infrastructureFromEnv,
  type TestInfrastructure,
} from '@paylab/testing';
import { settlementService } from '../../../services/settlement/src/service';
import type { SettlementConfig } from '../../../services/settlement/src/config';
import { localEnvOf } from '../../../tools/local/env-files';
import { asOperator, type DemoOperatorRole } from '../../e2e/support/operator-credentials';

/** The Postgres, Redis and Kafka the integration run was pointed at (global setup sets them). */
export function testInfrastructure(): TestInfrastructure {
  const infrastructure = infrastructureFromEnv(process.env);
  if (!infrastructure) throw new Error('no test infrastructure: run through jest global setup');
  return infrastructure;
}

/**
 * A consumer in a group of its own that starts from the latest offsets: the shared topics hold
 * other runs' events, and a backlog to replay would delay a test's events past the consumer's
 * bounded retries.
 */
export function consumerFromLatest<C extends BaseConfig & { KAFKA_BROKERS: string[] }>(
  group: string,
): NonNullable<ServiceDefinition<C>['consumer']> {
  return (config, logger) =>
    kafkaConsumer({
      serviceName: group,
      brokers: config.KAFKA_BROKERS,
      logger,
      concurrency: 3,
      startFrom: 'latest',
    });
}

export interface SettlementUnderTestOptions {
  /** Added to (and overriding) the test defaults, e.g. LOG_LEVEL or a feature switch. */
  env?: Record<string, string>;
  /**
   * How settlement consumes Kafka: `configured` is the service's own consumer (group
   * `consumerGroup`, from its committed offsets); `latest` starts from the latest offsets;
   * `none` runs no consumer (the spec calls the service's classes itself).
   */
  consumer?: 'configured' | 'latest' | 'none';
  /** The HTTP port; any free port when absent. */
  port?: number;
}

export interface RequestOptions {
  /** The demo operator to call as (default viewer); null sends no credentials. */
  role?: DemoOperatorRole | null;
  /** Headers sent instead of the role's credentials (e.g. a service token or a bad one). */
  headers?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as it is, with content-type application/json (for malformed-body tests). */
  rawBody?: string;
}

/** The status and the body, typed as the caller expects: the assertions check it. */
export interface Answer<T> {
  status: number;
  body: T;
}

export interface SettlementUnderTest {
  service: RunningService<SettlementConfig>;
  /** The service's own TypeORM data source. */
  dataSource: DataSource;
  databaseUrl: string;
  baseUrl: string;
  /** The group settlement's consumer reads in (dead letters are looked up by it). */
  consumerGroup: string;
  /** A client for publishing and reading the shared topics. */
  kafka: ReturnType<typeof createKafka>;
  /** A connection to the test's database with search_path=settlement. */
  db: Client;
  infrastructure: TestInfrastructure;
  request<T = unknown>(method: string, path: string, options?: RequestOptions): Promise<Answer<T>>;
  get<T = unknown>(path: string, options?: RequestOptions): Promise<Answer<T>>;
  /** Stops the service only (safe to repeat); `stop` still drops the database afterwards. */
  stopService(): Promise<void>;
  /** Closes the connection, stops the service and drops the database; safe after a failed start. */
  stop(): Promise<void>;
}

/**
 * Starts settlement on a fresh database named after `label`, with a consumer group of its own
 * and the end-of-day schedule off: the tests drive the end of day themselves, and the schedule
 * would close yesterday's books at boot.
 */
export async function startSettlementUnderTest(
  label: string,
  options: SettlementUnderTestOptions = {},
): Promise<SettlementUnderTest> {
  const infrastructure = testInfrastructure();
  const suffix = randomBytes(4).toString('hex');
  const databaseName = `paylab_it_${label.toLowerCase().replace(/[^a-z0-9]+/g, '_')}_${suffix}`;
  const consumerGroup = `it-${label}-${suffix}`;
  const consumer = options.consumer ?? 'configured';
  const port = options.port ?? (await freePort());
  const baseUrl = `http://127.0.0.1:${port}`;

  const databaseUrl = await createDatabase(infrastructure.databaseUrl, databaseName);
  let service: RunningService<SettlementConfig> | undefined;
  let db: Client | undefined;
  let serviceStopped = false;
  const stopService = async () => {
    if (serviceStopped) return;
    serviceStopped = true;
    await service?.stop();
  };
  const stop = async () => {
    await db?.end();
    db = undefined;
    await stopService();
    await dropDatabase(infrastructure.databaseUrl, databaseName);
  };

  try {
    service = await startService(
      {
        ...settlementService,
        consumer:
          consumer === 'none'
            ? undefined
            : consumer === 'latest'
              ? consumerFromLatest<SettlementConfig>(consumerGroup)
              : settlementService.consumer,
      },
      localEnvOf('settlement', {
        HTTP_PORT: String(port),
        HTTP_HOST: '127.0.0.1',
        DATABASE_URL: databaseUrl,
        REDIS_URL: infrastructure.redisUrl,
        KAFKA_BROKERS: infrastructure.kafkaBrokers.join(','),
        LOG_LEVEL: process.env.PAYLAB_TEST_LOG_LEVEL ?? 'warn',
        OUTBOX_POLL_INTERVAL_MS: '50',
        EOD_SCHEDULE_ENABLED: 'false',
        // A group of its own: the shared broker may have other settlement instances running.
        KAFKA_CONSUMER_GROUP: consumerGroup,
        ...options.env,
      }),
    );
    const client = new Client({
      connectionString: databaseUrl,
      options: '-c search_path=settlement',
    });
    await client.connect();
    db = client;
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }

  const request = async <T>(
    method: string,
    path: string,
    { role = 'viewer', headers, body, rawBody }: RequestOptions = {},
  ): Promise<Answer<T>> => {
    const hasBody = body !== undefined || rawBody !== undefined;
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(headers ?? (role ? asOperator(role) : {})),
        ...(hasBody ? { 'content-type': 'application/json' } : {}),
      },
      body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  };

  return {
    service,
    db: db!,
    dataSource: service.app.get(DataSource),
    databaseUrl,
    baseUrl,
    consumerGroup,
    kafka: createKafka({
      clientId: `it-${label}`,
      brokers: infrastructure.kafkaBrokers,
      logger: createLogger(`it-${label}`, 'warn'),
    }),
    infrastructure,
    request,
    get: (path, requestOptions) => request('GET', path, requestOptions),
    stopService,
    stop,
  };
}
