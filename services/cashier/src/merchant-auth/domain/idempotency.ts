import { createHash } from 'node:crypto';
import { DomainError } from '../../shared/domain-error';

/**
 * Idempotency-Key (幂等键) rules, after Stripe: a client that retries a request after a timeout
 * sends the same key, and must get the first outcome back instead of a second payment order.
 *
 * - same key, same request, finished       → replay the stored response;
 * - same key, same request, still running  → 409, so two copies never run side by side;
 * - same key, different request            → error, the client has a bug (a reused key).
 *
 * Keys are scoped per app by the store (app id + key), never globally, so one merchant's keys
 * cannot collide with another's. Stripe keeps keys for 24 hours; so do we.
 */
export const IDEMPOTENCY_KEY_TTL_SECONDS = 24 * 60 * 60;

export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;
// Printable ASCII, space included: what can travel in an HTTP header without any encoding.
const KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;

export function isValidIdempotencyKey(key: unknown): key is string {
  return typeof key === 'string' && KEY_PATTERN.test(key);
}

/** Returns the key unchanged, or throws 'IDEMPOTENCY.INVALID_KEY'. */
export function validateIdempotencyKey(key: unknown): string {
  if (!isValidIdempotencyKey(key)) {
    throw new DomainError(
      'IDEMPOTENCY.INVALID_KEY',
      `Idempotency-Key must be 1-${IDEMPOTENCY_KEY_MAX_LENGTH} printable ASCII characters`,
      'Idempotency-Key',
    );
  }
  return key;
}

/**
 * JSON with object keys sorted (by UTF-16 code unit, recursively) and no whitespace, so two
 * bodies that mean the same thing — `{"a":1,"b":2}` and `{ "b": 2, "a": 1 }` — serialise the
 * same. Only what JSON can represent is accepted: a value JSON.stringify would silently turn into
 * something else (NaN → null, a Date → a string, a Map → {}) would make two different requests
 * look equal, so it is refused. Object properties that are `undefined` are left out, as in
 * JSON.stringify, because a DTO's unset optional field means "not sent".
 */
export function canonicalJson(value: unknown): string {
  return serialise(value, new Set(), '$');
}

/**
 * Fingerprint of what a request asks for: SHA-256 hex over method, path and canonical body. The
 * path should include the query when the route reads one. Headers are deliberately left out:
 * a retry may legitimately carry a new nonce, timestamp and signature.
 */
export function requestFingerprint(method: string, path: string, body: unknown): string {
  if (typeof method !== 'string' || method === '' || typeof path !== 'string' || path === '') {
    throw new DomainError(
      'IDEMPOTENCY.UNSUPPORTED_BODY',
      'Fingerprint needs a non-empty method and path',
    );
  }
  // An array rather than a joined string, so no choice of path or body can imitate another.
  const canonical = canonicalJson([method.toUpperCase(), path, body === undefined ? null : body]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

export type IdempotencyRecordState = 'IN_PROGRESS' | 'COMPLETED';

export interface IdempotencyRecord<R = unknown> {
  fingerprint: string;
  state: IdempotencyRecordState;
  /** Present once COMPLETED: the response to replay. */
  response?: R;
  /**
   * When an IN_PROGRESS claim may be taken over. A process that dies mid-request leaves its
   * claim behind; without a lease the key would answer 409 until the record itself expires.
   * Taking over is safe only because the request's own writes and the COMPLETED record are
   * committed in one transaction: a crashed attempt left nothing else behind.
   */
  lockedUntil?: Date;
  /**
   * The random token of whoever holds the IN_PROGRESS lease now. Whoever takes the lease (first
   * claim or takeover) gets a new one; completing or releasing the key needs it, so a slow
   * request whose lease was taken over can neither complete nor delete the new holder's key.
   */
  ownerToken?: string | null;
}

/**
 * Whether the request holding `ownerToken` may still complete or release `record` (the fence).
 * The store enforces the same rule in one statement (`WHERE owner_token = $token`); this is it,
 * spelled out and tested.
 */
export function holdsLease(record: IdempotencyRecord | undefined, ownerToken: string): boolean {
  return (
    record !== undefined &&
    record.state === 'IN_PROGRESS' &&
    typeof record.ownerToken === 'string' &&
    record.ownerToken !== '' &&
    record.ownerToken === ownerToken
  );
}

export type IdempotencyDecision<R = unknown> =
  | { action: 'proceed' }
  | { action: 'replay'; response: R }
  | { action: 'reject'; code: 'IDEMPOTENCY.KEY_REUSED_WITH_DIFFERENT_REQUEST' }
  | { action: 'conflict'; code: 'IDEMPOTENCY.REQUEST_IN_PROGRESS' };

/**
 * What to do with a request given what is stored under its key. A different request is reported
 * before anything else, even while the first is still running: it is a client bug, and a 409
 * would invite the client to retry it. `now` only matters for taking over an expired claim.
 */
export function decideIdempotency<R>(
  existing: IdempotencyRecord<R> | undefined,
  fingerprint: string,
  now?: Date,
): IdempotencyDecision<R> {
  if (existing === undefined) return { action: 'proceed' };
  if (existing.fingerprint !== fingerprint) {
    return { action: 'reject', code: 'IDEMPOTENCY.KEY_REUSED_WITH_DIFFERENT_REQUEST' };
  }
  switch (existing.state) {
    case 'COMPLETED':
      if (existing.response === undefined) {
        throw new DomainError(
          'IDEMPOTENCY.INCONSISTENT_RECORD',
          'A completed idempotency record has no response to replay',
        );
      }
      return { action: 'replay', response: existing.response };
    case 'IN_PROGRESS':
      if (
        existing.lockedUntil !== undefined &&
        now !== undefined &&
        now.getTime() >= existing.lockedUntil.getTime()
      ) {
        return { action: 'proceed' };
      }
      return { action: 'conflict', code: 'IDEMPOTENCY.REQUEST_IN_PROGRESS' };
    default:
      throw new DomainError(
        'IDEMPOTENCY.INCONSISTENT_RECORD',
        `Unknown idempotency record state: ${String((existing as { state: unknown }).state)}`,
      );
  }
}

function serialise(value: unknown, ancestors: Set<object>, where: string): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return unsupported(where, String(value));
    return JSON.stringify(value);
  }
  if (typeof value !== 'object') {
    return unsupported(where, `a ${typeof value}`);
  }
  if (ancestors.has(value)) return unsupported(where, 'a circular reference');
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      const items = value.map((item, index) =>
        // JSON.stringify would write a hole or undefined in an array as null; refusing keeps
        // [undefined] and [null] from sharing a fingerprint.
        item === undefined
          ? unsupported(`${where}[${index}]`, 'undefined')
          : serialise(item, ancestors, `${where}[${index}]`),
      );
      for (let index = 0; index < value.length; index += 1) {
        if (!(index in value)) unsupported(`${where}[${index}]`, 'an array hole');
      }
      return `[${items.join(',')}]`;
    }
    const prototype = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) {
      return unsupported(where, `a ${prototype?.constructor?.name ?? 'non-plain'} object`);
    }
    const record = value as Record<string, unknown>;
    const members = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort(compare)
      .map(
        (key) => `${JSON.stringify(key)}:${serialise(record[key], ancestors, `${where}.${key}`)}`,
      );
    return `{${members.join(',')}}`;
  } finally {
    ancestors.delete(value);
  }
}

function unsupported(where: string, what: string): never {
  throw new DomainError(
    'IDEMPOTENCY.UNSUPPORTED_BODY',
    `Cannot fingerprint ${what} at ${where}: only JSON values are supported`,
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
