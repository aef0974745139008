import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { isId } from '@paylab/ids';
import { DomainError } from '../../shared/domain-error';

/**
 * Merchant Open API request signing (接口签名): the merchant proves it holds the app's shared
 * secret by sending an HMAC-SHA256 over a canonical form of the request. The canonical form pins
 * everything an attacker could want to change — method, path, query, body — plus a timestamp and
 * a nonce, so a captured request can neither be altered nor replayed later:
 *
 *     METHOD \n PATH \n CANONICAL_QUERY \n TIMESTAMP \n NONCE \n hex(SHA-256(body))
 *
 *     Authorization: PAYLAB-HMAC-SHA256 app_id="app_…",timestamp="1740794400",
 *                    nonce="k3J9…",signature="<base64 HMAC>"
 *
 * The timestamp limits a captured request to the replay window; the nonce, remembered in Redis
 * for that long (see `NonceStore`), stops a replay inside the window.
 */
export const AUTH_SCHEME = 'PAYLAB-HMAC-SHA256';

/** Five minutes either side of our clock. */
export const DEFAULT_REPLAY_WINDOW_SECONDS = 300;

/** Matches the database check on `signing_secret`; a short secret can be brute-forced offline. */
export const MIN_SECRET_BYTES = 32;

// Nothing legitimate comes close; refusing early keeps parsing cost bounded.
const MAX_HEADER_LENGTH = 1024;
const NONCE_PATTERN = /^[A-Za-z0-9]{16,64}$/;
// Unix seconds without leading zeros: one text per instant, so the header and the canonical
// string can never disagree about which instant was signed.
const TIMESTAMP_PATTERN = /^(?:0|[1-9][0-9]{0,11})$/;
// 32 bytes of HMAC-SHA256 in standard, padded base64 are always 43 characters and one '='.
const SIGNATURE_PATTERN = /^[A-Za-z0-9+/]{43}=$/;
const METHOD_PATTERN = /^[A-Z]{1,16}$/;
// The path as sent on the wire (percent-encoded), without query or fragment.
const PATH_PATTERN = /^\/[\x21-\x7e]*$/;
const PARAMETER_NAMES = ['app_id', 'timestamp', 'nonce', 'signature'] as const;

/** A query as a raw string (`a=1&b=2`, with or without `?`) or as decoded name → value(s). */
export type QueryInput = string | Readonly<Record<string, string | readonly string[] | undefined>>;

/** The bytes of the body exactly as sent; a re-serialised JSON object would not match. */
export type BodyInput = string | Uint8Array | undefined;

export interface RequestParts {
  method: string;
  /** The request path as sent, percent-encoding included, e.g. `/v1/payments`. */
  path: string;
  query?: QueryInput;
  body?: BodyInput;
}

export interface SignedRequestParts extends RequestParts {
  /** Unix time in seconds. */
  timestamp: number;
  nonce: string;
}

export interface ParsedAuthorization {
  appId: string;
  timestamp: number;
  nonce: string;
  /** Base64 as sent; exactly 32 bytes once decoded. */
  signature: string;
}

/**
 * Where replay nonces are remembered (Redis `SET key NX EX ttl` in the adapter). `claim` returns
 * true only for the first caller of a given app id and nonce within `ttlSeconds`; every later
 * caller gets false and must reject the request as a replay.
 */
export interface NonceStore {
  claim(appId: string, nonce: string, ttlSeconds: number): Promise<boolean>;
}

/**
 * How long a nonce must be kept: a request is accepted while our clock is within the window on
 * either side of its timestamp, so it can be presented first at `timestamp - window` and replayed
 * until `timestamp + window`.
 */
export function nonceTtlSeconds(replayWindowSeconds = DEFAULT_REPLAY_WINDOW_SECONDS): number {
  assertReplayWindow(replayWindowSeconds);
  return replayWindowSeconds * 2;
}

