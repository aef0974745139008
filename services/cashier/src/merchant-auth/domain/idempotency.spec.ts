import { createHash } from 'node:crypto';
import {
  canonicalJson,
  decideIdempotency,
  holdsLease,
  IDEMPOTENCY_KEY_TTL_SECONDS,
  IdempotencyRecord,
  isValidIdempotencyKey,
  requestFingerprint,
  validateIdempotencyKey,
} from './idempotency';

const code = (c: string) => expect.objectContaining({ code: c });
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('Idempotency-Key validation', () => {
  it.each([
    'a',
    'x'.repeat(255),
    '0c9a4c1e-6b8f-4b53-9a0e-2f8d7c3b1a90',
    'order 2025-03-01 #1',
    ' !"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
  ])('accepts %p', (key) => {
    expect(isValidIdempotencyKey(key)).toBe(true);
    expect(validateIdempotencyKey(key)).toBe(key);
  });

  it.each([
    ['empty', ''],
    ['256 characters', 'x'.repeat(256)],
    ['non-ASCII', '幂等键'],
    ['a newline', 'abc\ndef'],
    ['a tab', 'abc\tdef'],
    ['NUL', 'abc\u0000'],
    ['DEL', 'abc\u007f'],
    ['Latin-1', 'café'],
    ['a number', 42],
    ['undefined', undefined],
    ['an array', ['abc']],
  ])('rejects %s', (_label, key) => {
    expect(isValidIdempotencyKey(key)).toBe(false);
    expect(() => validateIdempotencyKey(key)).toThrow(
      expect.objectContaining({ code: 'IDEMPOTENCY.INVALID_KEY', param: 'Idempotency-Key' }),
    );
  });

  it('keeps keys for 24 hours, like Stripe', () => {
    expect(IDEMPOTENCY_KEY_TTL_SECONDS).toBe(86_400);
  });
});

describe('canonicalJson', () => {
  it('sorts keys recursively and drops whitespace', () => {
    expect(canonicalJson({ b: 2, a: { d: [3, { f: 1, e: 0 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"e":0,"f":1}]},"b":2}',
    );
  });

  it('keeps array order, which is meaningful', () => {
    expect(canonicalJson([2, 1])).toBe('[2,1]');
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
  });

  it('sorts keys by code unit, not locale', () => {
    expect(canonicalJson({ b: 1, B: 2, _: 3, é: 4, a: 5 })).toBe('{"B":2,"_":3,"a":5,"b":1,"é":4}');
  });

  it('serialises scalars like JSON', () => {
    expect(canonicalJson('拿铁 "quoted"\n')).toBe('"拿铁 \\"quoted\\"\\n"');
    expect(canonicalJson(0.1)).toBe('0.1');
    expect(canonicalJson(-0)).toBe('0');
    expect(canonicalJson(1e21)).toBe('1e+21');
    expect(canonicalJson(true)).toBe('true');
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson({})).toBe('{}');
    expect(canonicalJson([])).toBe('[]');
  });

  it('leaves out undefined properties, as JSON does', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
  });

  it('accepts objects without a prototype', () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare.z = 1;
    bare.a = 2;
    expect(canonicalJson(bare)).toBe('{"a":2,"z":1}');
  });

  it('accepts a shared (non-circular) sub-object twice', () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });

  it('is the same for JSON texts that differ only in key order and spacing', () => {
    const a = JSON.parse('{"amount":{"currency":"CNY","amountMinor":100},"subject":"x"}');
    const b = JSON.parse(
      '{ "subject" : "x",\n "amount": { "amountMinor": 100, "currency": "CNY" } }',
    );
    expect(canonicalJson(a)).toBe(canonicalJson(b));
  });

  const circular: Record<string, unknown> = { a: 1 };
  circular.self = circular;

  it.each<[string, unknown, RegExp]>([
    ['NaN', { a: Number.NaN }, /NaN at \$\.a/],
    ['Infinity', [1, Infinity], /Infinity at \$\[1\]/],
    ['a bigint', { a: 1n }, /bigint/],
    ['a function', { f: () => 1 }, /function/],
    ['a symbol', Symbol('x'), /symbol/],
    ['undefined at the top', undefined, /undefined/],
    ['undefined in an array', [1, undefined], /undefined at \$\[1\]/],
    ['an array hole', Object.assign(new Array(3), { 0: 1, 2: 3 }), /hole at \$\[1\]/],
    ['a Date', { at: new Date(0) }, /Date object at \$\.at/],
    ['a Map', new Map(), /Map object/],
    ['a class instance', { x: new (class Point {})() }, /Point object/],
    ['a Buffer', Buffer.from('x'), /Buffer object/],
    ['a circular reference', circular, /circular reference at \$\.self/],
  ])('refuses %s', (_label, value, where) => {
    expect(() => canonicalJson(value)).toThrow(
      expect.objectContaining({
        code: 'IDEMPOTENCY.UNSUPPORTED_BODY',
        message: expect.stringMatching(where),
      }),
    );
  });
});

