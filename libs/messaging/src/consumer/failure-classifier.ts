import { DomainError } from '@paylab/errors';
import { PermanentMessageError } from './message-errors';

export type FailureClassification =
  | { kind: 'transient'; dependency: string; reason: string }
  | { kind: 'permanent'; reason: string }
  | { kind: 'unknown'; reason: string };

/** Postgres SQLSTATEs that say "try again later", not "this statement is wrong". */
const TRANSIENT_SQLSTATES: Record<string, string> = {
  '57P01': 'database shutting down (admin_shutdown)',
  '57P02': 'database crashed (crash_shutdown)',
  '57P03': 'database cannot connect now',
  '53300': 'database has too many connections',
  '40001': 'serialization failure',
  '40P01': 'deadlock detected',
  '55P03': 'lock not available',
  '57014': 'statement timeout or query canceled',
};

const NETWORK_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** Driver messages without a code: pg / pg-pool / TypeORM and ioredis losing their connection. */
const DATABASE_MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /connection (?:is )?(?:closed|ended)/i,
  /cannot use a pool after calling end/i,
  /client has encountered a connection error/i,
  /server closed the connection unexpectedly/i,
];
const REDIS_MESSAGES = [
  /^Connection is closed\.?$/i,
  /reached the max retries per request limit/i,
  /stream isn't writeable/i,
  /^(?:LOADING|TRYAGAIN|CLUSTERDOWN|MASTERDOWN)\b/,
];

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  errno?: unknown;
  retriable?: unknown;
  transient?: unknown;
  dependency?: unknown;
  cause?: unknown;
  driverError?: unknown;
  originalError?: unknown;
  errors?: unknown;
}

/**
 * Tells a failure that will pass by itself (a dependency unreachable, a lock or serialization
 * conflict) from one that never will (an invalid message, a business rule refusing it). Pure: it
 * looks only at the error, its code, its name and message, and the errors it wraps.
 * - transient: retried without limit, the partition waits;
 * - permanent: dead-lettered at once;
 * - unknown: a few retries, then dead letter (a bug may be fixed by a deploy, not by waiting).
 */
export function classifyFailure(error: unknown): FailureClassification {
  if (error instanceof PermanentMessageError) {
    return { kind: 'permanent', reason: `permanent failure: ${error.message}` };
  }
  if (error instanceof DomainError) {
    return {
      kind: 'permanent',
      reason: `refused by a business rule: ${error.code}: ${error.message}`,
    };
  }
  const transient = findTransient(error, 0, undefined);
  if (transient) return { kind: 'transient', ...transient };
  return { kind: 'unknown', reason: messageOf(error) };
}

function findTransient(
  error: unknown,
  depth: number,
  /** Set when an outer error says whose failure this is (a TypeORM QueryFailedError: the database). */
  owner: string | undefined,
): { dependency: string; reason: string } | undefined {
  if (depth > 5 || error === null || typeof error !== 'object') return undefined;
  const e = error as ErrorLike;
  const name = typeof e.name === 'string' ? e.name : '';
  const message = typeof e.message === 'string' ? e.message : '';
  const code = typeof e.code === 'string' ? e.code : undefined;

  if (e.transient === true) {
    const dependency = typeof e.dependency === 'string' ? e.dependency : 'a dependency';
    return { dependency, reason: `${dependency} unavailable: ${message}` };
  }
  if (code && TRANSIENT_SQLSTATES[code]) {
    return { dependency: 'database', reason: `${TRANSIENT_SQLSTATES[code]} (${code})` };
  }
  if (code && /^08[0-9A-Z]{3}$/.test(code)) {
    return { dependency: 'database', reason: `database connection exception (${code})` };
  }
  if (name.startsWith('KafkaJS')) {
    if (e.retriable === true) return { dependency: 'kafka', reason: `kafka: ${message} (${name})` };
  }
  if (code && NETWORK_ERRNOS.has(code)) {
    const dependency = owner ?? dependencyFromText(`${name} ${message}`);
    return { dependency, reason: `${dependency} unreachable (${code})` };
  }
  if (name === 'MaxRetriesPerRequestError' || REDIS_MESSAGES.some((p) => p.test(message))) {
    return { dependency: 'redis', reason: `redis unavailable: ${message}` };
  }
  if (DATABASE_MESSAGES.some((p) => p.test(message))) {
    return { dependency: 'database', reason: `database unreachable: ${message}` };
  }
  if (
    name === 'RequestFailedError' &&
    (code === 'REQUEST.TIMEOUT' || code === 'REQUEST.UNAVAILABLE')
  ) {
    return { dependency: 'a request/reply responder', reason: message };
  }
  const innerOwner = name === 'QueryFailedError' ? 'database' : owner;
  for (const inner of [e.driverError, e.cause, e.originalError]) {
    const found = findTransient(inner, depth + 1, innerOwner);
    if (found) return found;
  }
  if (Array.isArray(e.errors)) {
    for (const inner of e.errors) {
      const found = findTransient(inner, depth + 1, innerOwner);
      if (found) return found;
    }
  }
  return undefined;
}

/** Network errors carry no owner; the usual ports and client names say which dependency it was. */
function dependencyFromText(text: string): string {
  if (/:6379\b|redis/i.test(text)) return 'redis';
  if (/:9092\b|kafka/i.test(text)) return 'kafka';
  if (/:5432\b|postgres|pg\b/i.test(text)) return 'database';
  return 'a network dependency';
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