/**
 * RFC 3986 percent-encoding: everything but the unreserved characters `A-Z a-z 0-9 - . _ ~`,
 * as UTF-8 with upper-case hex. `encodeURIComponent` also leaves `! ' ( ) *` alone, so those are
 * encoded on top.
 */
export function rfc3986Encode(value: string): string {
  let encoded: string;
  try {
    encoded = encodeURIComponent(value);
  } catch {
    // Only a lone UTF-16 surrogate gets here: it has no UTF-8 form, so nothing can be signed.
    throw new DomainError('AUTH.MALFORMED_REQUEST', 'Query contains text that is not valid UTF-8');
  }
  return encoded.replace(
    /[!'()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * The query as a canonical string: every name and value decoded, re-encoded per RFC 3986,
 * sorted by name then value, joined as `name=value` with `&`. Repeated names stay (sorted by
 * value); a name without `=` gets an empty value. A raw query is decoded like a browser or
 * URLSearchParams would encode it — `+` is a space — so a client that builds its URL with
 * URLSearchParams and signs the same pairs gets the same string the server computes from the
 * raw URL.
 */
export function canonicalQueryString(query: QueryInput | undefined): string {
  const pairs = typeof query === 'string' ? decodeRawQuery(query) : pairsOf(query ?? {});
  return pairs
    .map(([name, value]) => [rfc3986Encode(name), rfc3986Encode(value)] as const)
    .sort(([nameA, valueA], [nameB, valueB]) =>
      nameA === nameB ? compare(valueA, valueB) : compare(nameA, nameB),
    )
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

export function canonicalRequest(parts: SignedRequestParts): string {
  const method = typeof parts.method === 'string' ? parts.method.toUpperCase() : '';
  if (!METHOD_PATTERN.test(method)) {
    throw new DomainError('AUTH.MALFORMED_REQUEST', `Invalid HTTP method: ${show(parts.method)}`);
  }
  if (typeof parts.path !== 'string' || !PATH_PATTERN.test(parts.path) || /[?#]/.test(parts.path)) {
    throw new DomainError(
      'AUTH.MALFORMED_REQUEST',
      `Path must start with '/' and hold no spaces, query or fragment: ${show(parts.path)}`,
    );
  }
  if (!Number.isSafeInteger(parts.timestamp) || parts.timestamp < 0) {
    throw new DomainError(
      'AUTH.MALFORMED_REQUEST',
      `Timestamp must be whole Unix seconds: ${show(parts.timestamp)}`,
    );
  }
  if (typeof parts.nonce !== 'string' || !NONCE_PATTERN.test(parts.nonce)) {
    throw new DomainError(
      'AUTH.MALFORMED_REQUEST',
      `Nonce must be 16-64 characters of A-Z, a-z, 0-9: ${show(parts.nonce)}`,
    );
  }
  return [
    method,
    parts.path,
    canonicalQueryString(parts.query),
    String(parts.timestamp),
    parts.nonce,
    sha256Hex(parts.body),
  ].join('\n');
}

/** The base64 HMAC-SHA256 of the canonical request under `secret` (used as its UTF-8 bytes). */
export function sign(secret: string | Uint8Array, parts: SignedRequestParts): string {
  return hmac(secret, canonicalRequest(parts)).toString('base64');
}

/** The full Authorization header value, for SDKs, tests and the demo client. */
export function buildAuthorizationHeader(
  appId: string,
  secret: string | Uint8Array,
  parts: RequestParts,
  timestamp: number,
  nonce: string,
): string {
  if (!isId(appId, 'app')) {
    throw new DomainError('AUTH.MALFORMED_REQUEST', `app id must be an app_ id: ${show(appId)}`);
  }
  const signature = sign(secret, { ...parts, timestamp, nonce });
  return `${AUTH_SCHEME} app_id="${appId}",timestamp="${timestamp}",nonce="${nonce}",signature="${signature}"`;
}

/**
 * Strict parser: exactly the four parameters, each once, each quoted, each well-formed. Being
 * lenient here buys nothing — every real client is generated from this spec — and every leniency
 * is one more way two implementations could canonicalise differently. The scheme name alone is
 * matched case-insensitively, as HTTP requires of authentication schemes (RFC 9110 §11.1).
 * Optional whitespace around `,` and `=` is allowed for the same reason.
 */
export function parseAuthorizationHeader(header: unknown): ParsedAuthorization {
  if (header === undefined || header === null || header === '') {
    throw new DomainError('AUTH.MISSING_HEADER', 'The Authorization header is required');
  }
  const malformed = (why: string): never => {
    throw new DomainError('AUTH.MALFORMED_HEADER', `Malformed Authorization header: ${why}`);
  };
  if (typeof header !== 'string') return malformed('expected a single header value');
  if (header.length > MAX_HEADER_LENGTH) {
    return malformed(`longer than ${MAX_HEADER_LENGTH} characters`);
  }
  const space = header.indexOf(' ');
  const scheme = space === -1 ? header : header.slice(0, space);
  if (scheme.toUpperCase() !== AUTH_SCHEME) {
    return malformed(`expected scheme ${AUTH_SCHEME}, got ${show(scheme)}`);
  }
  const rest = header.slice(space + 1).trim();
  if (space === -1 || rest === '') return malformed('no parameters after the scheme');

  const values = new Map<string, string>();
  for (const item of rest.split(',')) {
    const match = /^[ \t]*([A-Za-z_]+)[ \t]*=[ \t]*"([^"]*)"[ \t]*$/.exec(item);
    if (!match) {
      return malformed(`expected name="value", got ${show(item.trim())}`);
    }
    const [, name, value] = match;
    if (!(PARAMETER_NAMES as readonly string[]).includes(name)) {
      return malformed(`unknown parameter ${name}`);
    }
    if (values.has(name)) return malformed(`parameter ${name} appears more than once`);
    values.set(name, value);
  }
  for (const name of PARAMETER_NAMES) {
    if (!values.has(name)) return malformed(`missing parameter ${name}`);
  }

  const appId = values.get('app_id')!;
  const timestamp = values.get('timestamp')!;
  const nonce = values.get('nonce')!;
  const signature = values.get('signature')!;
  if (!isId(appId, 'app')) return malformed(`app_id must be an app_ id, got ${show(appId)}`);
  if (!TIMESTAMP_PATTERN.test(timestamp)) {
    return malformed('timestamp must be Unix seconds, digits only, no leading zeros');
  }
  if (!NONCE_PATTERN.test(nonce)) {
    return malformed('nonce must be 16-64 characters of A-Z, a-z, 0-9');
  }
  // The round trip refuses base64 whose unused trailing bits are set: it decodes to the same bytes
  // as the canonical form, and accepting both would give one signature two spellings.
  if (
    !SIGNATURE_PATTERN.test(signature) ||
    Buffer.from(signature, 'base64').toString('base64') !== signature
  ) {
    return malformed('signature must be the 44-character base64 of a 32-byte HMAC-SHA256');
  }
  return { appId, timestamp: Number(timestamp), nonce, signature };
}

export interface VerifySignatureInput extends RequestParts {
  header: unknown;
  /** The app's signing secret, or undefined when there is no such (active) app. */
  secretOf: (
    appId: string,
  ) => string | Uint8Array | undefined | null | Promise<string | Uint8Array | undefined | null>;
  now: Date;
  replayWindowSeconds?: number;
}

/**
 * Authenticates a merchant request and returns the app id it was signed for. Checks run
 * cheapest-first and never need the secret before the request is known to be well-formed and
 * fresh. The nonce is not claimed here — that needs Redis — so the caller must, after this
 * succeeds, `claim` it in a `NonceStore` for `nonceTtlSeconds(window)` and reject a replay.
 */
export async function verifySignature(input: VerifySignatureInput): Promise<string> {
  const window = input.replayWindowSeconds ?? DEFAULT_REPLAY_WINDOW_SECONDS;
  assertReplayWindow(window);
  if (!(input.now instanceof Date) || Number.isNaN(input.now.getTime())) {
    throw new DomainError('AUTH.INVALID_CLOCK', 'now must be a valid Date');
  }
  const authorization = parseAuthorizationHeader(input.header);

  const nowSeconds = Math.floor(input.now.getTime() / 1000);
  const skew = nowSeconds - authorization.timestamp;
  if (Math.abs(skew) > window) {
    throw new DomainError(
      'AUTH.TIMESTAMP_OUT_OF_WINDOW',
      `Request timestamp ${authorization.timestamp} is ${Math.abs(skew)}s ${skew > 0 ? 'behind' : 'ahead of'} server time ${nowSeconds}; the limit is ${window}s`,
    );
  }

  const secret = await input.secretOf(authorization.appId);
  if (secret === undefined || secret === null) {
    throw new DomainError('AUTH.UNKNOWN_APP', `Unknown app ${authorization.appId}`);
  }

  const expected = hmac(
    secret,
    canonicalRequest({
      method: input.method,
      path: input.path,
      query: input.query,
      body: input.body,
      timestamp: authorization.timestamp,
      nonce: authorization.nonce,
    }),
  );
  const provided = Buffer.from(authorization.signature, 'base64');
  // timingSafeEqual throws on a length difference; the parser guarantees 32 bytes, and the
  // explicit check keeps that guarantee from being load-bearing.
  if (provided.length !== expected.length || !timingSafeEqual(provided, expected)) {
    throw new DomainError(
      'AUTH.SIGNATURE_MISMATCH',
      'Signature does not match the request; check the secret and the canonical request',
    );
  }
  return authorization.appId;
}

function hmac(secret: string | Uint8Array, message: string): Buffer {
  const key = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
  if (!(key instanceof Uint8Array) || key.length < MIN_SECRET_BYTES) {
    throw new DomainError(
      'AUTH.INVALID_SECRET',
      `Signing secret must be at least ${MIN_SECRET_BYTES} bytes`,
    );
  }
  return createHmac('sha256', key).update(message, 'utf8').digest();
}

function sha256Hex(body: BodyInput): string {
  if (body === undefined) return createHash('sha256').digest('hex');
  if (typeof body === 'string') return createHash('sha256').update(body, 'utf8').digest('hex');
  if (body instanceof Uint8Array) return createHash('sha256').update(body).digest('hex');
  throw new DomainError('AUTH.MALFORMED_REQUEST', 'Body must be a string or bytes');
}

function decodeRawQuery(raw: string): Array<[string, string]> {
  const query = raw.startsWith('?') ? raw.slice(1) : raw;
  const pairs: Array<[string, string]> = [];
  for (const segment of query.split('&')) {
    if (segment === '') continue;
    const equals = segment.indexOf('=');
    const name = equals === -1 ? segment : segment.slice(0, equals);
    const value = equals === -1 ? '' : segment.slice(equals + 1);
    pairs.push([decodeComponent(name), decodeComponent(value)]);
  }
  return pairs;
}

function decodeComponent(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    throw new DomainError(
      'AUTH.MALFORMED_REQUEST',
      `Query contains invalid percent-encoding: ${show(value)}`,
    );
  }
}

function pairsOf(
  query: Readonly<Record<string, string | readonly string[] | undefined>>,
): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    for (const item of typeof value === 'string' ? [value] : value) {
      if (typeof item !== 'string') {
        throw new DomainError(
          'AUTH.MALFORMED_REQUEST',
          `Query parameter ${name} must be a string or a list of strings`,
        );
      }
      pairs.push([name, item]);
    }
  }
  return pairs;
}

// Plain code-unit order. The encoded strings are pure ASCII, so this is byte order, the same
// as any other language's default string sort — unlike localeCompare.
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function assertReplayWindow(seconds: number): void {
  if (!Number.isSafeInteger(seconds) || seconds < 1) {
    throw new DomainError(
      'AUTH.INVALID_REPLAY_WINDOW',
      `Replay window must be a positive number of seconds, got ${String(seconds)}`,
    );
  }
}

function show(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  }
  return String(value);
}
