/**
 * Text Postgres refuses (or that is not text at all) must be the client's 400, never a 500 from
 * deep inside a query: U+0000 (Postgres text cannot hold it), lone UTF-16 surrogates (not
 * encodable as UTF-8), and malformed percent-encoding or UTF-8 in the path or query.
 * Pure functions: the HTTP pipeline calls them before any guard or handler runs.
 */

export interface TextProblem {
  /** Where: `path`, the query parameter's name, or the body field's dotted path. */
  where: string;
  /** The request field to report as `param`, when the problem is in one. */
  param?: string;
  reason: string;
}

// A high surrogate not followed by a low one, or a low one not preceded by a high one: UTF-8
// cannot encode it. Without the u flag the regex sees UTF-16 code units, as it must here.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `text` cannot be stored as Postgres text, or undefined when it can. */
export function refusedTextReason(text: string): string | undefined {
  if (text.includes('\u0000')) return 'contains a NUL byte (U+0000)';
  return LONE_SURROGATE.test(text) ? 'contains a lone UTF-16 surrogate' : undefined;
}

function decodeComponent(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined; // URIError: bad %xx or bytes that are not UTF-8
  }
}

/**
 * Checks the raw request target (`/checkout/pay_%00/status?x=1`) as it came off the wire, so
 * percent-encoding that the router or query parser would silently keep or mangle is caught.
 */
export function findProblemInTarget(target: string): TextProblem | undefined {
  const queryStart = target.indexOf('?');
  const path = queryStart === -1 ? target : target.slice(0, queryStart);
  const query = queryStart === -1 ? '' : target.slice(queryStart + 1);

  const decodedPath = decodeComponent(path);
  if (decodedPath === undefined) {
    return { where: 'path', reason: 'is not valid percent-encoded UTF-8' };
  }
  const pathReason = refusedTextReason(decodedPath);
  if (pathReason) return { where: 'path', reason: pathReason };

  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const rawKey = equals === -1 ? pair : pair.slice(0, equals);
    const rawValue = equals === -1 ? '' : pair.slice(equals + 1);
    const key = decodeComponent(rawKey.replace(/\+/g, ' '));
    if (key === undefined) {
      return {
        where: 'query',
        reason: 'has a parameter name that is not valid percent-encoded UTF-8',
      };
    }
    const keyReason = refusedTextReason(key);
    if (keyReason) return { where: 'query', reason: `has a parameter name that ${keyReason}` };
    const value = decodeComponent(rawValue.replace(/\+/g, ' '));
    if (value === undefined) {
      return { where: key, param: key, reason: 'is not valid percent-encoded UTF-8' };
    }
    const valueReason = refusedTextReason(value);
    if (valueReason) return { where: key, param: key, reason: valueReason };
  }
  return undefined;
}

const MAX_DEPTH = 64;

/**
 * Walks a parsed body (JSON or form) and returns the first string, key included, that Postgres
 * would refuse, with its dotted path (`amount.currency`, `items.0.name`).
 */
export function findProblemInBody(body: unknown): TextProblem | undefined {
  return walk(body, [], 0);
}

function walk(value: unknown, path: string[], depth: number): TextProblem | undefined {
  if (typeof value === 'string') {
    const reason = refusedTextReason(value);
    if (!reason) return undefined;
    const param = path.join('.') || undefined;
    return { where: param ?? 'body', param, reason };
  }
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return undefined;
  const entries = Array.isArray(value)
    ? value.map((item, index) => [String(index), item] as const)
    : Object.entries(value as Record<string, unknown>);
  for (const [key, item] of entries) {
    const keyReason = refusedTextReason(key);
    if (keyReason) {
      const where = [...path, '(field name)'].join('.');
      return {
        where,
        param: path.join('.') || undefined,
        reason: `has a field name that ${keyReason}`,
      };
    }
    const problem = walk(item, [...path, key], depth + 1);
    if (problem) return problem;
  }
  return undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** JSON is UTF-8 (RFC 8259): bytes that are not would be silently replaced by U+FFFD. */
export function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}
