import { createHmac } from 'node:crypto';
import { signWebhook, verifyWebhookSignature } from './webhook-signature';

const SECRET = 'sk_test_webhook_secret_0123456789abcdef';
const BODY = '{"id":"ntf_1","type":"payment.succeeded","data":{"amount":1999}}';
const NOW = new Date('2025-03-01T02:00:00.000Z');
const T = Math.floor(NOW.getTime() / 1000);
const later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

describe('merchant webhook signature (PayLab-Signature)', () => {
  it('signs "<t>.<raw body>" with HMAC-SHA256 in hex, Stripe-style', () => {
    const expected = createHmac('sha256', SECRET).update(`${T}.${BODY}`).digest('hex');
    expect(signWebhook(SECRET, BODY, NOW)).toBe(`t=${T},v1=${expected}`);
  });

  it('verifies its own signature within the tolerance, either side', () => {
    const header = signWebhook(SECRET, BODY, NOW);
    expect(verifyWebhookSignature(SECRET, header, BODY, NOW)).toEqual({ ok: true, timestamp: T });
    expect(verifyWebhookSignature(SECRET, header, Buffer.from(BODY), later(300)).ok).toBe(true);
    expect(verifyWebhookSignature(SECRET, header, BODY, later(-300)).ok).toBe(true);
  });

  it('refuses a stale or future timestamp (replay)', () => {
    const header = signWebhook(SECRET, BODY, NOW);
    expect(verifyWebhookSignature(SECRET, header, BODY, later(301))).toEqual({
      ok: false,
      reason: 'TIMESTAMP_OUTSIDE_TOLERANCE',
    });
    expect(verifyWebhookSignature(SECRET, header, BODY, later(-301)).ok).toBe(false);
    expect(verifyWebhookSignature(SECRET, header, BODY, later(10), 5).ok).toBe(false);
  });

  it('refuses a changed body, another secret, or a changed timestamp', () => {
    const header = signWebhook(SECRET, BODY, NOW);
    const mismatch = { ok: false, reason: 'MISMATCH' };
    expect(verifyWebhookSignature(SECRET, header, BODY.replace('1999', '1'), NOW)).toEqual(
      mismatch,
    );
    expect(verifyWebhookSignature(`${SECRET}x`, header, BODY, NOW)).toEqual(mismatch);
    const shifted = header.replace(`t=${T}`, `t=${T + 1}`);
    expect(verifyWebhookSignature(SECRET, shifted, BODY, NOW)).toEqual(mismatch);
  });

  it('accepts any one matching v1 (secret rotation) and ignores unknown schemes', () => {
    const good = signWebhook(SECRET, BODY, NOW).split(',')[1];
    const header = `t=${T},v0=abc,v1=${'0'.repeat(64)},${good}`;
    expect(verifyWebhookSignature(SECRET, header, BODY, NOW).ok).toBe(true);
  });

  it.each([
    [undefined, 'MALFORMED_HEADER'],
    ['', 'MALFORMED_HEADER'],
    ['garbage', 'MALFORMED_HEADER'],
    [`v1=${'a'.repeat(64)}`, 'MALFORMED_HEADER'],
    [`t=abc,v1=${'a'.repeat(64)}`, 'MALFORMED_HEADER'],
    [`t=${T},t=${T},v1=${'a'.repeat(64)}`, 'MALFORMED_HEADER'],
    [`t=${T},v1=XYZ`, 'MALFORMED_HEADER'],
    [`t=${T},v1=${'A'.repeat(64)}`, 'MALFORMED_HEADER'],
    [`t=${T}`, 'NO_SIGNATURE'],
    [`t=${T},v0=${'a'.repeat(64)}`, 'NO_SIGNATURE'],
    [`t=${T},v1=${'a'.repeat(3000)}`, 'MALFORMED_HEADER'],
  ])('refuses header %p with %s, without throwing', (header, reason) => {
    expect(verifyWebhookSignature(SECRET, header, BODY, NOW)).toEqual({ ok: false, reason });
  });
});
