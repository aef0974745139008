import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type InfrastructureMode = 'env' | 'testcontainers' | 'local';

/** Where the tests find real Postgres, Redis and Kafka. */
export interface TestInfrastructure {
  mode: InfrastructureMode;
  databaseUrl: string;
  redisUrl: string;
  kafkaBrokers: string[];
  /** What global teardown must stop: only what the setup itself started. */
  startedByTests: { containers: string[]; localKafka: boolean };
}

export const ENV_VARIABLES = {
  databaseUrl: 'PAYLAB_TEST_DATABASE_URL',
  redisUrl: 'PAYLAB_TEST_REDIS_URL',
  kafkaBrokers: 'PAYLAB_TEST_KAFKA_BROKERS',
} as const;

export const KAFKA_IMAGE = 'apache/kafka:3.9.1';
export const POSTGRES_IMAGE = 'postgres:15';
export const REDIS_IMAGE = 'redis:7';

export class InfrastructureUnavailableError extends Error {
  constructor(details: string[]) {
    super(
      [
        'No Postgres/Redis/Kafka for the integration and end-to-end tests. Tried, in order:',
        ...details.map((line) => `  - ${line}`),
        'Fix one of these:',
        `  1. point the tests at running services: ${Object.values(ENV_VARIABLES).join(', ')}`,
        '  2. start a Docker engine (the tests then use testcontainers)',
        '  3. install Java 17+ and Maven (Kafka then runs from Maven Central jars), plus PostgreSQL and',
        '     Redis or root rights to apt-get them: `npm run local:infra` sets this up',
      ].join('\n'),
    );
    this.name = 'InfrastructureUnavailableError';
  }
}

/**
 * Resolution order: services given by environment variables; else testcontainers
 * when a Docker engine answers; else the local script. Never a silent skip.
 */
export async function provideInfrastructure(repoRoot: string): Promise<TestInfrastructure> {
  const tried: string[] = [];

  const fromEnv = infrastructureFromEnv(process.env);
  if (fromEnv) return fromEnv;
  tried.push(`environment: ${Object.values(ENV_VARIABLES).join(', ')} not set`);

  const docker = await dockerEngineAnswers();
  if (docker.ok) return startTestcontainers();
  tried.push(`testcontainers: ${docker.reason}`);

  const local = await startLocalInfrastructure(repoRoot);
  if (local.ok) return local.infrastructure;
  tried.push(`local script (deploy/local/infra.sh up): ${local.reason}`);

  throw new InfrastructureUnavailableError(tried);
}

export function infrastructureFromEnv(env: NodeJS.ProcessEnv): TestInfrastructure | undefined {
  const values = Object.values(ENV_VARIABLES).map((name) => env[name]);
  if (values.every((value) => !value)) return undefined;
  const missing = Object.values(ENV_VARIABLES).filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new Error(
      `set all of ${Object.values(ENV_VARIABLES).join(', ')} or none; missing: ${missing.join(', ')}`,
    );
  }
  return {
    mode: 'env',
    databaseUrl: env[ENV_VARIABLES.databaseUrl]!,
    redisUrl: env[ENV_VARIABLES.redisUrl]!,
    kafkaBrokers: env[ENV_VARIABLES.kafkaBrokers]!.split(',').map((broker) => broker.trim()),
    startedByTests: { containers: [], localKafka: false },
  };
}

async function dockerEngineAnswers(): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: `no Docker engine answered (${firstLine(error)})` };
  }
}

async function startTestcontainers(): Promise<TestInfrastructure> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const { RedisContainer } = await import('@testcontainers/redis');
  const kafkaPort = await freePort();
  const [postgres, redis, kafka] = await Promise.all([
    new PostgreSqlContainer(POSTGRES_IMAGE)
      .withDatabase('paylab')
      .withUsername('paylab')
      .withPassword('paylab')
      .start(),
    new RedisContainer(REDIS_IMAGE).start(),
    kafkaContainer(GenericContainer, Wait, kafkaPort).start(),
  ]);
  return {
    mode: 'testcontainers',
    databaseUrl: postgres.getConnectionUri(),
    redisUrl: redis.getConnectionUrl(),
    kafkaBrokers: [`127.0.0.1:${kafkaPort}`],
    startedByTests: {
      containers: [postgres.getId(), redis.getId(), kafka.getId()],
      localKafka: false,
    },
  };
}

