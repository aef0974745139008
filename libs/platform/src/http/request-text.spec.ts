import {
  findProblemInBody,
  findProblemInTarget,
  isValidUtf8,
  refusedTextReason,
} from './request-text';

describe('refusedTextReason', () => {
  it.each(['', 'plain', '乌龙茶 ¥12.34', 'emoji 😀 (a surrogate pair)', '\u0001\t\n'])(
    'accepts %j',
    (text) => expect(refusedTextReason(text)).toBeUndefined(),
  );

  it.each([
    ['a NUL', 'a\u0000b', /NUL/],
    ['a lone high surrogate', 'a\uD83Db', /surrogate/],
    ['a high surrogate at the end', 'ab\uD83D', /surrogate/],
    ['a lone low surrogate', '\uDE00ab', /surrogate/],
    ['reversed pair', '\uDE00\uD83D', /surrogate/],
  ])('refuses %s', (_case, text, reason) => {
    expect(refusedTextReason(text)).toMatch(reason);
  });
});

describe('findProblemInTarget', () => {
  it.each([
    '/v1/payments',
    '/v1/payments?merchantOrderNo=ord_1&limit=10',
    '/checkout/pay_01/status?method=ALIPAY',
    '/v1/payments?subject=%E4%B9%8C%E9%BE%99%E8%8C%B6+tea',
    '/v1/payments?flag&=x&',
  ])('accepts %s', (target) => expect(findProblemInTarget(target)).toBeUndefined());

  it('names the query parameter holding a NUL', () => {
    expect(findProblemInTarget('/v1/payments?limit=2&merchantOrderNo=%00')).toEqual({
      where: 'merchantOrderNo',
      param: 'merchantOrderNo',
      reason: 'contains a NUL byte (U+0000)',
    });
  });

  it.each([
    ['a NUL in a path segment', '/checkout/pay_%00/status', /NUL/],
    ['a truncated escape in the path', '/v1/payments/pay_%E4', /percent-encoded UTF-8/],
    ['an encoded surrogate (CESU) in the path', '/v1/x/%ED%A0%80', /percent-encoded UTF-8/],
    ['a bad escape in the path', '/v1/x/%zz', /percent-encoded UTF-8/],
  ])('refuses %s as a path problem', (_case, target, reason) => {
    const problem = findProblemInTarget(target);
    expect(problem).toMatchObject({ where: 'path', reason: expect.stringMatching(reason) });
    expect(problem?.param).toBeUndefined();
  });

  it.each([
    ['invalid UTF-8 in a value', '/v1/payments?subject=%FF', 'subject'],
    ['a bad escape in a value', '/v1/payments?subject=%', 'subject'],
  ])('refuses %s with the parameter as param', (_case, target, param) => {
    expect(findProblemInTarget(target)).toMatchObject({ param });
  });

  it('refuses a NUL in a parameter name', () => {
    expect(findProblemInTarget('/v1/payments?a%00b=1')).toMatchObject({ where: 'query' });
  });
});

describe('findProblemInBody', () => {
  it.each([undefined, null, {}, [], 12, { a: 'ok', b: [1, 'two', { c: '乌龙' }] }])(
    'accepts %j',
    (body) => expect(findProblemInBody(body)).toBeUndefined(),
  );

  it('names the field with its dotted path', () => {
    expect(findProblemInBody({ amount: { currency: 'CN\u0000Y' } })).toEqual({
      where: 'amount.currency',
      param: 'amount.currency',
      reason: 'contains a NUL byte (U+0000)',
    });
    expect(findProblemInBody({ items: ['ok', { name: '\uD800' }] })).toMatchObject({
      param: 'items.1.name',
    });
  });

  it('checks field names too', () => {
    expect(findProblemInBody({ meta: { 'k\u0000': 1 } })).toMatchObject({ param: 'meta' });
  });

  it('refuses a bare string body', () => {
    expect(findProblemInBody('\u0000')).toMatchObject({ where: 'body' });
  });
});

describe('isValidUtf8', () => {
  it('tells UTF-8 from other bytes', () => {
    expect(isValidUtf8(Buffer.from('{"s":"乌龙茶"}', 'utf8'))).toBe(true);
    expect(isValidUtf8(Buffer.from([0x7b, 0xff, 0x7d]))).toBe(false);
    expect(isValidUtf8(Buffer.from([0xed, 0xa0, 0x80]))).toBe(false); // an encoded surrogate
  });
});
