import { rsaSign } from '../../wechat-pay/domain/v3-signature';
import {
  DEMO_BANK_CLIENT_PRIVATE_KEY,
  DEMO_BANK_CLIENT_PUBLIC_KEY,
  DEMO_BANK_PRIVATE_KEY,
  DEMO_BANK_PUBLIC_KEY,
} from '../demo-keys';
import {
  bankSignatureHeaders,
  canonicalString,
  clockSkewSeconds,
  readSignatureHeaders,
  verifySignature,
} from './bank-signature';

const NONCE = 'n0nce_0123456789ABCDEF';

describe('bank signatures (银企直连签名)', () => {
  it('signs five lines, each ending in a line feed, the body verbatim', () => {
    expect(canonicalString('POST', '/bank/v1/payouts', '1700000000', NONCE, '{"a":1}')).toBe(
      `POST\n/bank/v1/payouts\n1700000000\n${NONCE}\n{"a":1}\n`,
    );
    expect(canonicalString('GET', '/bank/v1/payouts/r1', '1', NONCE, '')).toBe(
      `GET\n/bank/v1/payouts/r1\n1\n${NONCE}\n\n`,
    );
  });

  it('verifies a client request signed with the client key, and nothing altered', () => {
    const body = '{"requestNo":"r1","amountMinor":100}';
    const signature = rsaSign(
      canonicalString('POST', '/bank/v1/payouts', '1700000000', NONCE, body),
      DEMO_BANK_CLIENT_PRIVATE_KEY,
    );
    const headers = { timestamp: '1700000000', nonce: NONCE, signature };
    const check = (method: string, path: string, h: typeof headers, b: string, key: string) =>
      verifySignature(method, path, h, b, key);
    expect(check('POST', '/bank/v1/payouts', headers, body, DEMO_BANK_CLIENT_PUBLIC_KEY)).toBe(
      true,
    );
    expect(
      check(
        'POST',
        '/bank/v1/payouts',
        headers,
        body.replace('100', '101'),
        DEMO_BANK_CLIENT_PUBLIC_KEY,
      ),
    ).toBe(false);
    expect(check('GET', '/bank/v1/payouts', headers, body, DEMO_BANK_CLIENT_PUBLIC_KEY)).toBe(
      false,
    );
    expect(check('POST', '/bank/v1/payoutsX', headers, body, DEMO_BANK_CLIENT_PUBLIC_KEY)).toBe(
      false,
    );
    expect(
      check(
        'POST',
        '/bank/v1/payouts',
        { ...headers, timestamp: '1700000001' },
        body,
        DEMO_BANK_CLIENT_PUBLIC_KEY,
      ),
    ).toBe(false);
    expect(
      check(
        'POST',
        '/bank/v1/payouts',
        { ...headers, nonce: `${NONCE}x` },
        body,
        DEMO_BANK_CLIENT_PUBLIC_KEY,
      ),
    ).toBe(false);
    // The bank's key is not the client's.
    expect(check('POST', '/bank/v1/payouts', headers, body, DEMO_BANK_PUBLIC_KEY)).toBe(false);
    expect(
      check(
        'POST',
        '/bank/v1/payouts',
        { ...headers, signature: 'bm90IGEgc2lnbmF0dXJl' },
        body,
        DEMO_BANK_CLIENT_PUBLIC_KEY,
      ),
    ).toBe(false);
  });

  it('signs answers and notifications with the bank key, each only in its own role', () => {
    const now = new Date('2024-11-20T02:00:00Z');
    const headers = bankSignatureHeaders(
      'RESPONSE',
      '/bank/v1/payouts',
      '{}',
      DEMO_BANK_PRIVATE_KEY,
      now,
      NONCE,
    );
    expect(headers['X-Bank-Timestamp']).toBe(String(now.getTime() / 1000));
    expect(headers['X-Bank-Nonce']).toBe(NONCE);
    const parsed = readSignatureHeaders((name) => headers[name])!;
    expect(
      verifySignature('RESPONSE', '/bank/v1/payouts', parsed, '{}', DEMO_BANK_PUBLIC_KEY),
    ).toBe(true);
    expect(verifySignature('NOTIFY', '/bank/v1/payouts', parsed, '{}', DEMO_BANK_PUBLIC_KEY)).toBe(
      false,
    );
    expect(
      verifySignature('RESPONSE', '/bank/v1/payouts/x', parsed, '{}', DEMO_BANK_PUBLIC_KEY),
    ).toBe(false);
  });

  it.each([
    ['a missing signature', { 'X-Bank-Timestamp': '1', 'X-Bank-Nonce': NONCE }],
    [
      'a timestamp that is not Unix seconds',
      { 'X-Bank-Timestamp': '2024-11-20', 'X-Bank-Nonce': NONCE, 'X-Bank-Signature': 'YQ==' },
    ],
    [
      'a short nonce',
      { 'X-Bank-Timestamp': '1', 'X-Bank-Nonce': 'abc', 'X-Bank-Signature': 'YQ==' },
    ],
    [
      'a nonce with a NUL',
      { 'X-Bank-Timestamp': '1', 'X-Bank-Nonce': `${NONCE}\u0000`, 'X-Bank-Signature': 'YQ==' },
    ],
    [
      'a signature that is not base64',
      { 'X-Bank-Timestamp': '1', 'X-Bank-Nonce': NONCE, 'X-Bank-Signature': 'not base64!' },
    ],
  ])('refuses headers with %s', (_, headers: Record<string, string>) => {
    expect(readSignatureHeaders((name) => headers[name])).toBeNull();
  });

  it('measures the clock skew either way', () => {
    const now = new Date('2024-11-20T00:00:00Z');
    const seconds = now.getTime() / 1000;
    expect(clockSkewSeconds(String(seconds - 301), now)).toBe(301);
    expect(clockSkewSeconds(String(seconds + 5), now)).toBe(5);
  });
});
