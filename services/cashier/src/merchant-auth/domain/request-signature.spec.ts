import { createHmac } from 'node:crypto';
import { newId } from '@paylab/ids';
import { DomainError } from '../../shared/domain-error';
import {
  AUTH_SCHEME,
  buildAuthorizationHeader,
  canonicalQueryString,
  canonicalRequest,
  DEFAULT_REPLAY_WINDOW_SECONDS,
  MIN_SECRET_BYTES,
  NonceStore,
  nonceTtlSeconds,
  parseAuthorizationHeader,
  rfc3986Encode,
  sign,
  SignedRequestParts,
  verifySignature,
  VerifySignatureInput,
} from './request-signature';

const code = (c: string) => expect.objectContaining({ code: c });

const SECRET = 'sk_demo_paylab_do_not_use_in_production_4f1c2e9a';
const APP_ID = 'app_01M85DMB00EHTE541GQYE3T4TK';
const TS = 1740794400; // 2025-03-01T02:00:00Z
const NOW = new Date(TS * 1000);
const NONCE = 'abcdefghijklmnop1234';
const BODY = '{"amount":{"amountMinor":1234,"currency":"CNY"},"subject":"拿铁"}';
const BODY_SHA256 = '00cf0a5156ce1cd215472cac55ed960d654834ce2d1cd711ca41b2495139c40f';
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const SIG = 'fdxth+BB5Eur7WPd317lAd5VV6cqtjCWuRc6c8WfTzo=';

// The known-answer vector below was computed independently (Python hmac/hashlib/urllib), so
// these specs pin the wire format itself, not just this implementation's agreement with itself.
const SIGNED: SignedRequestParts = {
  method: 'POST',
  path: '/v1/payments',
  query: { z: '1', a: ['b c', '!*'], 'k~': 'v/?' },
  body: BODY,
  timestamp: TS,
  nonce: NONCE,
};

const header = (overrides: Record<string, string> = {}) => {
  const params = {
    app_id: APP_ID,
    timestamp: String(TS),
    nonce: NONCE,
    signature: SIG,
    ...overrides,
  };
  return `${AUTH_SCHEME} ${Object.entries(params)
    .map(([name, value]) => `${name}="${value}"`)
    .join(',')}`;
};

describe('rfc3986Encode', () => {
  it('keeps only the unreserved characters', () => {
    expect(rfc3986Encode('AZaz09-._~')).toBe('AZaz09-._~');
    expect(rfc3986Encode("!'()*")).toBe('%21%27%28%29%2A');
    expect(rfc3986Encode(' +/?&=#%')).toBe('%20%2B%2F%3F%26%3D%23%25');
  });

  it('encodes UTF-8 with upper-case hex', () => {
    expect(rfc3986Encode('拿铁')).toBe('%E6%8B%BF%E9%93%81');
    expect(rfc3986Encode('😀')).toBe('%F0%9F%98%80');
  });

  it('refuses a lone surrogate, which has no UTF-8 form', () => {
    expect(() => rfc3986Encode('\ud800')).toThrow(code('AUTH.MALFORMED_REQUEST'));
  });
});

