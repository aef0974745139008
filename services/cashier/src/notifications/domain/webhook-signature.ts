import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signing of merchant webhooks (异步通知签名), modelled on Stripe's scheme so that merchants who
 * know one know the other:
 *
 *     PayLab-Signature: t=1740794400,v1=<hex HMAC-SHA256(app signing secret, "<t>.<raw body>")>
 *
 * - The secret is the app's signing secret, the same one the merchant signs its API requests with.
 * - The MAC covers the timestamp as well as the exact body bytes, so a captured notification can
 *   neither be altered nor replayed outside the tolerance window (5 minutes by default).
 * - A header may carry several `v1=` entries (during a secret rotation each old and new secret
 *   signs); one match is enough. Unknown schemes (`v0=`, `v2=`) are ignored, so we can add one
 *   later without breaking merchants.
 * - Verify against the raw body as received, before any JSON parsing: re-serialising changes the
 *   bytes and breaks the MAC.
 * - Each delivery attempt is signed afresh with the time of that attempt; the body stays the same.
 */
export const WEBHOOK_SIGNATURE_HEADER = 'PayLab-Signature';
export const WEBHOOK_NOTIFICATION_ID_HEADER = 'PayLab-Notification-Id';
export const DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 300;

const MAX_HEADER_LENGTH = 2048;
const TIMESTAMP_PATTERN = /^(?:0|[1-9][0-9]{0,11})$/;
const V1_PATTERN = /^[0-9a-f]{64}$/;

export type WebhookVerification =
  | { ok: true; timestamp: number }
  | {
      ok: false;
      reason: 'MALFORMED_HEADER' | 'NO_SIGNATURE' | 'TIMESTAMP_OUTSIDE_TOLERANCE' | 'MISMATCH';
    };

function mac(secret: string, timestamp: number, rawBody: string | Buffer): string {
  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
  return createHmac('sha256', secret).update(`${timestamp}.`, 'utf8').update(body).digest('hex');
}

/** The header value for `rawBody` signed at `now` (whole seconds). */
export function signWebhook(secret: string, rawBody: string | Buffer, now: Date): string {
  if (Number.isNaN(now.getTime())) throw new Error('now must be a valid Date');
  const timestamp = Math.floor(now.getTime() / 1000);
  return `t=${timestamp},v1=${mac(secret, timestamp, rawBody)}`;
}

/**
 * Checks a `PayLab-Signature` header the way a merchant should: parse, check the timestamp is
 * within `toleranceSeconds` of `now` (either side, for clock skew), then compare every `v1` in
 * constant time. Never throws on bad input: every failure is a reason the caller can log.
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | undefined | null,
  rawBody: string | Buffer,
  now: Date,
  toleranceSeconds: number = DEFAULT_WEBHOOK_TOLERANCE_SECONDS,
): WebhookVerification {
  if (typeof header !== 'string' || header.length === 0 || header.length > MAX_HEADER_LENGTH) {
    return { ok: false, reason: 'MALFORMED_HEADER' };
  }
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const separator = part.indexOf('=');
    if (separator <= 0) return { ok: false, reason: 'MALFORMED_HEADER' };
    const name = part.slice(0, separator).trim();
    const value = part.slice(separator + 1).trim();
    if (name === 't') {
      if (timestamp !== undefined || !TIMESTAMP_PATTERN.test(value)) {
        return { ok: false, reason: 'MALFORMED_HEADER' };
      }
      timestamp = Number(value);
    } else if (name === 'v1') {
      if (!V1_PATTERN.test(value)) return { ok: false, reason: 'MALFORMED_HEADER' };
      signatures.push(value);
    }
  }
  if (timestamp === undefined) return { ok: false, reason: 'MALFORMED_HEADER' };
  if (signatures.length === 0) return { ok: false, reason: 'NO_SIGNATURE' };
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (
    !Number.isFinite(nowSeconds) ||
    !(toleranceSeconds >= 0) ||
    Math.abs(nowSeconds - timestamp) > toleranceSeconds
  ) {
    return { ok: false, reason: 'TIMESTAMP_OUTSIDE_TOLERANCE' };
  }
  const expected = Buffer.from(mac(secret, timestamp, rawBody), 'hex');
  const matched = signatures.some((candidate) =>
    timingSafeEqual(expected, Buffer.from(candidate, 'hex')),
  );
  return matched ? { ok: true, timestamp } : { ok: false, reason: 'MISMATCH' };
}
