import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import {
  createDatabase,
  dropDatabase,
  ENV_VARIABLES,
  freePort,
  REPO_ROOT,
  waitFor,
} from '@paylab/testing';
import {
  DEMO_BOOKS_MERCHANT,
  DEMO_MERCHANT,
} from '../../services/cashier/src/merchants/demo-merchant';
import { localEnvOf, SERVICE_NAMES, type ServiceName } from '../../tools/local/env-files';
import {
  startServiceProcess,
  stopServiceProcess,
  assertReady,
  waitUntilReady,
  type ServiceProcess,
} from '../../tools/local/service-processes';

const infra = {
  databaseUrl: process.env[ENV_VARIABLES.databaseUrl]!,
  redisUrl: process.env[ENV_VARIABLES.redisUrl]!,
  kafkaBrokers: process.env[ENV_VARIABLES.kafkaBrokers]!,
};

/** The dependencies each service's readiness must report: exactly what its config needs. */
const EXPECTED_CHECKS: Record<ServiceName, string[]> = {
  'channel-sandbox': ['postgres'],
  routing: ['kafka', 'kafka-consumer', 'postgres', 'redis'],
  acquiring: ['kafka', 'kafka-consumer', 'postgres', 'redis'],
  cashier: ['kafka', 'kafka-consumer', 'postgres', 'redis'],
  settlement: ['kafka', 'kafka-consumer', 'postgres', 'redis'],
  reconciliation: ['kafka', 'kafka-consumer', 'postgres'],
};

const SCHEMAS: Record<ServiceName, string> = {
  'channel-sandbox': 'channel_sandbox',
  routing: 'routing',
  acquiring: 'acquiring',
  cashier: 'cashier',
  settlement: 'settlement',
  reconciliation: 'reconciliation',
};

describe('every service as its own process, with the environment compose gives it', () => {
  const databaseName = `paylab_e2e_${Date.now().toString(36)}`;
  const stateDir = join(REPO_ROOT, '.cache', 'test', databaseName);
  let databaseUrl: string;
  const ports = {} as Record<ServiceName, number>;
  const running = new Map<ServiceName, ServiceProcess>();
  const readyMs = {} as Record<ServiceName, number>;

  const envOf = (name: ServiceName, extra: Record<string, string> = {}) =>
    localEnvOf(name, {
      HTTP_PORT: String(ports[name]),
      DATABASE_URL: databaseUrl,
      REDIS_URL: infra.redisUrl,
      KAFKA_BROKERS: infra.kafkaBrokers,
      CHANNEL_SANDBOX_URL: `http://127.0.0.1:${ports['channel-sandbox']}`,
      ACQUIRING_URL: `http://127.0.0.1:${ports.acquiring}`,
      LOG_LEVEL: 'info',
      // Its own consumer groups: this run must not take partitions from another run's services.
      KAFKA_CONSUMER_GROUP: `${name}-${databaseName}`,
      ...(name === 'acquiring' ? { PUBLIC_BASE_URL: `http://127.0.0.1:${ports.acquiring}` } : {}),
      ...(name === 'channel-sandbox'
        ? { API_BASE_URL: `http://127.0.0.1:${ports['channel-sandbox']}` }
        : {}),
      ...extra,
    });

  beforeAll(async () => {
    databaseUrl = await createDatabase(infra.databaseUrl, databaseName);
    for (const name of SERVICE_NAMES) ports[name] = await freePort();
    for (const name of SERVICE_NAMES) {
      const service = startServiceProcess(name, { env: envOf(name), stateDir });
      running.set(name, service);
      const readiness = await assertReady(service);
      readyMs[name] = readiness.elapsedMs;
    }
    process.stdout.write(
      `[e2e] ready times: ${SERVICE_NAMES.map((name) => `${name} ${readyMs[name]}ms`).join(', ')}\n`,
    );
  });

  afterAll(async () => {
    for (const service of [...running.values()].reverse()) await stopServiceProcess(service.pid);
    await dropDatabase(infra.databaseUrl, databaseName);
  });

  describe.each(SERVICE_NAMES)('%s', (name) => {
    const url = (path: string) => `http://127.0.0.1:${ports[name]}${path}`;

    it('is ready, and readiness checks exactly the dependencies it uses', async () => {
      const response = await fetch(url('/health'));
      expect(response.status).toBe(200);
      const body = (await response.json()) as {
        status: string;
        service: string;
        checks: Record<string, { status: string }>;
      };
      expect(body.status).toBe('ready');
      expect(body.service).toBe(name);
      expect(Object.keys(body.checks).sort()).toEqual(EXPECTED_CHECKS[name]);
      expect(Object.values(body.checks).every((check) => check.status === 'up')).toBe(true);
      expect((await fetch(url('/health/live'))).status).toBe(200);
    });

    it('serves Prometheus metrics', async () => {
      await fetch(url('/health'));
      const response = await fetch(url('/metrics'));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await response.text();
      expect(text).toContain('process_cpu_user_seconds_total');
      expect(text).toMatch(
        /http_request_duration_seconds_count\{method="GET",route="\/health",status="200"\} \d+/,
      );
      if (EXPECTED_CHECKS[name].includes('kafka'))
        expect(text).toMatch(/^outbox_pending_messages \d+$/m);
    });

    it('publishes its OpenAPI document and Swagger UI', async () => {
      const document = (await (await fetch(url('/docs/openapi.json'))).json()) as {
        openapi: string;
        info: { title: string };
        paths: Record<string, unknown>;
      };
      expect(document.openapi).toMatch(/^3\./);
      expect(document.info.title).toContain('PayLab');
      expect(document.paths).toHaveProperty('/health');
      const ui = await fetch(url('/docs'));
      expect(ui.status).toBe(200);
      expect(await ui.text()).toContain('swagger-ui');
    });

    it('answers an unknown route in the documented error shape, echoing the correlation id into its JSON log', async () => {
      const correlationId = `e2e-${name}-${Date.now()}`;
      const response = await fetch(url('/no/such/route'), {
        headers: { 'X-Correlation-Id': correlationId },
      });
      expect(response.status).toBe(404);
      expect(response.headers.get('x-correlation-id')).toBe(correlationId);
      const body = (await response.json()) as { error: Record<string, unknown> };
      expect(body).toEqual({
        error: {
          type: 'not_found_error',
          code: 'ROUTE.NOT_FOUND',
          message: expect.any(String),
          requestId: response.headers.get('x-request-id'),
        },
      });
      const logLine = await waitFor(
        'access log line',
        async () =>
          readFileSync(running.get(name)!.logFile, 'utf8')
            .split('\n')
            .filter((line) => line.includes(correlationId)),
        (lines) => lines.length > 0,
        { timeoutMs: 5_000 },
      );
      const entry = JSON.parse(logLine[0]) as Record<string, unknown>;
      expect(entry).toMatchObject({ service: name, correlationId, status: 404, level: 'info' });
      expect(typeof entry.time).toBe('string');
    });

    it('ran its own migrations in its own schema', async () => {
      const client = new Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        const migrations = await client.query(`SELECT name FROM "${SCHEMAS[name]}"."migrations"`);
        expect(migrations.rowCount).toBeGreaterThan(0);
        const tables = await client.query(
          'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
          [SCHEMAS[name]],
        );
        const names = tables.rows.map((row: { table_name: string }) => row.table_name);
        if (EXPECTED_CHECKS[name].includes('kafka'))
          expect(names).toEqual(expect.arrayContaining(['outbox_messages', 'inbox_messages']));
      } finally {
        await client.end();
      }
    });
  });

  it('fails fast on bad configuration, naming every offending variable', async () => {
    const env = envOf('cashier', { HTTP_PORT: 'not-a-port', KAFKA_BROKERS: 'kafka-without-port' });
    delete env.DATABASE_URL;
    const started = Date.now();
    const { code, stderr } = await runToExit(
      join(REPO_ROOT, 'dist', 'services', 'cashier', 'src', 'main.js'),
      env,
    );
    expect(code).toBe(1);
    expect(Date.now() - started).toBeLessThan(10_000);
    const report = JSON.parse(stderr.trim().split('\n').pop()!) as {
      level: string;
      problems: Array<{ variable: string }>;
    };
    expect(report.level).toBe('fatal');
    expect(report.problems.map((problem) => problem.variable).sort()).toEqual([
      'DATABASE_URL',
      'HTTP_PORT',
      'KAFKA_BROKERS',
    ]);
  });

  it('stops cleanly on SIGTERM, and starts again on the same database without re-running migrations', async () => {
    const migrationNames = async (): Promise<string[]> => {
      const client = new Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        const rows = await client.query('SELECT name FROM settlement.migrations ORDER BY id');
        return rows.rows.map((row: { name: string }) => row.name);
      } finally {
        await client.end();
      }
    };
    const before = await migrationNames();
    expect(before[0]).toBe('MessagingTables1732406400000');
    const service = running.get('settlement')!;
    expect(await stopServiceProcess(service.pid)).toBe('stopped');
    const log = readFileSync(service.logFile, 'utf8');
    expect(log).toContain('"msg":"shutdown requested"');
    expect(log).toContain('"msg":"settlement stopped"');

    const restarted = startServiceProcess('settlement', { env: envOf('settlement'), stateDir });
    running.set('settlement', restarted);
    const readiness = await waitUntilReady(restarted, 60_000);
    expect(readiness.ready).toBe(true);
    // Every migration ran exactly once: the restart found them all applied.
    expect(await migrationNames()).toEqual(before);
  });
});

