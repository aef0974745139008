import { parseOptions } from './check-invariants';

describe('check:invariants options', () => {
  const env = { DATABASE_URL: 'postgres://x@127.0.0.1/db' };

  it('defaults to the last 24 h, a 30 min grace period and DATABASE_URL', () => {
    const before = Date.now();
    const options = parseOptions([], env);
    expect(options.to.getTime()).toBeGreaterThanOrEqual(before);
    expect(options.to.getTime() - options.from.getTime()).toBe(24 * 60 * 60 * 1000);
    expect(options.graceMs).toBe(30 * 60_000);
    expect(options.databaseUrl).toBe(env.DATABASE_URL);
  });

  it('reads --from, --to and --grace-minutes', () => {
    const options = parseOptions(
      [
        '--from',
        '2026-12-01T00:00:00Z',
        '--to',
        '2026-12-02T00:00:00+08:00',
        '--grace-minutes',
        '0',
      ],
      env,
    );
    expect(options.from.toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(options.to.toISOString()).toBe('2026-12-01T16:00:00.000Z');
    expect(options.graceMs).toBe(0);
  });

  it('falls back to the local-mode database URL', () => {
    expect(parseOptions([], {}).databaseUrl).toBe('postgres://paylab:paylab@127.0.0.1:5432/paylab');
  });

  it.each([
    [['--from', 'yesterday'], '--from is not an ISO instant: yesterday'],
    [['--from'], '--from needs a value'],
    [
      ['--from', '2026-12-02T00:00:00Z', '--to', '2026-12-01T00:00:00Z'],
      '--from must be before --to',
    ],
    [['--grace-minutes', '-1'], '--grace-minutes must be a non-negative integer, got -1'],
    [['--window', '1d'], 'unknown option --window'],
    [['stray'], 'unexpected argument stray'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseOptions(argv, env)).toThrow(message);
  });
});
