import { listSettlementsQuery, noQuery, settlementIdParam } from './settlement-query-params';

describe('GET /v1/settlements query parameters', () => {
  it('defaults the page size to 20 and maps names to the request', () => {
    expect(listSettlementsQuery.parse({})).toEqual({
      limit: 20,
      cursor: undefined,
      state: undefined,
      fromDate: undefined,
      toDate: undefined,
    });
    expect(
      listSettlementsQuery.parse({
        limit: '100',
        cursor: 'eyJ2IjoxfQ',
        state: 'PAID',
        from_date: '2026-12-01',
        to_date: '2026-12-31',
      }),
    ).toEqual({
      limit: 100,
      cursor: 'eyJ2IjoxfQ',
      state: 'PAID',
      fromDate: '2026-12-01',
      toDate: '2026-12-31',
    });
    expect(listSettlementsQuery.parse({ limit: '1' }).limit).toBe(1);
  });

  it.each([
    ['limit 0', { limit: '0' }, 'limit'],
    ['limit 101', { limit: '101' }, 'limit'],
    ['limit huge', { limit: '99999999999999999999' }, 'limit'],
    ['limit negative', { limit: '-1' }, 'limit'],
    ['limit decimal', { limit: '1.5' }, 'limit'],
    ['limit exponent', { limit: '1e2' }, 'limit'],
    ['limit leading zero', { limit: '020' }, 'limit'],
    ['limit empty', { limit: '' }, 'limit'],
    ['limit with NUL', { limit: '2\u0000' }, 'limit'],
    ['limit repeated', { limit: ['1', '2'] }, 'limit'],
    ['limit as object', { limit: { $gt: '1' } }, 'limit'],
    ['state unknown', { state: 'DONE' }, 'state'],
    ['state lower case', { state: 'paid' }, 'state'],
    ['from_date format', { from_date: '2026/12/01' }, 'from_date'],
    ['from_date impossible', { from_date: '2026-02-30' }, 'from_date'],
    ['to_date with time', { to_date: '2026-12-01T00:00:00Z' }, 'to_date'],
    ['from after to', { from_date: '2026-12-02', to_date: '2026-12-01' }, 'from_date'],
    ['cursor too long', { cursor: 'a'.repeat(201) }, 'cursor'],
    ['cursor NUL', { cursor: 'abc\u0000' }, 'cursor'],
    ['cursor empty', { cursor: '' }, 'cursor'],
    ['cursor non-base64url', { cursor: 'abc+/=' }, 'cursor'],
    ['unknown parameter', { page: '2' }, ''],
  ])('refuses %s', (_name, query, path) => {
    const result = listSettlementsQuery.safeParse(query);
    expect(result.success).toBe(false);
    const issue = result.error!.issues[0];
    if (path === '') expect(issue.code).toBe('unrecognized_keys');
    else expect(issue.path.join('.')).toBe(path);
  });

  it('accepts only stb_ ids as settlement ids', () => {
    expect(settlementIdParam.safeParse('stb_01M85DMB00EHTE541GQYE3T4TM').success).toBe(true);
    for (const bad of [
      'pay_01M85DMB00EHTE541GQYE3T4TM',
      'stb_01M85DMB00EHTE541GQYE3T4T',
      'stb_01m85dmb00ehte541gqye3t4tm',
      'stb_01M85DMB00EHTE541GQYE3T4TM\u0000',
      "stb_' OR 1=1 --",
    ]) {
      expect(settlementIdParam.safeParse(bad).success).toBe(false);
    }
  });

  it('refuses any query on parameterless endpoints', () => {
    expect(noQuery.safeParse({}).success).toBe(true);
    expect(noQuery.safeParse({ merchantId: 'mch_x' }).success).toBe(false);
  });
});
