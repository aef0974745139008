import { z } from 'zod';
import { baseEnv, databaseEnv, httpUrl, kafkaEnv, redisEnv } from './env-schemas';
import { ConfigurationError, loadConfig } from './load-config';

const schema = z.object({ ...baseEnv, ...databaseEnv, ...redisEnv, ...kafkaEnv });

const VALID_ENV = {
  HTTP_PORT: '3000',
  DATABASE_URL: 'postgres://paylab:paylab@127.0.0.1:5432/paylab',
  REDIS_URL: 'redis://127.0.0.1:6379',
  KAFKA_BROKERS: '127.0.0.1:9092',
};

function configErrorOf(env: Record<string, string | undefined>): ConfigurationError {
  try {
    loadConfig('cashier', schema, env);
  } catch (error) {
    if (error instanceof ConfigurationError) return error;
    throw error;
  }
  throw new Error('expected loadConfig to throw a ConfigurationError');
}

function problemOf(env: Record<string, string | undefined>, variable: string): string {
  const problem = configErrorOf(env).problems.find((p) => p.variable === variable);
  if (!problem) throw new Error(`no problem reported for ${variable}`);
  return problem.problem;
}

describe('loadConfig', () => {
  describe('a valid environment', () => {
    it('parses and applies defaults', () => {
      expect(loadConfig('cashier', schema, VALID_ENV)).toEqual({
        NODE_ENV: 'development',
        LOG_LEVEL: 'info',
        HTTP_HOST: '0.0.0.0',
        HTTP_PORT: 3000,
        DATABASE_URL: 'postgres://paylab:paylab@127.0.0.1:5432/paylab',
        DATABASE_POOL_SIZE: 10,
        REDIS_URL: 'redis://127.0.0.1:6379',
        KAFKA_BROKERS: ['127.0.0.1:9092'],
        KAFKA_CONSUMER_CONCURRENCY: 3,
        OUTBOX_POLL_INTERVAL_MS: 200,
      });
    });

    it('turns HTTP_PORT into a number', () => {
      const config = loadConfig('cashier', schema, VALID_ENV);
      expect(config.HTTP_PORT).toBe(3000);
      expect(typeof config.HTTP_PORT).toBe('number');
    });

    it('splits KAFKA_BROKERS into a trimmed array', () => {
      const config = loadConfig('cashier', schema, {
        ...VALID_ENV,
        KAFKA_BROKERS: 'kafka-1:9092, kafka-2.internal:9093 ,10.0.0.3:19092',
      });
      expect(config.KAFKA_BROKERS).toEqual([
        'kafka-1:9092',
        'kafka-2.internal:9093',
        '10.0.0.3:19092',
      ]);
    });

    it('uses given values over defaults', () => {
      const config = loadConfig('cashier', schema, {
        ...VALID_ENV,
        NODE_ENV: 'production',
        LOG_LEVEL: 'debug',
        HTTP_HOST: '127.0.0.1',
        DATABASE_POOL_SIZE: '25',
        KAFKA_CONSUMER_CONCURRENCY: '8',
        OUTBOX_POLL_INTERVAL_MS: '50',
      });
      expect(config).toMatchObject({
        NODE_ENV: 'production',
        LOG_LEVEL: 'debug',
        HTTP_HOST: '127.0.0.1',
        DATABASE_POOL_SIZE: 25,
        KAFKA_CONSUMER_CONCURRENCY: 8,
        OUTBOX_POLL_INTERVAL_MS: 50,
      });
    });

    it('accepts postgresql:// and rediss:// URLs', () => {
      const config = loadConfig('cashier', schema, {
        ...VALID_ENV,
        DATABASE_URL: 'postgresql://u:p@db.example.com/paylab',
        REDIS_URL: 'rediss://cache.example.com:6380',
      });
      expect(config.DATABASE_URL).toBe('postgresql://u:p@db.example.com/paylab');
      expect(config.REDIS_URL).toBe('rediss://cache.example.com:6380');
    });

    it.each(['1', '65535'])('accepts the boundary port %s', (port) => {
      expect(loadConfig('cashier', schema, { ...VALID_ENV, HTTP_PORT: port }).HTTP_PORT).toBe(
        Number(port),
      );
    });

    it('ignores variables the schema does not declare', () => {
      const config = loadConfig('cashier', schema, { ...VALID_ENV, PATH: '/usr/bin', HOME: '/' });
      expect(config).not.toHaveProperty('PATH');
      expect(config).not.toHaveProperty('HOME');
    });

    it('treats an empty optional variable as unset, so its default applies', () => {
      const config = loadConfig('cashier', schema, {
        ...VALID_ENV,
        LOG_LEVEL: '',
        DATABASE_POOL_SIZE: '  ',
      });
      expect(config.LOG_LEVEL).toBe('info');
      expect(config.DATABASE_POOL_SIZE).toBe(10);
    });
  });

  describe('missing variables', () => {
    it('lists every missing variable at once', () => {
      const error = configErrorOf({});
      expect(error.problems.map((p) => p.variable).sort()).toEqual([
        'DATABASE_URL',
        'HTTP_PORT',
        'KAFKA_BROKERS',
        'REDIS_URL',
      ]);
      for (const problem of error.problems) {
        expect(problem.problem).toMatch(/^is required but not set/);
      }
    });

    it('names each missing variable in the message', () => {
      const error = configErrorOf({});
      for (const variable of ['DATABASE_URL', 'HTTP_PORT', 'KAFKA_BROKERS', 'REDIS_URL']) {
        expect(error.message).toContain(`  - ${variable}: is required but not set`);
      }
    });

    it('reports only the missing one when the rest is valid', () => {
      const { REDIS_URL: _omitted, ...env } = VALID_ENV;
      const error = configErrorOf(env);
      expect(error.problems).toHaveLength(1);
      expect(error.problems[0]).toEqual({
        variable: 'REDIS_URL',
        problem: expect.stringMatching(/^is required but not set/),
      });
    });

    it.each(['', '   ', '\t'])('treats %j as missing', (blank) => {
      expect(problemOf({ ...VALID_ENV, HTTP_PORT: blank }, 'HTTP_PORT')).toMatch(
        /^is required but not set/,
      );
      expect(problemOf({ ...VALID_ENV, DATABASE_URL: blank }, 'DATABASE_URL')).toMatch(
        /^is required but not set/,
      );
    });

    it('treats an explicitly undefined variable as missing', () => {
      expect(problemOf({ ...VALID_ENV, KAFKA_BROKERS: undefined }, 'KAFKA_BROKERS')).toMatch(
        /^is required but not set/,
      );
    });

    it('combines missing and invalid variables in one error', () => {
      const error = configErrorOf({ HTTP_PORT: 'abc', REDIS_URL: 'redis://127.0.0.1:6379' });
      const byVariable = Object.fromEntries(error.problems.map((p) => [p.variable, p.problem]));
      expect(Object.keys(byVariable).sort()).toEqual([
        'DATABASE_URL',
        'HTTP_PORT',
        'KAFKA_BROKERS',
      ]);
      expect(byVariable.HTTP_PORT).not.toMatch(/not set/);
      expect(byVariable.DATABASE_URL).toMatch(/^is required but not set/);
    });
  });

  describe('invalid values', () => {
    it.each([
      ['abc', 'must be a TCP port number'],
      ['0', 'must be between 1 and 65535'],
      ['70000', 'must be between 1 and 65535'],
      ['65536', 'must be between 1 and 65535'],
      ['-1', 'must be between 1 and 65535'],
      ['3000.5', 'must be an integer'],
    ])('rejects HTTP_PORT %j', (port, message) => {
      const problem = problemOf({ ...VALID_ENV, HTTP_PORT: port }, 'HTTP_PORT');
      expect(problem).toBe(message);
      expect(problem).not.toMatch(/not set/);
    });

    it.each([
      'http://127.0.0.1:5432/paylab',
      'https://db.example.com/paylab',
      'mysql://u:p@127.0.0.1/paylab',
      'not a url',
      '127.0.0.1:5432',
    ])('rejects DATABASE_URL %j', (url) => {
      expect(problemOf({ ...VALID_ENV, DATABASE_URL: url }, 'DATABASE_URL')).toBe(
        'must be a URL starting with postgres:// or postgresql://',
      );
    });

    it.each(['http://127.0.0.1:6379', 'localhost:6379'])('rejects REDIS_URL %j', (url) => {
      expect(problemOf({ ...VALID_ENV, REDIS_URL: url }, 'REDIS_URL')).toBe(
        'must be a URL starting with redis:// or rediss://',
      );
    });

    it.each([
      'localhost',
      'kafka:',
      ':9092',
      'kafka:9092,',
      'kafka:9092,localhost',
      'kafka 1:9092',
      'kafka:port',
      'PLAINTEXT://kafka:9092',
    ])('rejects KAFKA_BROKERS %j', (brokers) => {
      expect(problemOf({ ...VALID_ENV, KAFKA_BROKERS: brokers }, 'KAFKA_BROKERS')).toBe(
        'must be a comma-separated list of host:port',
      );
    });

    it.each(['kafka:0', 'kafka:70000', 'kafka:99999', '127.0.0.1:9092,kafka:65536'])(
      'rejects KAFKA_BROKERS %j whose port is not a TCP port',
      (brokers) => {
        expect(problemOf({ ...VALID_ENV, KAFKA_BROKERS: brokers }, 'KAFKA_BROKERS')).toBe(
          'must be a comma-separated list of host:port',
        );
      },
    );

    it.each([
      ['NODE_ENV', 'staging'],
      ['LOG_LEVEL', 'verbose'],
      ['DATABASE_POOL_SIZE', '0'],
      ['DATABASE_POOL_SIZE', '101'],
      ['KAFKA_CONSUMER_CONCURRENCY', '65'],
      ['OUTBOX_POLL_INTERVAL_MS', '5'],
    ])('rejects %s=%j', (variable, value) => {
      const problem = problemOf({ ...VALID_ENV, [variable]: value }, variable);
      expect(problem).not.toMatch(/not set/);
    });
  });

  describe('ConfigurationError', () => {
    it('starts the message with the service name', () => {
      const error = configErrorOf({ ...VALID_ENV, HTTP_PORT: 'abc' });
      expect(error.message.startsWith('cashier: invalid configuration\n')).toBe(true);
      expect(error.message).toContain('  - HTTP_PORT: must be a TCP port number');
    });

    it('carries the service name, its own name and is an Error', () => {
      const error = configErrorOf({});
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe('ConfigurationError');
      expect(error.serviceName).toBe('cashier');
    });

    it('uses the service name given to loadConfig', () => {
      expect(() => loadConfig('settlement', schema, {})).toThrow(
        /^settlement: invalid configuration/,
      );
    });

    it('can be built directly and lists one line per problem', () => {
      const error = new ConfigurationError('routing', [
        { variable: 'A', problem: 'bad' },
        { variable: 'B', problem: 'worse' },
      ]);
      expect(error.message).toBe('routing: invalid configuration\n  - A: bad\n  - B: worse');
    });
  });

  it('names a root-level failure (root)', () => {
    const numbers = z.object({}).refine(() => false, { message: 'never valid' });
    try {
      loadConfig('svc', numbers, {});
      throw new Error('expected a ConfigurationError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigurationError);
      const problems = (error as ConfigurationError).problems;
      expect(problems).toHaveLength(1);
      expect(problems[0].variable).toBe('(root)');
      expect(problems[0].problem).toContain('never valid');
    }
  });

  it('reads process.env when no env is given', () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, VALID_ENV, { HTTP_PORT: '4321' });
      expect(loadConfig('cashier', schema).HTTP_PORT).toBe(4321);
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });
});

describe('httpUrl', () => {
  it.each(['http://localhost:3000', 'https://pay.example.com/callback'])('accepts %s', (url) => {
    expect(httpUrl().safeParse(url).success).toBe(true);
  });

  it.each(['ftp://example.com', 'localhost:3000', '', 'javascript:alert(1)'])(
    'rejects %j',
    (url) => {
      const result = httpUrl().safeParse(url);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.message).toBe(
        'must be a URL starting with http:// or https://',
      );
    },
  );
});