describe('canonicalQueryString', () => {
  it('is empty without a query', () => {
    expect(canonicalQueryString(undefined)).toBe('');
    expect(canonicalQueryString('')).toBe('');
    expect(canonicalQueryString('?')).toBe('');
    expect(canonicalQueryString({})).toBe('');
  });

  it('sorts by encoded name, then value, and keeps repeated names', () => {
    expect(canonicalQueryString({ z: '1', a: ['b c', '!*'], 'k~': 'v/?' })).toBe(
      'a=%21%2A&a=b%20c&k~=v%2F%3F&z=1',
    );
  });

  it('sorts by byte order, not locale: upper case before lower case', () => {
    expect(canonicalQueryString('b=1&B=2&a=3&_=4')).toBe('B=2&_=4&a=3&b=1');
  });

  it('gives the same result for a raw query and its decoded form', () => {
    const fromRecord = canonicalQueryString({ subject: '拿铁 & 摩卡', limit: '10' });
    const raw = new URLSearchParams({ subject: '拿铁 & 摩卡', limit: '10' }).toString();
    expect(raw).toContain('+'); // URLSearchParams writes spaces as '+'
    expect(canonicalQueryString(raw)).toBe(fromRecord);
    expect(canonicalQueryString(`?${raw}`)).toBe(fromRecord);
    expect(
      canonicalQueryString('subject=%E6%8B%BF%E9%93%81%20%26%20%E6%91%A9%E5%8D%A1&limit=10'),
    ).toBe(fromRecord);
  });

  it('reads %2B as a literal plus and + as a space', () => {
    expect(canonicalQueryString('a=1%2B1&b=1+1')).toBe('a=1%2B1&b=1%201');
  });

  it('normalises lower-case and needless percent-encoding', () => {
    expect(canonicalQueryString('n%61me=%7e%2f')).toBe('name=~%2F');
  });

  it('gives names without = an empty value, and drops empty segments', () => {
    expect(canonicalQueryString('flag&&b=&a=1&')).toBe('a=1&b=&flag=');
  });

  it('keeps = inside a value', () => {
    expect(canonicalQueryString('sig=abc==')).toBe('sig=abc%3D%3D');
  });

  it('skips undefined values of a record', () => {
    expect(canonicalQueryString({ a: undefined, b: '1' })).toBe('b=1');
  });

  it.each(['a=%', 'a=%zz', 'a=%E6%8B', '%=1'])('refuses broken percent-encoding in %p', (raw) => {
    expect(() => canonicalQueryString(raw)).toThrow(code('AUTH.MALFORMED_REQUEST'));
  });

  it('refuses non-string record values', () => {
    expect(() => canonicalQueryString({ a: [1] as unknown as string[] })).toThrow(
      code('AUTH.MALFORMED_REQUEST'),
    );
  });
});

describe('canonicalRequest', () => {
  it('matches the known-answer vector', () => {
    expect(canonicalRequest(SIGNED)).toBe(
      [
        'POST',
        '/v1/payments',
        'a=%21%2A&a=b%20c&k~=v%2F%3F&z=1',
        '1740794400',
        NONCE,
        BODY_SHA256,
      ].join('\n'),
    );
  });

  it('hashes an absent or empty body as the empty string', () => {
    const get = { ...SIGNED, method: 'GET', body: undefined, query: undefined };
    expect(canonicalRequest(get).split('\n')).toEqual([
      'GET',
      '/v1/payments',
      '',
      '1740794400',
      NONCE,
      EMPTY_SHA256,
    ]);
    expect(canonicalRequest({ ...get, body: '' })).toBe(canonicalRequest(get));
    expect(canonicalRequest({ ...get, body: new Uint8Array() })).toBe(canonicalRequest(get));
  });

  it('hashes a string body as UTF-8, the same as its bytes', () => {
    expect(canonicalRequest({ ...SIGNED, body: Buffer.from(BODY, 'utf8') })).toBe(
      canonicalRequest(SIGNED),
    );
  });

  it('upper-cases the method', () => {
    expect(canonicalRequest({ ...SIGNED, method: 'post' })).toBe(canonicalRequest(SIGNED));
  });

  it('keeps the path exactly as sent', () => {
    expect(canonicalRequest({ ...SIGNED, path: '/v1/a%2Fb' }).split('\n')[1]).toBe('/v1/a%2Fb');
  });

  it.each<[string, Partial<SignedRequestParts>]>([
    ['an empty method', { method: '' }],
    ['a method with a space', { method: 'GE T' }],
    ['a path without a leading slash', { path: 'v1/payments' }],
    ['a path with a query', { path: '/v1/payments?a=1' }],
    ['a path with a fragment', { path: '/v1/payments#x' }],
    ['a path with a space', { path: '/v1/pay ments' }],
    ['a path with a newline', { path: '/v1\n/payments' }],
    ['a fractional timestamp', { timestamp: 1.5 }],
    ['a negative timestamp', { timestamp: -1 }],
    ['a short nonce', { nonce: 'abc' }],
    ['a nonce with symbols', { nonce: 'abcdefghijklmnop-123' }],
    ['an object body', { body: { a: 1 } as unknown as string }],
  ])('refuses %s', (_label, override) => {
    expect(() => canonicalRequest({ ...SIGNED, ...override })).toThrow(
      code('AUTH.MALFORMED_REQUEST'),
    );
  });
});

