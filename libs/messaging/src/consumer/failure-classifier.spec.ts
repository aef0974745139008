import { DomainError } from '@paylab/errors';
import { KafkaJSConnectionError, KafkaJSNonRetriableError } from 'kafkajs';
import { classifyFailure } from './failure-classifier';
import { PermanentMessageError, TransientError } from './message-errors';

function withCode(message: string, code: string, name = 'error'): Error {
  return Object.assign(new Error(message), { code, name });
}

describe('classifyFailure', () => {
  it.each([
    ['08006', 'database connection exception (08006)'],
    ['08001', 'database connection exception (08001)'],
    ['57P01', 'database shutting down (admin_shutdown) (57P01)'],
    ['57P02', 'database crashed (crash_shutdown) (57P02)'],
    ['57P03', 'database cannot connect now (57P03)'],
    ['53300', 'database has too many connections (53300)'],
    ['40001', 'serialization failure (40001)'],
    ['40P01', 'deadlock detected (40P01)'],
    ['55P03', 'lock not available (55P03)'],
    ['57014', 'statement timeout or query canceled (57014)'],
  ])('treats SQLSTATE %s as a transient database failure', (code, reason) => {
    expect(classifyFailure(withCode('pg says no', code))).toEqual({
      kind: 'transient',
      dependency: 'database',
      reason,
    });
  });

  it.each(['23505', '23503', '42P01', '22P02'])(
    'does not treat SQLSTATE %s (a wrong statement or a constraint) as transient',
    (code) => {
      expect(classifyFailure(withCode('constraint', code)).kind).toBe('unknown');
    },
  );

  it('finds the SQLSTATE in a TypeORM QueryFailedError driverError', () => {
    const error = Object.assign(new Error('could not serialize access'), {
      name: 'QueryFailedError',
      driverError: withCode('could not serialize access', '40001'),
    });
    expect(classifyFailure(error)).toMatchObject({ kind: 'transient', dependency: 'database' });
  });

  it.each([
    'ECONNREFUSED',
    'ECONNRESET',
    'ETIMEDOUT',
    'EPIPE',
    'EHOSTUNREACH',
    'ENOTFOUND',
    'EAI_AGAIN',
  ])('treats errno %s as transient', (code) => {
    expect(classifyFailure(withCode(`connect ${code} 127.0.0.1:5432`, code))).toEqual({
      kind: 'transient',
      dependency: 'database',
      reason: `database unreachable (${code})`,
    });
  });

  it('names redis and kafka from the address of a network error', () => {
    expect(
      classifyFailure(withCode('connect ECONNREFUSED 127.0.0.1:6379', 'ECONNREFUSED')),
    ).toMatchObject({
      dependency: 'redis',
    });
    expect(
      classifyFailure(withCode('connect ECONNREFUSED 10.0.0.1:9092', 'ECONNREFUSED')),
    ).toMatchObject({
      dependency: 'kafka',
    });
    expect(
      classifyFailure(withCode('connect ECONNREFUSED 10.0.0.1:443', 'ECONNREFUSED')),
    ).toMatchObject({
      dependency: 'a network dependency',
    });
  });

  it('looks inside an AggregateError (happy-eyeballs connects) and error causes', () => {
    const aggregate = new AggregateError([
      withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED'),
    ]);
    expect(classifyFailure(aggregate).kind).toBe('transient');
    const wrapped = new Error('could not load merchant', {
      cause: withCode('read ECONNRESET', 'ECONNRESET'),
    });
    expect(classifyFailure(wrapped).kind).toBe('transient');
  });

  it.each([
    'Connection terminated unexpectedly',
    'Connection terminated due to connection timeout',
    'timeout exceeded when trying to connect',
  ])('treats the pg-pool message "%s" as a database failure', (message) => {
    expect(classifyFailure(new Error(message))).toMatchObject({
      kind: 'transient',
      dependency: 'database',
    });
  });

  it.each(['Connection is closed.', 'Reached the max retries per request limit (which is 20).'])(
    'treats the ioredis message "%s" as a redis failure',
    (message) => {
      expect(classifyFailure(new Error(message))).toMatchObject({
        kind: 'transient',
        dependency: 'redis',
      });
    },
  );

  it('treats a retriable kafkajs error as transient and a non-retriable one as unknown', () => {
    expect(classifyFailure(new KafkaJSConnectionError('Connection timeout'))).toMatchObject({
      kind: 'transient',
      dependency: 'kafka',
    });
    expect(classifyFailure(new KafkaJSNonRetriableError('bad request')).kind).toBe('unknown');
  });

  it('honours the explicit marker: TransientError and any error with transient: true', () => {
    expect(classifyFailure(new TransientError('channel ALIPAY', 'gateway 503'))).toEqual({
      kind: 'transient',
      dependency: 'channel ALIPAY',
      reason: 'channel ALIPAY unavailable: gateway 503',
    });
    const marked = Object.assign(new Error('busy'), { transient: true });
    expect(classifyFailure(marked)).toMatchObject({
      kind: 'transient',
      dependency: 'a dependency',
    });
  });

  it('treats request/reply timeouts as transient but not a responder refusing the request', () => {
    const timeout = Object.assign(new Error('acquiring did not answer'), {
      name: 'RequestFailedError',
      code: 'REQUEST.TIMEOUT',
    });
    expect(classifyFailure(timeout).kind).toBe('transient');
    const refused = Object.assign(new Error('no route'), {
      name: 'RequestFailedError',
      code: 'ROUTING.NO_CHANNEL',
    });
    expect(classifyFailure(refused).kind).toBe('unknown');
  });

  it('treats PermanentMessageError and DomainError as permanent, even with a transient cause', () => {
    expect(classifyFailure(new PermanentMessageError('unknown merchant'))).toEqual({
      kind: 'permanent',
      reason: 'permanent failure: unknown merchant',
    });
    const refused = new DomainError('REFUND.EXCEEDS_PAID_AMOUNT', 'too much', 'amount');
    expect(classifyFailure(refused)).toEqual({
      kind: 'permanent',
      reason: 'refused by a business rule: REFUND.EXCEEDS_PAID_AMOUNT: too much',
    });
  });

  it('leaves ordinary errors and thrown non-errors unknown', () => {
    expect(
      classifyFailure(new TypeError("Cannot read properties of undefined (reading 'x')")),
    ).toEqual({
      kind: 'unknown',
      reason: "Cannot read properties of undefined (reading 'x')",
    });
    expect(classifyFailure('boom')).toEqual({ kind: 'unknown', reason: 'boom' });
    expect(classifyFailure(null)).toEqual({ kind: 'unknown', reason: 'null' });
    expect(classifyFailure({ code: 'ECONNREFUSED' }).kind).toBe('transient');
  });

  it('does not loop forever on a self-referencing cause', () => {
    const error = new Error('odd') as Error & { cause?: unknown };
    error.cause = error;
    expect(classifyFailure(error).kind).toBe('unknown');
  });
});

describe('classifyFailure owner hints', () => {
  it('names the database for a bare network error inside a TypeORM QueryFailedError', () => {
    const error = Object.assign(new Error('read ECONNRESET'), {
      name: 'QueryFailedError',
      driverError: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
    });
    expect(classifyFailure(error)).toEqual({
      kind: 'transient',
      dependency: 'database',
      reason: 'database unreachable (ECONNRESET)',
    });
  });
});
