import {
  decodeSettlementCursor,
  encodeSettlementCursor,
  MAX_CURSOR_LENGTH,
} from './settlement-cursor';

const MERCHANT = 'mch_01M85DMB00EHTE541GQYE3T4TJ';
const OTHER = 'mch_01M85DMB00EHTE541GQYE3T4V0';
const KEY = { settlementDate: '2026-12-02', batchId: 'stb_01M85DMB00EHTE541GQYE3T4TM' };

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
};

describe('settlement list cursor', () => {
  it('round-trips the sort key for the merchant it was issued to', () => {
    const cursor = encodeSettlementCursor(MERCHANT, KEY);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(cursor.length).toBeLessThanOrEqual(MAX_CURSOR_LENGTH);
    expect(decodeSettlementCursor(MERCHANT, cursor)).toEqual(KEY);
  });

  it("refuses another merchant's cursor", () => {
    const cursor = encodeSettlementCursor(OTHER, KEY);
    expect(() => decodeSettlementCursor(MERCHANT, cursor)).toThrow(/another merchant/);
    expect(codeOf(() => decodeSettlementCursor(MERCHANT, cursor))).toBe(
      'SETTLEMENT.INVALID_CURSOR',
    );
  });

  it('refuses a cursor whose key was edited (checksum)', () => {
    const document = JSON.parse(
      Buffer.from(encodeSettlementCursor(MERCHANT, KEY), 'base64url').toString('utf8'),
    ) as Record<string, unknown>;
    document.d = '2026-12-03';
    const edited = Buffer.from(JSON.stringify(document)).toString('base64url');
    expect(() => decodeSettlementCursor(MERCHANT, edited)).toThrow(/altered/);
  });

  it.each([
    ['empty', ''],
    ['not base64url', 'abc+/='],
    ['NUL byte', 'abc\u0000def'],
    ['base64 of garbage', Buffer.from('not json').toString('base64url')],
    ['a JSON array', Buffer.from('[1,2]').toString('base64url')],
    ['JSON null', Buffer.from('null').toString('base64url')],
    ['too long', 'A'.repeat(MAX_CURSOR_LENGTH + 1)],
    [
      'an extra field',
      Buffer.from(
        JSON.stringify({ v: 1, d: '2026-12-02', i: KEY.batchId, m: 'x', c: 'y', z: 1 }),
      ).toString('base64url'),
    ],
    [
      'an impossible date',
      Buffer.from(
        JSON.stringify({ v: 1, d: '2026-02-30', i: KEY.batchId, m: 'x', c: 'y' }),
      ).toString('base64url'),
    ],
    [
      'a non-batch id',
      Buffer.from(
        JSON.stringify({ v: 1, d: '2026-12-02', i: "x' OR 1=1 --", m: 'x', c: 'y' }),
      ).toString('base64url'),
    ],
    [
      'another version',
      Buffer.from(
        JSON.stringify({ v: 2, d: '2026-12-02', i: KEY.batchId, m: 'x', c: 'y' }),
      ).toString('base64url'),
    ],
  ])('refuses %s with SETTLEMENT.INVALID_CURSOR on param cursor', (_name, text) => {
    let thrown: unknown;
    try {
      decodeSettlementCursor(MERCHANT, text);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'SETTLEMENT.INVALID_CURSOR', param: 'cursor' });
  });
});
