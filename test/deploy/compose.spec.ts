/**
 * docker-compose.yml, checked without a Docker engine: every service in services/ is in it, its
 * environment (deploy/env, merged as compose merges it) satisfies that service's config schema,
 * its ports and dependencies agree with that environment, and the versions agree with local mode.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigurationError, loadConfig } from '@paylab/platform';
import { KAFKA_IMAGE } from '../../libs/testing/src/infrastructure';
import { parse } from 'yaml';
import type { z } from 'zod';
import { parseEnvFile, readEnvFiles } from '../../tools/local/env-file';
import { acquiringConfigSchema } from '../../services/acquiring/src/config';
import { cashierConfigSchema } from '../../services/cashier/src/config';
import { channelSandboxConfigSchema } from '../../services/channel-sandbox/src/config';
import { reconciliationConfigSchema } from '../../services/reconciliation/src/config';
import { routingConfigSchema } from '../../services/routing/src/config';
import { settlementConfigSchema } from '../../services/settlement/src/config';

const ROOT = resolve(__dirname, '../..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** Each service's config schema, by its directory name under services/. */
const SCHEMAS: Record<string, z.ZodObject> = {
  acquiring: acquiringConfigSchema,
  cashier: cashierConfigSchema,
  'channel-sandbox': channelSandboxConfigSchema,
  reconciliation: reconciliationConfigSchema,
  routing: routingConfigSchema,
  settlement: settlementConfigSchema,
};

/** The infrastructure a schema variable implies, and the compose service that provides it. */
const INFRA_BY_VARIABLE: Record<string, string> = {
  DATABASE_URL: 'postgres',
  REDIS_URL: 'redis',
  KAFKA_BROKERS: 'kafka',
};

interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  env_file?: string | Array<string | { path: string }>;
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: Array<string | number | { published?: string | number; target?: number }>;
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  init?: boolean;
  restart?: string;
}