describe('the demo data seed (compose `seed` step, local:up)', () => {
  const databaseName = `paylab_seed_${Date.now().toString(36)}`;
  let databaseUrl: string;

  beforeAll(async () => {
    databaseUrl = await createDatabase(infra.databaseUrl, databaseName);
  });
  afterAll(async () => {
    await dropDatabase(infra.databaseUrl, databaseName);
  });

  it('creates the demo merchant and its app once, and is safe to run again', async () => {
    const entry = join(REPO_ROOT, 'dist', 'tools', 'seed.js');
    const first = await runToExit(entry, { DATABASE_URL: databaseUrl }, true);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('demo merchant created');
    const second = await runToExit(entry, { DATABASE_URL: databaseUrl }, true);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('demo merchant already present');
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const merchants = await client.query('SELECT id, status FROM cashier.merchants ORDER BY id');
      expect(merchants.rows).toEqual([
        { id: DEMO_MERCHANT.merchantId, status: 'ACTIVE' },
        { id: DEMO_BOOKS_MERCHANT.merchantId, status: 'ACTIVE' },
      ]);
      const apps = await client.query(
        'SELECT id, merchant_id FROM cashier.merchant_apps ORDER BY id',
      );
      expect(apps.rows).toEqual([
        { id: DEMO_MERCHANT.appId, merchant_id: DEMO_MERCHANT.merchantId },
        { id: DEMO_BOOKS_MERCHANT.appId, merchant_id: DEMO_BOOKS_MERCHANT.merchantId },
      ]);
    } finally {
      await client.end();
    }
  });

  it('refuses to run without DATABASE_URL', async () => {
    const result = await runToExit(join(REPO_ROOT, 'dist', 'tools', 'seed.js'), {}, true);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('DATABASE_URL');
  });
});

function runToExit(
  entry: string,
  env: Record<string, string>,
  captureStdout = false,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [entry], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', captureStdout ? 'pipe' : 'ignore', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
