import { IdError } from './errors';
import { IdGenerator } from './id-generator';
import { IdPrefix, isIdPrefix } from './prefixes';
import { decodeTime, ULID_PATTERN } from './ulid';

/**
 * Process-wide generator behind `newId`. A single shared instance is what makes ids from
 * different call sites in one process sort in creation order.
 */
export const defaultIdGenerator = new IdGenerator();

/** `<prefix>_<ULID>`; pass `now` (epoch ms) to stamp a specific creation time. */
export function newId(prefix: IdPrefix, now?: number): string {
  return defaultIdGenerator.next(prefix, now);
}

const ID_PATTERN = /^([a-z]+)_(.+)$/;

function parse(value: unknown): { prefix: IdPrefix; ulid: string } | null {
  if (typeof value !== 'string') return null;
  const match = ID_PATTERN.exec(value);
  if (!match) return null;
  const [, prefix, ulid] = match;
  if (!isIdPrefix(prefix) || !ULID_PATTERN.test(ulid)) return null;
  return { prefix, ulid };
}

/**
 * True for a well-formed id with a known prefix (and, if given, exactly that prefix).
 * Use at API boundaries to reject ids of the wrong kind before touching the database.
 */
export function isId(value: unknown, prefix?: IdPrefix): boolean {
  const parsed = parse(value);
  if (!parsed) return false;
  return prefix === undefined || parsed.prefix === prefix;
}

export function prefixOfId(id: string): IdPrefix {
  return parseOrThrow(id).prefix;
}

/** The creation time embedded in the id (millisecond precision). */
export function timestampOfId(id: string): Date {
  return new Date(decodeTime(parseOrThrow(id).ulid));
}

function parseOrThrow(id: string): { prefix: IdPrefix; ulid: string } {
  const parsed = parse(id);
  if (!parsed) {
    throw new IdError('ID.INVALID_ID', `Not a valid PayLab id: ${String(id)}`);
  }
  return parsed;
}