interface ComposeFile {
  version?: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

const compose = parse(read('docker-compose.yml'), { merge: true }) as ComposeFile;
const serviceDirs = readdirSync(join(ROOT, 'services'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

function envFiles(service: ComposeService): string[] {
  const files = service.env_file === undefined ? [] : [service.env_file].flat();
  return files.map((file) => (typeof file === 'string' ? file : file.path));
}

/** What the container sees: env_file entries in order, then `environment` over them. */
function containerEnv(service: ComposeService): Record<string, string> {
  const env = readEnvFiles(envFiles(service).map((file) => join(ROOT, file)));
  const { environment } = service;
  const entries = Array.isArray(environment)
    ? environment.map((item) => {
        const eq = item.indexOf('=');
        return eq < 0 ? [item, undefined] : [item.slice(0, eq), item.slice(eq + 1)];
      })
    : Object.entries(environment ?? {});
  for (const [key, value] of entries) {
    if (value === undefined || value === null) delete env[key as string];
    else env[key as string] = String(value);
  }
  return env;
}

function healthyDependencies(service: ComposeService): string[] {
  const { depends_on: dependsOn } = service;
  if (dependsOn === undefined || Array.isArray(dependsOn)) return []; // list form: only "started"
  return Object.entries(dependsOn)
    .filter(([, dependency]) => dependency?.condition === 'service_healthy')
    .map(([name]) => name)
    .sort();
}

/** Host ports a service publishes, with the container port each maps to. */
function publishedPorts(service: ComposeService): Array<{ host: number; container: number }> {
  return (service.ports ?? []).map((port) => {
    if (typeof port === 'object') {
      return { host: Number(port.published), container: Number(port.target) };
    }
    const parts = String(port)
      .replace(/\/(tcp|udp)$/, '')
      .split(':');
    const container = Number(parts[parts.length - 1]);
    // "3000" alone publishes on a random host port: never what a student's bookmark expects.
    const host = parts.length >= 2 ? Number(parts[parts.length - 2]) : NaN;
    return { host, container };
  });
}

/**
 * The hosts named by the connection variables that a service reads. common.env sets every
 * connection variable for every service; a service's schema ignores those it does not declare,
 * so only the declared ones count (channel-sandbox never connects to the REDIS_URL it is given).
 */
function referencedHosts(
  env: Record<string, string>,
  schema: z.ZodObject,
): Array<{ variable: string; host: string; port: number }> {
  const reads = (variable: string) => variable in schema.shape && env[variable] !== undefined;
  const refs: Array<{ variable: string; host: string; port: number }> = [];
  for (const variable of ['DATABASE_URL', 'REDIS_URL', 'CHANNEL_SANDBOX_URL', 'BANK_BASE_URL']) {
    if (!reads(variable)) continue;
    const url = new URL(env[variable]);
    refs.push({ variable, host: url.hostname, port: Number(url.port) });
  }
  const brokers = reads('KAFKA_BROKERS') ? env.KAFKA_BROKERS.split(',') : [];
  for (const broker of brokers.filter((b) => b.trim() !== '')) {
    const [host, port] = broker.trim().split(':');
    refs.push({ variable: 'KAFKA_BROKERS', host, port: Number(port) });
  }
  return refs;
}

const oneShot = (service: ComposeService) => service.restart === 'no' && !service.ports?.length;

describe('docker-compose.yml', () => {
  it('uses the compose specification (no version key), with a named volume for Postgres only', () => {
    expect(compose.version).toBeUndefined();
    expect(Object.keys(compose.volumes ?? {})).toEqual(['postgres-data']);
  });

  it('has a schema in this test for every service under services/', () => {
    expect(Object.keys(SCHEMAS).sort()).toEqual(serviceDirs);
  });

  describe.each(serviceDirs)('service %s', (name) => {
    const service = compose.services[name];
    const schema = SCHEMAS[name];
    const env = service ? containerEnv(service) : {};

    it('is in compose, built from deploy/Dockerfile and started from its own main.js', () => {
      expect(service).toBeDefined();
      expect(service.image).toBe('paylab:dev');
      expect(service.build).toEqual({ context: '.', dockerfile: 'deploy/Dockerfile' });
      expect(service.init).toBe(true);
      expect(service.command).toEqual(['node', `dist/services/${name}/src/main.js`]);
      expect(existsSync(join(ROOT, 'services', name, 'src', 'main.ts'))).toBe(true);
    });

    it('reads its environment from deploy/env: common.env, then its own file', () => {
      expect(envFiles(service)).toEqual(['deploy/env/common.env', `deploy/env/${name}.env`]);
    });

    it('gets an environment that its config schema accepts', () => {
      expect(() => loadConfig(name, schema, env)).not.toThrow();
    });

    it('publishes exactly its HTTP_PORT, on the same host port', () => {
      const port = Number(loadConfig(name, schema, env).HTTP_PORT);
      expect(publishedPorts(service)).toEqual([{ host: port, container: port }]);
    });

    it('waits for every host its environment names to be healthy', () => {
      const healthy = healthyDependencies(service);
      for (const ref of referencedHosts(env, schema)) {
        expect({ ...ref, isComposeService: ref.host in compose.services }).toEqual({
          ...ref,
          isComposeService: true,
        });
        expect({ ...ref, waitsForHealthy: healthy.includes(ref.host) }).toEqual({
          ...ref,
          waitsForHealthy: true,
        });
        // A URL that names another PayLab service must use that service's own port.
        if (ref.host in SCHEMAS) {
          const target = loadConfig(
            ref.host,
            SCHEMAS[ref.host],
            containerEnv(compose.services[ref.host]),
          );
          expect({ ...ref, port: Number(target.HTTP_PORT) }).toEqual(ref);
        }
      }
    });

    it('waits for the infrastructure its schema needs, and only that', () => {
      const needed = Object.keys(schema.shape)
        .filter((variable) => variable in INFRA_BY_VARIABLE)
        .map((variable) => INFRA_BY_VARIABLE[variable]);
      const infra = Object.values(INFRA_BY_VARIABLE);
      const waitedFor = healthyDependencies(service).filter((dep) => infra.includes(dep));
      expect(waitedFor).toEqual([...needed].sort());
    });

    it('is probed on its own /health endpoint', () => {
      const port = Number(loadConfig(name, schema, env).HTTP_PORT);
      const test = [service.healthcheck?.test ?? []].flat().join(' ');
      expect(test).toContain(`http://127.0.0.1:${port}/health'`);
    });
  });

  it('acquiring waits for the channel sandbox it calls', () => {
    expect(healthyDependencies(compose.services.acquiring)).toContain('channel-sandbox');
  });

  it('publishes each host port once', () => {
    const hostPorts = Object.values(compose.services).flatMap((service) =>
      publishedPorts(service).map((port) => port.host),
    );
    expect(hostPorts.every(Number.isInteger)).toBe(true);
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
  });

  it('has a healthcheck on every long-running container', () => {
    const unchecked = Object.entries(compose.services)
      .filter(([, service]) => !oneShot(service))
      .filter(([, service]) => !service.healthcheck?.test || service.healthcheck.disable)
      .map(([name]) => name);
    expect(unchecked).toEqual([]);
    for (const infra of Object.values(INFRA_BY_VARIABLE)) {
      expect(compose.services[infra]?.healthcheck?.test).toBeDefined();
    }
  });

  it('seeds demo data once every service is healthy', () => {
    const seed = compose.services.seed;
    expect(seed.image).toBe('paylab:dev');
    expect(seed.command).toEqual(['node', 'dist/tools/seed.js']);
    expect(seed.restart).toBe('no');
    expect(envFiles(seed)).toEqual(['deploy/env/common.env']);
    expect(healthyDependencies(seed)).toEqual([...serviceDirs].sort());
  });

  it('runs the same Kafka version as local mode (deploy/kafka/pom.xml)', () => {
    const version = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(
      read('deploy/kafka/pom.xml'),
    )?.[1];
    expect(version).toBeDefined();
    expect(compose.services.kafka.image).toBe(`apache/kafka:${version}`);
    // ...and the tests' testcontainers broker is that same image.
    expect(KAFKA_IMAGE).toBe(`apache/kafka:${version}`);
  });

  it('configures Kafka as deploy/kafka/broker.sh does in local mode', () => {
    const script = read('deploy/kafka/broker.sh');
    const properties = /server\.properties" <<EOF\n([\s\S]*?)\nEOF/.exec(script)?.[1];
    expect(properties).toBeDefined();
    // Listener addresses, ports and directories differ by design (they are shell variables in
    // broker.sh); every other setting must be the same in both modes.
    const settings = (properties ?? '')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'))
      .filter((line) => !line.includes('$') && !line.includes('127.0.0.1'))
      .map((line) => {
        const eq = line.indexOf('=');
        const key = `KAFKA_${line.slice(0, eq).toUpperCase().replace(/\./g, '_')}`;
        return [key, line.slice(eq + 1)];
      });
    expect(settings.length).toBeGreaterThan(10);
    const kafkaEnv = containerEnv(compose.services.kafka);
    expect(Object.fromEntries(settings.map(([key]) => [key, kafkaEnv[key]]))).toEqual(
      Object.fromEntries(settings),
    );
    expect(kafkaEnv).toMatchObject({
      KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093',
      KAFKA_ADVERTISED_LISTENERS: 'PLAINTEXT://kafka:9092',
    });
  });
});

describe('deploy/Dockerfile', () => {
  it('builds on the Node major in .nvmrc', () => {
    const nvmrcMajor = read('.nvmrc').trim().replace(/^v/, '').split('.')[0];
    const bases = [...read('deploy/Dockerfile').matchAll(/^FROM\s+node:(\S+)/gim)].map((m) => m[1]);
    expect(bases.length).toBeGreaterThan(0);
    for (const tag of bases) expect(tag.split(/[.-]/)[0]).toBe(nvmrcMajor);
  });
});

describe('the environment check itself', () => {
  const cashierEnv = containerEnv(compose.services.cashier);

  it.each([
    ['removed', undefined],
    ['empty', ''],
  ])('fails, naming DATABASE_URL, when DATABASE_URL is %s', (_, value) => {
    const broken: Record<string, string | undefined> = { ...cashierEnv, DATABASE_URL: value };
    if (value === undefined) delete broken.DATABASE_URL;
    expect(() => loadConfig('cashier', cashierConfigSchema, broken)).toThrow(ConfigurationError);
    expect(() => loadConfig('cashier', cashierConfigSchema, broken)).toThrow(/DATABASE_URL/);
  });

  it('reads env files as compose does', () => {
    const env = parseEnvFile(
      [
        '# comment',
        '',
        'PLAIN = value with spaces  # trailing note',
        'export EXPORTED=1',
        `SINGLE='keep # and $HOME'`,
        'DOUBLE="line\\nnext"',
        'URL=http://host:1/a#fragment',
      ].join('\n'),
    );
    expect(env).toEqual({
      PLAIN: 'value with spaces',
      EXPORTED: '1',
      SINGLE: 'keep # and $HOME',
      DOUBLE: 'line\nnext',
      URL: 'http://host:1/a#fragment',
    });
    expect(() => parseEnvFile('NO_EQUALS', 'x.env')).toThrow('x.env:1');
    expect(() => parseEnvFile('A=$HOME', 'x.env')).toThrow('interpolated');
    expect(() => parseEnvFile('A="open', 'x.env')).toThrow('unterminated');
  });
});
