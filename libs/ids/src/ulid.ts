import { IdError } from './errors';

/**
 * Crockford base32: no I, L, O or U, so ids survive being read aloud or retyped from a
 * screenshot, and the alphabet is in ASCII order, so string order equals numeric order.
 */
export const CROCKFORD_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export const ULID_LENGTH = 26;
const TIME_LENGTH = 10;
const RANDOM_LENGTH = 16;
/** 80 bits of randomness. */
export const ULID_RANDOM_BYTES = 10;
/** 48-bit millisecond timestamp: valid until the year 10889. */
export const MAX_ULID_TIME = 2 ** 48 - 1;
export const MAX_ULID_RANDOM = (1n << 80n) - 1n;

/** Uppercase Crockford characters only, and a first char ≤ '7' so the time fits in 48 bits. */
export const ULID_PATTERN = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

export function encodeTime(time: number): string {
  if (!Number.isSafeInteger(time) || time < 0 || time > MAX_ULID_TIME) {
    throw new IdError(
      'ID.INVALID_TIMESTAMP',
      `Timestamp must be an integer millisecond in [0, 2^48), got ${String(time)}`,
    );
  }
  let remaining = time;
  let out = '';
  for (let i = 0; i < TIME_LENGTH; i++) {
    out = CROCKFORD_ALPHABET[remaining % 32] + out;
    remaining = Math.floor(remaining / 32);
  }
  return out;
}

export function decodeTime(ulid: string): number {
  if (!ULID_PATTERN.test(ulid)) {
    throw new IdError('ID.INVALID_ID', `Not a ULID: ${ulid}`);
  }
  let time = 0;
  for (const char of ulid.slice(0, TIME_LENGTH)) {
    time = time * 32 + CROCKFORD_ALPHABET.indexOf(char);
  }
  return time;
}

export function encodeRandom(random: bigint): string {
  let remaining = random;
  let out = '';
  for (let i = 0; i < RANDOM_LENGTH; i++) {
    out = CROCKFORD_ALPHABET[Number(remaining & 31n)] + out;
    remaining >>= 5n;
  }
  return out;
}

export function bytesToBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) {
    value = (value << 8n) | BigInt(byte);
  }
  return value;
}