/**
 * The same broker settings as deploy/kafka/broker.sh and docker-compose.yml. The host port is
 * fixed before start because Kafka must advertise the address clients reach it on.
 */
export function kafkaContainer(
  GenericContainer: typeof import('testcontainers').GenericContainer,
  Wait: typeof import('testcontainers').Wait,
  hostPort: number,
) {
  return new GenericContainer(KAFKA_IMAGE)
    .withExposedPorts({ container: 9092, host: hostPort })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093',
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${hostPort}`,
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      KAFKA_NUM_PARTITIONS: '3',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/));
}

async function startLocalInfrastructure(
  repoRoot: string,
): Promise<{ ok: true; infrastructure: TestInfrastructure } | { ok: false; reason: string }> {
  const script = join(repoRoot, 'deploy', 'local', 'infra.sh');
  if (!existsSync(script)) return { ok: false, reason: `${script} is missing` };
  const brokerScript = join(repoRoot, 'deploy', 'kafka', 'broker.sh');
  const dataDir = join(repoRoot, '.cache', 'local', 'kafka');
  const kafkaWasRunning = await run('bash', [brokerScript, 'status', '--data-dir', dataDir]).then(
    () => true,
    () => false,
  );
  try {
    const { stdout } = await run('bash', [script, 'up'], {
      cwd: repoRoot,
      maxBuffer: 10 * 1024 * 1024,
    });
    process.stdout.write(stdout);
  } catch (error) {
    const output = error as { stdout?: string; stderr?: string };
    return {
      ok: false,
      reason: `${firstLine(error)}\n${output.stdout ?? ''}${output.stderr ?? ''}`.trim(),
    };
  }
  return {
    ok: true,
    infrastructure: {
      mode: 'local',
      databaseUrl: `postgres://paylab:paylab@127.0.0.1:${process.env.PGPORT ?? '5432'}/paylab`,
      redisUrl: `redis://127.0.0.1:${process.env.REDIS_PORT ?? '6379'}`,
      kafkaBrokers: [`127.0.0.1:${process.env.KAFKA_PORT ?? '9092'}`],
      startedByTests: { containers: [], localKafka: !kafkaWasRunning },
    },
  };
}

/** Stops only what provideInfrastructure started; reused services are left running. */
export async function releaseInfrastructure(
  repoRoot: string,
  infrastructure: TestInfrastructure,
): Promise<void> {
  if (infrastructure.startedByTests.containers.length > 0) {
    const { getContainerRuntimeClient } = await import('testcontainers');
    const client = await getContainerRuntimeClient();
    for (const id of infrastructure.startedByTests.containers) {
      await client.container.stop(client.container.getById(id)).catch(() => undefined);
      await client.container
        .remove(client.container.getById(id), { removeVolumes: true })
        .catch(() => undefined);
    }
  }
  if (infrastructure.startedByTests.localKafka) {
    await run('bash', [
      join(repoRoot, 'deploy', 'kafka', 'broker.sh'),
      'stop',
      '--data-dir',
      join(repoRoot, '.cache', 'local', 'kafka'),
    ]);
  }
}

/** Ports handed out by this process so far (each jest worker is a process of its own). */
let portsHandedOut = 0;
const PORTS_PER_WORKER = 500;

/**
 * A port nothing listens on, for a service a test starts. The OS would hand out any free
 * ephemeral port, but a port freed here is only taken when the service starts, seconds later:
 * meanwhile a test in another jest worker may be handed the same one (a cashier answering as
 * someone else's routing). So each worker takes ports from a block of its own, below Linux's
 * ephemeral range (32768 and up) where outgoing connections draw theirs; outside jest, the OS
 * chooses.
 */
export async function freePort(): Promise<number> {
  const worker = Number(process.env.JEST_WORKER_ID ?? 0);
  if (!Number.isInteger(worker) || worker < 1) return osChosenPort();
  const base = 20_000 + ((worker - 1) % 24) * PORTS_PER_WORKER;
  for (let tries = 0; tries < PORTS_PER_WORKER; tries += 1) {
    const port = base + (portsHandedOut++ % PORTS_PER_WORKER);
    if (await canListen(port)) return port;
  }
  return osChosenPort();
}

async function canListen(port: number): Promise<boolean> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function osChosenPort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}
