import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The short-lived token in a bill_download_url. Stateless: it carries the app and the bill
 * date and an expiry, and an HMAC proves the sandbox issued it, so nothing needs storing and
 * nobody can fetch another app's statement by editing the URL.
 */
export interface BillGrant {
  appId: string;
  billDate: string;
  expiresAt: Date;
  /** Which bill of the day, when a channel has several (WeChat Pay's bill_type); signed too. */
  kind?: string;
}

export function issueBillToken(grant: BillGrant, secret: string): string {
  const payload = Buffer.from(
    JSON.stringify({
      a: grant.appId,
      d: grant.billDate,
      e: Math.floor(grant.expiresAt.getTime() / 1000),
      ...(grant.kind === undefined ? {} : { k: grant.kind }),
    }),
  ).toString('base64url');
  return `${payload}.${mac(payload, secret)}`;
}

/** The grant, or null when the token is malformed, forged or expired. */
export function readBillToken(token: string, secret: string, now: Date): BillGrant | null {
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) return null;
  const expected = Buffer.from(mac(payload, secret));
  const provided = Buffer.from(signature);
  if (provided.length !== expected.length || !timingSafeEqual(provided, expected)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const { a, d, e, k } = (parsed ?? {}) as { a?: unknown; d?: unknown; e?: unknown; k?: unknown };
  if (typeof a !== 'string' || typeof d !== 'string' || typeof e !== 'number') return null;
  if (k !== undefined && typeof k !== 'string') return null;
  const expiresAt = new Date(e * 1000);
  if (expiresAt.getTime() <= now.getTime()) return null;
  return k === undefined
    ? { appId: a, billDate: d, expiresAt }
    : { appId: a, billDate: d, expiresAt, kind: k };
}

function mac(payload: string, secret: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}