describe('sign', () => {
  it('matches the known-answer vector', () => {
    expect(sign(SECRET, SIGNED)).toBe(SIG);
  });

  it('matches a plain HMAC-SHA256 of the canonical request', () => {
    expect(sign(SECRET, SIGNED)).toBe(
      createHmac('sha256', SECRET).update(canonicalRequest(SIGNED)).digest('base64'),
    );
  });

  it('accepts the secret as bytes', () => {
    expect(sign(Buffer.from(SECRET), SIGNED)).toBe(SIG);
  });

  it.each<[string, Partial<SignedRequestParts>]>([
    ['method', { method: 'PUT' }],
    ['path', { path: '/v1/payments/' }],
    ['query', { query: { z: '2', a: ['b c', '!*'], 'k~': 'v/?' } }],
    ['body', { body: BODY.replace('1234', '1235') }],
    ['timestamp', { timestamp: TS + 1 }],
    ['nonce', { nonce: 'abcdefghijklmnop1235' }],
  ])('changes when the %s changes', (_label, override) => {
    expect(sign(SECRET, { ...SIGNED, ...override })).not.toBe(SIG);
  });

  it('changes with the secret', () => {
    expect(sign(`${SECRET}x`, SIGNED)).not.toBe(SIG);
  });

  it(`refuses a secret shorter than ${MIN_SECRET_BYTES} bytes`, () => {
    expect(() => sign('x'.repeat(MIN_SECRET_BYTES - 1), SIGNED)).toThrow(
      code('AUTH.INVALID_SECRET'),
    );
    expect(() => sign('', SIGNED)).toThrow(code('AUTH.INVALID_SECRET'));
    expect(sign('x'.repeat(MIN_SECRET_BYTES), SIGNED)).toHaveLength(44);
  });
});

describe('buildAuthorizationHeader', () => {
  it('produces the documented format', () => {
    const { timestamp: _t, nonce: _n, ...parts } = SIGNED;
    expect(buildAuthorizationHeader(APP_ID, SECRET, parts, TS, NONCE)).toBe(
      `PAYLAB-HMAC-SHA256 app_id="${APP_ID}",timestamp="1740794400",nonce="${NONCE}",signature="${SIG}"`,
    );
  });

  it('round-trips through the parser', () => {
    const built = buildAuthorizationHeader(
      APP_ID,
      SECRET,
      { method: 'GET', path: '/v1/x' },
      TS,
      NONCE,
    );
    expect(parseAuthorizationHeader(built)).toEqual({
      appId: APP_ID,
      timestamp: TS,
      nonce: NONCE,
      signature: sign(SECRET, { method: 'GET', path: '/v1/x', timestamp: TS, nonce: NONCE }),
    });
  });

  it('refuses an app id of the wrong kind', () => {
    expect(() =>
      buildAuthorizationHeader(newId('mch'), SECRET, { method: 'GET', path: '/' }, TS, NONCE),
    ).toThrow(code('AUTH.MALFORMED_REQUEST'));
  });
});

