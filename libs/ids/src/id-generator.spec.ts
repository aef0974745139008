import { IdGenerator } from './id-generator';
import { IdPrefix } from './prefixes';
import { encodeTime } from './ulid';

function fixedBytes(value: number): (size: number) => Uint8Array {
  return (size) => new Uint8Array(size).fill(value);
}

describe('IdGenerator', () => {
  it('produces deterministic output with an injected clock and random source', () => {
    const generator = new IdGenerator({ now: () => 1469918176385, randomBytes: fixedBytes(0) });
    expect(generator.ulid()).toBe('01ARYZ6S41' + '0'.repeat(16));
    expect(generator.next('pay')).toBe('pay_01ARYZ6S41' + '0'.repeat(15) + '1');
  });

  it('increments the random part within one millisecond', () => {
    const generator = new IdGenerator({ now: () => 1000, randomBytes: fixedBytes(0) });
    const ids = [generator.ulid(), generator.ulid(), generator.ulid()];
    expect(ids.map((id) => id.slice(10))).toEqual([
      '0000000000000000',
      '0000000000000001',
      '0000000000000002',
    ]);
  });

  it('draws fresh randomness when the millisecond changes', () => {
    let time = 1000;
    let fill = 0x10;
    const generator = new IdGenerator({
      now: () => time,
      randomBytes: (size) => new Uint8Array(size).fill(fill++),
    });
    const first = generator.ulid();
    time += 1;
    const second = generator.ulid();
    expect(second.slice(10)).not.toBe(first.slice(10));
    expect(second > first).toBe(true);
  });

  it('keeps the real timestamp when the clock steps back, and stays monotonic there', () => {
    let time = 5000;
    const generator = new IdGenerator({ now: () => time, randomBytes: fixedBytes(0) });
    generator.ulid();
    time = 4000;
    const first = generator.ulid();
    const second = generator.ulid();
    expect(first.slice(0, 10)).toBe(encodeTime(4000)); // not the earlier 5000
    expect(second > first).toBe(true);
  });

  it('is not frozen by an explicit far-future timestamp', () => {
    const generator = new IdGenerator({ now: () => 1000 });
    generator.ulid(2 ** 48 - 1);
    expect(generator.ulid().slice(0, 10)).toBe(encodeTime(1000));
  });

  it('honours an explicit older timestamp without rewinding the clock state', () => {
    const generator = new IdGenerator({ now: () => 5000, randomBytes: fixedBytes(0) });
    const current = generator.ulid();
    const backfilled = generator.ulid(1000);
    const next = generator.ulid();
    expect(backfilled < current).toBe(true);
    expect(next > current).toBe(true);
  });

  it('refuses to wrap around when the random part is exhausted', () => {
    const generator = new IdGenerator({ now: () => 1000, randomBytes: fixedBytes(0xff) });
    expect(generator.ulid().slice(10)).toBe('Z'.repeat(16));
    expect(() => generator.ulid()).toThrow(expect.objectContaining({ code: 'ID.OVERFLOW' }));
  });

  it('rejects a random source that returns the wrong number of bytes', () => {
    const generator = new IdGenerator({ randomBytes: () => new Uint8Array(4) });
    expect(() => generator.ulid()).toThrow(
      expect.objectContaining({ code: 'ID.INVALID_RANDOM_SOURCE' }),
    );
  });

  it('rejects unknown prefixes and invalid clocks', () => {
    const generator = new IdGenerator();
    expect(() => generator.next('usr' as IdPrefix)).toThrow(
      expect.objectContaining({ code: 'ID.INVALID_PREFIX' }),
    );
    expect(() => new IdGenerator({ now: () => 1.5 }).ulid()).toThrow(
      expect.objectContaining({ code: 'ID.INVALID_TIMESTAMP' }),
    );
  });

  it('uses node:crypto randomness by default', () => {
    const generator = new IdGenerator({ now: () => 1000 });
    const other = new IdGenerator({ now: () => 1000 });
    expect(generator.ulid()).not.toBe(other.ulid());
  });
});
