import { composeEnvOf, localEnvOf, rewriteComposeHosts, SERVICE_NAMES } from './env-files';

const COMPOSE_HOST_NAMES = ['postgres', 'redis', 'kafka', ...SERVICE_NAMES];

/** True when the value still names a compose host as a host (scheme, credentials or list start). */
function mentionsComposeHost(value: string): boolean {
  return COMPOSE_HOST_NAMES.some((host) =>
    new RegExp(`(^|//|@|,\\s*)${host}(:\\d|/|$)`).test(value),
  );
}

describe('rewriteComposeHosts', () => {
  it('rewrites the postgres host in a database URL, keeping credentials, port and database', () => {
    expect(rewriteComposeHosts('postgres://paylab:paylab@postgres:5432/paylab')).toBe(
      'postgres://paylab:paylab@127.0.0.1:5432/paylab',
    );
  });

  it('rewrites the redis host in a redis URL, keeping the scheme', () => {
    expect(rewriteComposeHosts('redis://redis:6379')).toBe('redis://127.0.0.1:6379');
  });

  it('rewrites a bare kafka host:port', () => {
    expect(rewriteComposeHosts('kafka:9092')).toBe('127.0.0.1:9092');
  });

  it('rewrites a service host in an http URL', () => {
    expect(rewriteComposeHosts('http://channel-sandbox:3005')).toBe('http://127.0.0.1:3005');
    expect(rewriteComposeHosts('http://acquiring:3002/callbacks')).toBe(
      'http://127.0.0.1:3002/callbacks',
    );
  });

  it.each(SERVICE_NAMES.map((name) => [name]))('rewrites the service host %s', (name) => {
    expect(rewriteComposeHosts(`http://${name}:3000/health`)).toBe('http://127.0.0.1:3000/health');
  });

  it('rewrites every broker of a comma-separated list', () => {
    expect(rewriteComposeHosts('kafka:9092,kafka:9093,kafka:9094')).toBe(
      '127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094',
    );
  });

  it('rewrites every broker of a list with spaces after the commas (the config schema allows it)', () => {
    expect(rewriteComposeHosts('kafka:9092, kafka:9093')).toBe('127.0.0.1:9092, 127.0.0.1:9093');
  });

  it('rewrites compose hosts in a list and leaves other hosts alone', () => {
    expect(rewriteComposeHosts('kafka:9092,broker.example.com:9092')).toBe(
      '127.0.0.1:9092,broker.example.com:9092',
    );
  });

  it.each([
    'http://localhost:3000',
    'kafka-ui:8080',
    'mypostgres:5432',
    'http://kafka-ui:8080',
    'postgres://paylab:paylab@mypostgres:5432/paylab',
    'redis://redis-cache:6379',
    'http://routing.example.com:3002',
    'http://channel-sandbox-2:3005',
    'kafka.internal:9092',
    'postgres',
    'kafka',
    'redis://redis',
    'info',
    '3000',
    '',
  ])('does not rewrite %j', (value) => {
    expect(rewriteComposeHosts(value)).toBe(value);
  });

  it('does not rewrite a compose host name used as user or database name', () => {
    expect(rewriteComposeHosts('postgres://postgres:secret@db.example.com:5432/postgres')).toBe(
      'postgres://postgres:secret@db.example.com:5432/postgres',
    );
  });

  it('is idempotent', () => {
    const once = rewriteComposeHosts('postgres://paylab:paylab@postgres:5432/paylab');
    expect(rewriteComposeHosts(once)).toBe(once);
  });
});

describe('localEnvOf', () => {
  it('gives the cashier its port and no compose host names', () => {
    const env = localEnvOf('cashier');
    expect(env.HTTP_PORT).toBe('3000');
    for (const [key, value] of Object.entries(env)) {
      expect({ key, mentionsComposeHost: mentionsComposeHost(value) }).toEqual({
        key,
        mentionsComposeHost: false,
      });
    }
  });

  it('points the cashier at local infrastructure', () => {
    const env = localEnvOf('cashier');
    expect(env.DATABASE_URL).toBe('postgres://paylab:paylab@127.0.0.1:5432/paylab');
    expect(env.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(env.KAFKA_BROKERS).toBe('127.0.0.1:9092');
  });

  it('runs in development mode even though compose says production', () => {
    expect(composeEnvOf('cashier').NODE_ENV).toBe('production');
    expect(localEnvOf('cashier').NODE_ENV).toBe('development');
  });

  it('keeps the same variables as the compose environment', () => {
    for (const service of SERVICE_NAMES) {
      expect(Object.keys(localEnvOf(service)).sort()).toEqual(
        Object.keys(composeEnvOf(service)).sort(),
      );
    }
  });

  it.each(SERVICE_NAMES.map((name) => [name]))('leaves no compose host in %s', (service) => {
    for (const value of Object.values(localEnvOf(service))) {
      expect(mentionsComposeHost(value)).toBe(false);
    }
  });

  it('rewrites the acquiring service URLs', () => {
    const env = localEnvOf('acquiring');
    expect(env.CHANNEL_SANDBOX_URL).toBe('http://127.0.0.1:3005');
    expect(env.PUBLIC_BASE_URL).toBe('http://127.0.0.1:3002');
  });

  it('lets overrides win over the rewritten values and NODE_ENV', () => {
    const env = localEnvOf('cashier', {
      HTTP_PORT: '4100',
      DATABASE_URL: 'postgres://t:t@127.0.0.1:55432/test_db',
      NODE_ENV: 'test',
      EXTRA: 'yes',
    });
    expect(env.HTTP_PORT).toBe('4100');
    expect(env.DATABASE_URL).toBe('postgres://t:t@127.0.0.1:55432/test_db');
    expect(env.NODE_ENV).toBe('test');
    expect(env.EXTRA).toBe('yes');
    expect(env.REDIS_URL).toBe('redis://127.0.0.1:6379');
  });

  it('does not rewrite override values', () => {
    expect(localEnvOf('cashier', { KAFKA_BROKERS: 'kafka:9092' }).KAFKA_BROKERS).toBe('kafka:9092');
  });

  it('returns a fresh object each time', () => {
    const first = localEnvOf('cashier');
    first.HTTP_PORT = 'changed';
    expect(localEnvOf('cashier').HTTP_PORT).toBe('3000');
  });
});
