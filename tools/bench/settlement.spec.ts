import { parseOptions } from './settlement';

describe('bench:settlement options', () => {
  it('defaults to a million items over ten thousand merchants on the test Postgres', () => {
    expect(parseOptions([], {})).toEqual({
      items: 1_000_000,
      merchants: 10_000,
      adminUrl: 'postgres://paylab:paylab@127.0.0.1:5432/paylab',
      keep: false,
    });
  });

  it('prefers DATABASE_URL, then PAYLAB_TEST_DATABASE_URL', () => {
    const test = 'postgres://t:t@db:5432/t';
    const admin = 'postgres://a:a@db:5432/a';
    expect(parseOptions([], { PAYLAB_TEST_DATABASE_URL: test }).adminUrl).toBe(test);
    expect(parseOptions([], { PAYLAB_TEST_DATABASE_URL: test, DATABASE_URL: admin }).adminUrl).toBe(
      admin,
    );
  });

  it('takes sizes and --keep in any order', () => {
    expect(parseOptions(['--keep', '--items', '5000', '--merchants', '50'], {})).toMatchObject({
      items: 5000,
      merchants: 50,
      keep: true,
    });
  });

  it.each([
    [['--items'], /--items needs a whole number/],
    [['--items', '0'], /--items needs a whole number/],
    [['--items', '1.5'], /--items needs a whole number/],
    [['--items', '1e9'], /--items needs a whole number/],
    [['--merchants', 'ten'], /--merchants needs a whole number/],
    [['--items', '10', '--merchants', '11'], /cannot exceed/],
    [['--rows', '10'], /unknown option --rows/],
    [['10'], /unknown option 10/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseOptions(argv, {})).toThrow(message);
  });
});
