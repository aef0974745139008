import { acceptCorrelationId, Correlation } from './correlation';

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 1));

describe('Correlation', () => {
  it('has no scope outside run', () => {
    expect(Correlation.current()).toBeUndefined();
  });

  it('exposes the scope inside run and returns the work result', () => {
    const scope = { correlationId: 'c-1', causationId: 'evt-1', requestId: 'req-1' };
    const result = Correlation.run(scope, () => {
      expect(Correlation.current()).toEqual(scope);
      return 42;
    });
    expect(result).toBe(42);
    expect(Correlation.current()).toBeUndefined();
  });

  it('keeps the scope across awaits and timers', async () => {
    await Correlation.run({ correlationId: 'c-async' }, async () => {
      await tick();
      expect(Correlation.current()?.correlationId).toBe('c-async');
      await Promise.resolve();
      expect(Correlation.current()?.correlationId).toBe('c-async');
      await new Promise<void>((resolve) =>
        setImmediate(() => {
          expect(Correlation.current()?.correlationId).toBe('c-async');
          resolve();
        }),
      );
    });
    expect(Correlation.current()).toBeUndefined();
  });

  it('returns the promise of async work', async () => {
    const result = Correlation.run({ correlationId: 'c' }, async () => {
      await tick();
      return Correlation.current()?.correlationId;
    });
    expect(result).toBeInstanceOf(Promise);
    await expect(result).resolves.toBe('c');
  });

  it('keeps concurrent scopes apart', async () => {
    const seen: string[] = [];
    const work = (id: string, delay: number) =>
      Correlation.run({ correlationId: id }, async () => {
        await new Promise((resolve) => setTimeout(resolve, delay));
        seen.push(`${id}=${Correlation.current()?.correlationId}`);
      });
    await Promise.all([work('a', 10), work('b', 1), work('c', 5)]);
    expect(seen.sort()).toEqual(['a=a', 'b=b', 'c=c']);
  });

  it('lets an inner run shadow the outer scope and restores it afterwards', async () => {
    await Correlation.run({ correlationId: 'outer', requestId: 'req-outer' }, async () => {
      await Correlation.run({ correlationId: 'outer', causationId: 'evt-inner' }, async () => {
        await tick();
        expect(Correlation.current()).toEqual({ correlationId: 'outer', causationId: 'evt-inner' });
      });
      await tick();
      expect(Correlation.current()).toEqual({ correlationId: 'outer', requestId: 'req-outer' });
    });
  });

  it('leaves the scope when the work throws', () => {
    expect(() =>
      Correlation.run({ correlationId: 'c' }, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(Correlation.current()).toBeUndefined();
  });

  it('does not leak into work scheduled outside run', async () => {
    let inside: string | undefined = 'unset';
    const pending = new Promise<void>((resolve) =>
      setTimeout(() => {
        inside = Correlation.current()?.correlationId;
        resolve();
      }, 5),
    );
    Correlation.run({ correlationId: 'c' }, () => undefined);
    await pending;
    expect(inside).toBeUndefined();
  });
});

describe('acceptCorrelationId', () => {
  it.each([
    'abc',
    'c',
    'req_01JABCDEFGHJKMNPQRSTVWXYZ0',
    '3f2b8c1e-9d4a-4c6b-8e7f-0a1b2c3d4e5f',
    'order.2025:01-A_b',
    'x'.repeat(128),
  ])('accepts the safe id %j', (id) => {
    expect(acceptCorrelationId(id)).toBe(id);
  });

  it.each([
    ['empty', ''],
    ['too long', 'x'.repeat(129)],
    ['far too long', 'x'.repeat(10_000)],
    ['with a space', 'abc def'],
    ['with a leading space', ' abc'],
    ['with a trailing newline', 'abc\n'],
    ['with an embedded newline', 'abc\ninjected log line'],
    ['with CRLF', 'abc\r\nx-evil: 1'],
    ['with a tab', 'abc\t'],
    ['with a NUL', 'abc\u0000'],
    ['with a slash', 'a/b'],
    ['with quotes', '"abc"'],
    ['with braces', '{"a":1}'],
    ['with html', '<script>'],
    ['non-ASCII', 'abcé'],
    ['with a zero-width space', 'abc\u200b'],
  ])('rejects an id %s', (_label, id) => {
    expect(acceptCorrelationId(id)).toBeUndefined();
  });

  it.each<[string, unknown]>([
    ['undefined', undefined],
    ['null', null],
    ['a number', 12345],
    ['an array of strings', ['abc']],
    ['an object', { toString: () => 'abc' }],
    ['a boolean', true],
  ])('rejects %s', (_label, candidate) => {
    expect(acceptCorrelationId(candidate)).toBeUndefined();
  });
});
