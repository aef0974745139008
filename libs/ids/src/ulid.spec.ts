import {
  bytesToBigInt,
  CROCKFORD_ALPHABET,
  decodeTime,
  encodeRandom,
  encodeTime,
  MAX_ULID_RANDOM,
  MAX_ULID_TIME,
  ULID_PATTERN,
} from './ulid';

describe('ulid encoding', () => {
  it('uses the Crockford alphabet in ASCII order', () => {
    expect(CROCKFORD_ALPHABET).toHaveLength(32);
    expect([...CROCKFORD_ALPHABET].sort().join('')).toBe(CROCKFORD_ALPHABET);
    expect(CROCKFORD_ALPHABET).not.toMatch(/[ILOU]/);
  });

  it('encodes time as 10 chars matching the ULID spec example', () => {
    // Reference value from the ULID specification test suite.
    expect(encodeTime(1469918176385)).toBe('01ARYZ6S41');
    expect(encodeTime(0)).toBe('0000000000');
    expect(encodeTime(MAX_ULID_TIME)).toBe('7ZZZZZZZZZ');
  });

  it('decodes what it encodes', () => {
    for (const time of [0, 1, 31, 32, 1469918176385, Date.UTC(2030, 0, 1), MAX_ULID_TIME]) {
      expect(decodeTime(encodeTime(time) + '0'.repeat(16))).toBe(time);
    }
  });

  it.each([-1, 1.5, Number.NaN, MAX_ULID_TIME + 1])('rejects time %p', (time) => {
    expect(() => encodeTime(time)).toThrow(
      expect.objectContaining({ code: 'ID.INVALID_TIMESTAMP' }),
    );
  });

  it('encodes 80 random bits as 16 chars', () => {
    expect(encodeRandom(0n)).toBe('0'.repeat(16));
    expect(encodeRandom(MAX_ULID_RANDOM)).toBe('Z'.repeat(16));
    expect(encodeRandom(1n)).toBe('0'.repeat(15) + '1');
    expect(bytesToBigInt(new Uint8Array(10).fill(0xff))).toBe(MAX_ULID_RANDOM);
  });

  it('pattern rejects lowercase, excluded letters and 48-bit overflow', () => {
    expect(ULID_PATTERN.test('01ARYZ6S41TSV4RRFFQ69G5FAV')).toBe(true);
    expect(ULID_PATTERN.test('01aryz6s41tsv4rrffq69g5fav')).toBe(false);
    expect(ULID_PATTERN.test('01ARYZ6S41TSV4RRFFQ69G5FAI')).toBe(false);
    expect(ULID_PATTERN.test('81ARYZ6S41TSV4RRFFQ69G5FAV')).toBe(false);
    expect(() => decodeTime('nope')).toThrow(expect.objectContaining({ code: 'ID.INVALID_ID' }));
  });
});