describe('requestFingerprint', () => {
  const body = { amount: { amountMinor: 1234, currency: 'CNY' }, subject: '拿铁' };

  it('is the SHA-256 hex of the canonical [method, path, body]', () => {
    const fingerprint = requestFingerprint('POST', '/v1/payments', body);
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprint).toBe(
      sha256(
        '["POST","/v1/payments",{"amount":{"amountMinor":1234,"currency":"CNY"},"subject":"拿铁"}]',
      ),
    );
  });

  it('ignores key order and method case', () => {
    expect(
      requestFingerprint('post', '/v1/payments', {
        subject: '拿铁',
        amount: { currency: 'CNY', amountMinor: 1234 },
      }),
    ).toBe(requestFingerprint('POST', '/v1/payments', body));
  });

  it('treats no body like a null body', () => {
    expect(requestFingerprint('POST', '/v1/payments/pay_1/close', undefined)).toBe(
      requestFingerprint('POST', '/v1/payments/pay_1/close', null),
    );
  });

  it.each<[string, [string, string, unknown]]>([
    ['method', ['PUT', '/v1/payments', body]],
    ['path', ['POST', '/v1/refunds', body]],
    [
      'amount',
      ['POST', '/v1/payments', { ...body, amount: { amountMinor: 1235, currency: 'CNY' } }],
    ],
    ['an added field', ['POST', '/v1/payments', { ...body, description: 'd' }]],
    [
      'a number sent as a string',
      ['POST', '/v1/payments', { ...body, amount: { amountMinor: '1234', currency: 'CNY' } }],
    ],
    ['an empty body', ['POST', '/v1/payments', {}]],
  ])('changes with the %s', (_label, args) => {
    expect(requestFingerprint(...args)).not.toBe(requestFingerprint('POST', '/v1/payments', body));
  });

  it('cannot be imitated by moving text between path and body', () => {
    expect(requestFingerprint('POST', '/a","b', null)).not.toBe(
      requestFingerprint('POST', '/a', 'b'),
    );
  });

  it('refuses an empty method or path, or a non-JSON body', () => {
    expect(() => requestFingerprint('', '/v1/payments', body)).toThrow(
      code('IDEMPOTENCY.UNSUPPORTED_BODY'),
    );
    expect(() => requestFingerprint('POST', '', body)).toThrow(
      code('IDEMPOTENCY.UNSUPPORTED_BODY'),
    );
    expect(() => requestFingerprint('POST', '/v1/payments', { at: new Date() })).toThrow(
      code('IDEMPOTENCY.UNSUPPORTED_BODY'),
    );
  });
});