describe('parseAuthorizationHeader', () => {
  it('parses a well-formed header', () => {
    expect(parseAuthorizationHeader(header())).toEqual({
      appId: APP_ID,
      timestamp: TS,
      nonce: NONCE,
      signature: SIG,
    });
  });

  it('accepts the parameters in any order, with optional whitespace', () => {
    const reordered = `${AUTH_SCHEME}  signature = "${SIG}" , nonce="${NONCE}",\ttimestamp="${TS}", app_id="${APP_ID}" `;
    expect(parseAuthorizationHeader(reordered).appId).toBe(APP_ID);
  });

  it('matches the scheme case-insensitively, as HTTP requires', () => {
    expect(
      parseAuthorizationHeader(header().replace(AUTH_SCHEME, 'paylab-hmac-sha256')).nonce,
    ).toBe(NONCE);
  });

  it.each([undefined, null, ''])('reports %p as a missing header', (value) => {
    expect(() => parseAuthorizationHeader(value)).toThrow(code('AUTH.MISSING_HEADER'));
  });

  const malformed: Array<[string, unknown, RegExp]> = [
    ['a repeated header (array)', [header(), header()], /single header value/],
    ['a number', 42, /single header value/],
    ['another scheme', header().replace(AUTH_SCHEME, 'Bearer'), /expected scheme/],
    ['a Basic header', 'Basic dXNlcjpwYXNz', /expected scheme/],
    ['the scheme alone', AUTH_SCHEME, /no parameters/],
    ['the scheme and spaces', `${AUTH_SCHEME}   `, /no parameters/],
    ['a scheme glued to its parameters', `${AUTH_SCHEME}app_id="${APP_ID}"`, /expected scheme/],
    ['an unquoted value', header().replace(`timestamp="${TS}"`, `timestamp=${TS}`), /name="value"/],
    ['single quotes', header().replace(`nonce="${NONCE}"`, `nonce='${NONCE}'`), /name="value"/],
    ['a trailing comma', `${header()},`, /name="value"/],
    ['a semicolon separator', header().replace(/",/g, '";'), /name="value"|unknown parameter/],
    ['an unknown parameter', `${header()},version="1"`, /unknown parameter version/],
    [
      'a parameter named in camelCase',
      header().replace('app_id=', 'appId='),
      /unknown parameter appId/,
    ],
    ['a duplicated parameter', `${header()},nonce="${NONCE}"`, /nonce appears more than once/],
    ['a missing nonce', header().replace(`,nonce="${NONCE}"`, ''), /missing parameter nonce/],
    [
      'a missing signature',
      header().replace(`,signature="${SIG}"`, ''),
      /missing parameter signature/,
    ],
    ['a merchant id as app_id', header({ app_id: newId('mch') }), /app_id must be an app_ id/],
    ['a malformed app_id', header({ app_id: 'app_123' }), /app_id/],
    ['a millisecond timestamp', header({ timestamp: '1740794400000' }), /timestamp/],
    ['a timestamp with leading zeros', header({ timestamp: '01740794400' }), /timestamp/],
    ['a negative timestamp', header({ timestamp: '-1740794400' }), /timestamp/],
    ['an ISO timestamp', header({ timestamp: '2025-03-01T02:00:00Z' }), /timestamp/],
    ['an empty timestamp', header({ timestamp: '' }), /timestamp/],
    ['a 15-character nonce', header({ nonce: 'a'.repeat(15) }), /nonce/],
    ['a 65-character nonce', header({ nonce: 'a'.repeat(65) }), /nonce/],
    ['a nonce with a dash', header({ nonce: '0123456789-abcdef' }), /nonce/],
    ['a hex signature', header({ signature: 'ab'.repeat(32) }), /signature/],
    ['base64url', header({ signature: SIG.replace('+', '-') }), /signature/],
    ['unpadded base64', header({ signature: SIG.slice(0, -1) }), /signature/],
    ['a truncated signature', header({ signature: SIG.slice(4) }), /signature/],
    [
      'non-canonical base64 (unused bits set)',
      header({ signature: SIG.replace('o=', 'p=') }),
      /signature/,
    ],
    ['an oversized header', `${header()}${' '.repeat(1024)}`, /longer than 1024/],
  ];

  it.each(malformed)('rejects %s', (_label, value, why) => {
    let caught: unknown;
    try {
      parseAuthorizationHeader(value);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DomainError);
    expect(caught).toMatchObject({ code: 'AUTH.MALFORMED_HEADER' });
    expect((caught as Error).message).toMatch(why);
  });

  it('accepts the boundaries of the nonce length', () => {
    expect(parseAuthorizationHeader(header({ nonce: 'a'.repeat(16) })).nonce).toHaveLength(16);
    expect(parseAuthorizationHeader(header({ nonce: 'Z9'.repeat(32) })).nonce).toHaveLength(64);
  });

  it('accepts timestamp 0', () => {
    expect(parseAuthorizationHeader(header({ timestamp: '0' })).timestamp).toBe(0);
  });
});

describe('verifySignature', () => {
  const secrets = new Map([[APP_ID, SECRET]]);
  const request = (overrides: Partial<VerifySignatureInput> = {}): VerifySignatureInput => ({
    header: header(),
    method: 'POST',
    path: '/v1/payments',
    query: 'z=1&a=b+c&a=%21%2A&k%7E=v%2F%3F',
    body: Buffer.from(BODY),
    secretOf: (appId) => secrets.get(appId),
    now: NOW,
    ...overrides,
  });

  it('returns the app id of a correctly signed request (raw query, byte body)', async () => {
    await expect(verifySignature(request())).resolves.toBe(APP_ID);
  });

  it('accepts an asynchronous secret lookup', async () => {
    await expect(
      verifySignature(request({ secretOf: async (appId) => secrets.get(appId) })),
    ).resolves.toBe(APP_ID);
  });

  it('verifies what buildAuthorizationHeader signed', async () => {
    const parts = { method: 'GET', path: '/v1/payments/pay_1', query: 'expand=refunds' };
    const built = buildAuthorizationHeader(APP_ID, SECRET, parts, TS + 10, 'Q'.repeat(32));
    await expect(
      verifySignature(request({ ...parts, body: undefined, header: built })),
    ).resolves.toBe(APP_ID);
  });

  it('accepts the edges of the replay window and rejects one second beyond', async () => {
    const at = (seconds: number) => new Date((TS + seconds) * 1000);
    await expect(verifySignature(request({ now: at(300) }))).resolves.toBe(APP_ID);
    await expect(verifySignature(request({ now: at(-300) }))).resolves.toBe(APP_ID);
    await expect(
      verifySignature(request({ now: new Date((TS + 300) * 1000 + 999) })),
    ).resolves.toBe(APP_ID);
    await expect(verifySignature(request({ now: at(301) }))).rejects.toMatchObject({
      code: 'AUTH.TIMESTAMP_OUT_OF_WINDOW',
      message: expect.stringContaining('301s behind'),
    });
    await expect(verifySignature(request({ now: at(-301) }))).rejects.toMatchObject({
      code: 'AUTH.TIMESTAMP_OUT_OF_WINDOW',
      message: expect.stringContaining('301s ahead'),
    });
  });

  it('honours a custom replay window', async () => {
    const now = new Date((TS + 61) * 1000);
    await expect(verifySignature(request({ now, replayWindowSeconds: 60 }))).rejects.toMatchObject({
      code: 'AUTH.TIMESTAMP_OUT_OF_WINDOW',
    });
    await expect(verifySignature(request({ now, replayWindowSeconds: 61 }))).resolves.toBe(APP_ID);
  });

  it('checks the window before looking up the secret', async () => {
    const secretOf = jest.fn(() => SECRET);
    await expect(
      verifySignature(request({ secretOf, now: new Date((TS + 3600) * 1000) })),
    ).rejects.toMatchObject({ code: 'AUTH.TIMESTAMP_OUT_OF_WINDOW' });
    expect(secretOf).not.toHaveBeenCalled();
  });

  it.each([undefined, null])('rejects an app whose secret lookup returns %p', async (secret) => {
    await expect(verifySignature(request({ secretOf: () => secret }))).rejects.toMatchObject({
      code: 'AUTH.UNKNOWN_APP',
    });
  });

  it('looks the secret up by the app id in the header', async () => {
    const secretOf = jest.fn(() => SECRET);
    await verifySignature(request({ secretOf }));
    expect(secretOf).toHaveBeenCalledWith(APP_ID);
  });

  it.each<[string, Partial<VerifySignatureInput>]>([
    ['a different method', { method: 'PUT' }],
    ['a different path', { path: '/v1/refunds' }],
    ['a different query', { query: 'z=2&a=b+c&a=%21%2A&k%7E=v%2F%3F' }],
    ['a missing query parameter', { query: 'z=1&a=b+c&k%7E=v%2F%3F' }],
    ['a different body', { body: BODY.replace('1234', '123400') }],
    ['an empty body', { body: undefined }],
    ['a re-serialised body', { body: JSON.stringify(JSON.parse(BODY), null, 1) }],
    ['the wrong secret', { secretOf: () => `${SECRET}!` }],
    ['a different nonce', { header: header({ nonce: 'abcdefghijklmnop1235' }) }],
    ['a different timestamp', { header: header({ timestamp: String(TS + 1) }) }],
    [
      'another app with its own secret',
      { header: header({ app_id: newId('app') }), secretOf: () => SECRET.replace('4f', '5f') },
    ],
    ['a forged signature', { header: header({ signature: Buffer.alloc(32).toString('base64') }) }],
  ])('rejects %s as a signature mismatch', async (_label, override) => {
    await expect(verifySignature(request(override))).rejects.toMatchObject({
      code: 'AUTH.SIGNATURE_MISMATCH',
    });
  });

  it('passes header errors through', async () => {
    await expect(verifySignature(request({ header: undefined }))).rejects.toMatchObject({
      code: 'AUTH.MISSING_HEADER',
    });
    await expect(verifySignature(request({ header: 'Bearer abc' }))).rejects.toMatchObject({
      code: 'AUTH.MALFORMED_HEADER',
    });
  });

  it('rejects a malformed request path instead of signing it', async () => {
    await expect(verifySignature(request({ path: 'v1/payments' }))).rejects.toMatchObject({
      code: 'AUTH.MALFORMED_REQUEST',
    });
  });

  it('refuses a stored secret that is too short rather than trusting it', async () => {
    await expect(verifySignature(request({ secretOf: () => 'short' }))).rejects.toMatchObject({
      code: 'AUTH.INVALID_SECRET',
    });
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses a replay window of %p', async (window) => {
    await expect(verifySignature(request({ replayWindowSeconds: window }))).rejects.toMatchObject({
      code: 'AUTH.INVALID_REPLAY_WINDOW',
    });
  });

  it('refuses an invalid clock', async () => {
    await expect(verifySignature(request({ now: new Date('nope') }))).rejects.toMatchObject({
      code: 'AUTH.INVALID_CLOCK',
    });
  });

  it('uses a 5-minute window by default', () => {
    expect(DEFAULT_REPLAY_WINDOW_SECONDS).toBe(300);
  });
});

describe('nonce replay support', () => {
  it('keeps nonces for twice the replay window', () => {
    expect(nonceTtlSeconds()).toBe(600);
    expect(nonceTtlSeconds(60)).toBe(120);
    expect(() => nonceTtlSeconds(0)).toThrow(code('AUTH.INVALID_REPLAY_WINDOW'));
  });

  it('lets an adapter reject a replayed request through NonceStore', async () => {
    // An in-memory stand-in with the contract a Redis SET NX EX adapter must honour.
    const seen = new Set<string>();
    const store: NonceStore = {
      claim: async (appId, nonce) => {
        const key = `${appId}:${nonce}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      },
    };
    const authenticate = async () => {
      const appId = await verifySignature({
        header: header(),
        method: 'POST',
        path: '/v1/payments',
        query: SIGNED.query,
        body: BODY,
        secretOf: () => SECRET,
        now: NOW,
      });
      const { nonce } = parseAuthorizationHeader(header());
      return store.claim(appId, nonce, nonceTtlSeconds());
    };
    await expect(authenticate()).resolves.toBe(true);
    await expect(authenticate()).resolves.toBe(false);
  });
});
