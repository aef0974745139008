import { createHash, timingSafeEqual } from 'node:crypto';
import { OPERATOR_ROLES, type OperatorRole } from './operator-access';

/**
 * One operator credential (运营凭证) a service accepts: who it is, its role, and the SHA-256 of
 * its bearer token. Services are configured with hashes only, so an env file or a leaked config
 * dump never holds a usable token.
 */
export interface OperatorCredential {
  name: string;
  role: OperatorRole;
  tokenSha256: Buffer;
}

const ENTRY = /^([A-Za-z0-9._-]{1,64}):([a-z]+):([0-9a-f]{64})$/;

/** The SHA-256 (hex) of a token, as OPERATOR_CREDENTIALS stores it. */
export function hashOperatorToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Parses `name:role:sha256hex, …` (OPERATOR_CREDENTIALS). Throws with the entry at fault, so
 * start-up validation can name it; an empty list is valid (every guarded route then refuses).
 */
export function parseOperatorCredentials(value: string): OperatorCredential[] {
  const credentials: OperatorCredential[] = [];
  for (const raw of value.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const match = ENTRY.exec(entry);
    if (!match) {
      throw new Error(
        `"${entry.slice(0, 80)}" is not name:role:sha256hex (64 lower-case hex digits)`,
      );
    }
    const [, name, role, hex] = match;
    if (!(OPERATOR_ROLES as readonly string[]).includes(role)) {
      throw new Error(`"${name}" has unknown role "${role}" (one of ${OPERATOR_ROLES.join(', ')})`);
    }
    if (credentials.some((known) => known.name === name)) {
      throw new Error(`"${name}" is listed twice`);
    }
    if (credentials.some((known) => known.tokenSha256.toString('hex') === hex)) {
      throw new Error(`"${name}" has the same token as another credential`);
    }
    credentials.push({ name, role: role as OperatorRole, tokenSha256: Buffer.from(hex, 'hex') });
  }
  return credentials;
}

/**
 * The credential a presented token belongs to, or undefined. Every configured hash is compared
 * in constant time (no early exit), so timing tells neither which entry nor how much matched.
 */
export function resolveOperatorToken(
  credentials: readonly OperatorCredential[],
  token: string,
): OperatorCredential | undefined {
  const presented = createHash('sha256').update(token, 'utf8').digest();
  let found: OperatorCredential | undefined;
  for (const credential of credentials) {
    if (timingSafeEqual(presented, credential.tokenSha256) && found === undefined) {
      found = credential;
    }
  }
  return found;
}

export type AccessDecision =
  { allowed: true } | { allowed: false; allowedRoles: readonly OperatorRole[] };

/**
 * The rules of `@OperatorRoles` and the unmarked default (see operator-access.ts): admin always;
 * listed roles when the route lists some; otherwise reads for every person's role (not `service`,
 * which only opens routes that name it) and changes for admin only — forgetting the annotation
 * fails closed.
 */
export function decideAccess(
  role: OperatorRole,
  method: string,
  listedRoles: readonly OperatorRole[] | undefined,
): AccessDecision {
  const allowedRoles: readonly OperatorRole[] = listedRoles
    ? ['admin', ...listedRoles.filter((listed) => listed !== 'admin')]
    : isRead(method)
      ? ['admin', 'operator', 'instructor', 'viewer']
      : ['admin'];
  return allowedRoles.includes(role) ? { allowed: true } : { allowed: false, allowedRoles };
}

function isRead(method: string): boolean {
  const upper = method.toUpperCase();
  return upper === 'GET' || upper === 'HEAD';
}