describe('decideIdempotency', () => {
  const FP = requestFingerprint('POST', '/v1/payments', { a: 1 });
  const OTHER = requestFingerprint('POST', '/v1/payments', { a: 2 });
  const response = { status: 201, body: { id: 'pay_1' } };
  const T = new Date('2025-03-01T02:00:00Z');
  const later = (ms: number) => new Date(T.getTime() + ms);

  it('proceeds when the key is new', () => {
    expect(decideIdempotency(undefined, FP)).toEqual({ action: 'proceed' });
  });

  it('replays the stored response for the same completed request', () => {
    const record: IdempotencyRecord<typeof response> = {
      fingerprint: FP,
      state: 'COMPLETED',
      response,
    };
    const decision = decideIdempotency(record, FP);
    expect(decision).toEqual({ action: 'replay', response });
    expect(decision.action === 'replay' && decision.response).toBe(response);
  });

  it('replays a stored error response too', () => {
    const failure = { status: 400, body: { error: { code: 'PAYMENT.INVALID_AMOUNT' } } };
    expect(
      decideIdempotency({ fingerprint: FP, state: 'COMPLETED', response: failure }, FP),
    ).toEqual({
      action: 'replay',
      response: failure,
    });
  });

  it('reports a conflict while the same request is still in progress', () => {
    expect(decideIdempotency({ fingerprint: FP, state: 'IN_PROGRESS' }, FP)).toEqual({
      action: 'conflict',
      code: 'IDEMPOTENCY.REQUEST_IN_PROGRESS',
    });
  });

  it.each(['COMPLETED', 'IN_PROGRESS'] as const)(
    'rejects a different request under a %s key',
    (state) => {
      expect(decideIdempotency({ fingerprint: FP, state, response }, OTHER)).toEqual({
        action: 'reject',
        code: 'IDEMPOTENCY.KEY_REUSED_WITH_DIFFERENT_REQUEST',
      });
    },
  );

  it('keeps the claim while its lease runs, and lets a retry take over once it has lapsed', () => {
    const record: IdempotencyRecord = {
      fingerprint: FP,
      state: 'IN_PROGRESS',
      lockedUntil: later(30_000),
    };
    expect(decideIdempotency(record, FP, T).action).toBe('conflict');
    expect(decideIdempotency(record, FP, later(29_999)).action).toBe('conflict');
    expect(decideIdempotency(record, FP, later(30_000))).toEqual({ action: 'proceed' });
    expect(decideIdempotency(record, FP).action).toBe('conflict');
    expect(decideIdempotency(record, OTHER, later(60_000)).action).toBe('reject');
  });

  it('never takes over a completed record, however old', () => {
    const record = { fingerprint: FP, state: 'COMPLETED' as const, response, lockedUntil: T };
    expect(decideIdempotency(record, FP, later(10 ** 9)).action).toBe('replay');
  });

  it('refuses a completed record without a response', () => {
    expect(() => decideIdempotency({ fingerprint: FP, state: 'COMPLETED' }, FP)).toThrow(
      code('IDEMPOTENCY.INCONSISTENT_RECORD'),
    );
  });

  it('refuses an unknown record state', () => {
    expect(() =>
      decideIdempotency({ fingerprint: FP, state: 'DONE' as 'COMPLETED', response }, FP),
    ).toThrow(code('IDEMPOTENCY.INCONSISTENT_RECORD'));
  });
});

describe('holdsLease (the owner-token fence)', () => {
  const inProgress = {
    fingerprint: 'f',
    state: 'IN_PROGRESS' as const,
    lockedUntil: new Date('2026-01-01T00:01:00Z'),
    ownerToken: 'token-of-b',
  };

  it('lets the current holder complete or release the key', () => {
    expect(holdsLease(inProgress, 'token-of-b')).toBe(true);
  });

  it('fences out a request whose lease was taken over', () => {
    expect(holdsLease(inProgress, 'token-of-a')).toBe(false);
  });

  it('fences everyone out of a completed key, a missing key and a key without a token', () => {
    expect(holdsLease({ ...inProgress, state: 'COMPLETED', ownerToken: null }, 'token-of-b')).toBe(
      false,
    );
    expect(holdsLease({ ...inProgress, state: 'COMPLETED' }, 'token-of-b')).toBe(false);
    expect(holdsLease(undefined, 'token-of-b')).toBe(false);
    expect(holdsLease({ ...inProgress, ownerToken: null }, '')).toBe(false);
    expect(holdsLease({ ...inProgress, ownerToken: '' }, '')).toBe(false);
  });
});
