import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import { IdError } from './errors';
import { IdPrefix, isIdPrefix } from './prefixes';
import {
  bytesToBigInt,
  encodeRandom,
  encodeTime,
  MAX_ULID_RANDOM,
  ULID_RANDOM_BYTES,
} from './ulid';

export interface IdGeneratorOptions {
  /** Millisecond clock; defaults to Date.now. */
  now?: () => number;
  /** Source of random bytes; defaults to node:crypto randomBytes. Must return `size` bytes. */
  randomBytes?: (size: number) => Uint8Array;
}

/**
 * Monotonic ULID factory. Holds state so that ids created within the same millisecond still sort
 * in creation order: instead of drawing fresh randomness (which would order them arbitrarily) it
 * increments the previous 80-bit random part. Clock and randomness are injectable so tests can
 * pin both and assert exact output.
 *
 * Uniqueness across processes rests on the 80 random bits, not on this state; the state only
 * buys ordering within one process.
 */
export class IdGenerator {
  private readonly clock: () => number;
  private readonly random: (size: number) => Uint8Array;
  private lastTime = -1;
  private lastRandom = 0n;

  constructor(options: IdGeneratorOptions = {}) {
    this.clock = options.now ?? Date.now;
    this.random = options.randomBytes ?? cryptoRandomBytes;
  }

  /** `<prefix>_<ULID>`, e.g. `pay_01J9Z8Q4V6X2K7M3N5P8R0S1T2`. */
  next(prefix: IdPrefix, now?: number): string {
    if (!isIdPrefix(prefix)) {
      throw new IdError('ID.INVALID_PREFIX', `Unknown id prefix: ${String(prefix)}`);
    }
    return `${prefix}_${this.ulid(now)}`;
  }

  /**
   * A bare 26-char ULID. The embedded timestamp is always the real one (clock or explicit `now`),
   * never a clamped or borrowed one, because `timestampOfId` is used to reason about when
   * something happened. Ordering guarantees follow from that:
   * - same millisecond as the previous id: the random part is incremented, so ids sort in
   *   creation order;
   * - later millisecond: fresh randomness, and the timestamp alone orders the id;
   * - earlier millisecond passed explicitly (a backfill): fresh randomness and the shared state
   *   is left alone, so live ids generated around the backfill keep their order;
   * - earlier millisecond from the clock (it stepped back): the state restarts at the new time.
   *   Clamping to the previous time instead would let one far-future value (a bad clock read, a
   *   mistyped `now`) freeze every later id at that instant.
   */
  ulid(now?: number): string {
    const explicit = now !== undefined;
    const time = explicit ? now : this.clock();
    const encodedTime = encodeTime(time); // validates before any state changes

    if (time === this.lastTime) {
      if (this.lastRandom >= MAX_ULID_RANDOM) {
        // Only reachable if a millisecond's first draw lands within a few values of 2^80
        // (astronomically unlikely) or the random source is broken. Wrapping around would
        // silently break ordering, so refuse instead.
        throw new IdError('ID.OVERFLOW', 'Random component exhausted within one millisecond');
      }
      this.lastRandom += 1n;
      return encodedTime + encodeRandom(this.lastRandom);
    }

    const random = this.drawRandom();
    if (!(explicit && time < this.lastTime)) {
      this.lastTime = time;
      this.lastRandom = random;
    }
    return encodedTime + encodeRandom(random);
  }

  private drawRandom(): bigint {
    const bytes = this.random(ULID_RANDOM_BYTES);
    if (bytes.length !== ULID_RANDOM_BYTES) {
      throw new IdError(
        'ID.INVALID_RANDOM_SOURCE',
        `Random source returned ${bytes.length} bytes, expected ${ULID_RANDOM_BYTES}`,
      );
    }
    return bytesToBigInt(bytes);
  }
}
