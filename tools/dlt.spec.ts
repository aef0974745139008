import { formatTable, parseDltArgs, UsageError } from './dlt';

describe('parseDltArgs', () => {
  it('lists every consuming service by default', () => {
    expect(parseDltArgs(['list'])).toEqual({
      action: 'list',
      services: ['cashier', 'routing', 'acquiring', 'settlement', 'reconciliation'],
      topic: undefined,
      limit: undefined,
    });
  });

  it('lists one service and topic with a limit', () => {
    expect(
      parseDltArgs(['list', '--service', 'settlement', '--topic', 'paylab.x', '--limit', '5']),
    ).toEqual({ action: 'list', services: ['settlement'], topic: 'paylab.x', limit: 5 });
  });

  it('replays one record', () => {
    expect(
      parseDltArgs([
        'replay',
        '--service',
        'settlement',
        '--topic',
        't',
        '--partition',
        '0',
        '--offset',
        '12',
      ]),
    ).toEqual({ action: 'replay', service: 'settlement', topic: 't', partition: 0, offset: '12' });
  });

  it('replays a whole topic with --all', () => {
    expect(parseDltArgs(['replay', '--service', 'cashier', '--topic', 't', '--all'])).toEqual({
      action: 'replay-all',
      service: 'cashier',
      topic: 't',
    });
  });

  it.each([
    [[], 'no command'],
    [['purge'], 'unknown command purge'],
    [['list', '--service', 'channel-sandbox'], 'unknown service channel-sandbox'],
    [['list', '--limit', '0'], '--limit must be a positive integer'],
    [['list', '--colour', 'red'], 'unknown option --colour'],
    [['list', '--topic'], '--topic needs a value'],
    [['list', 'settlement'], 'unexpected argument settlement'],
    [['replay', '--topic', 't', '--all'], 'replay needs --service'],
    [['replay', '--service', 'cashier', '--all'], 'replay needs --topic'],
    [
      ['replay', '--service', 'cashier', '--topic', 't', '--offset', '1'],
      'replay needs --partition',
    ],
    [
      ['replay', '--service', 'cashier', '--topic', 't', '--partition', '-1', '--offset', '1'],
      'replay needs --partition',
    ],
    [
      ['replay', '--service', 'cashier', '--topic', 't', '--partition', '0', '--offset', 'x'],
      'replay needs --offset',
    ],
    [
      ['replay', '--service', 'cashier', '--topic', 't', '--all', '--offset', '1'],
      '--all replays the whole topic',
    ],
  ])('refuses %p', (argv, message) => {
    expect(() => parseDltArgs(argv)).toThrow(UsageError);
    expect(() => parseDltArgs(argv)).toThrow(message);
  });
});

describe('formatTable', () => {
  it('aligns columns and cuts long cells', () => {
    expect(
      formatTable(
        ['A', 'BB'],
        [
          ['xxx', 'y'],
          ['z', 'long value here'],
        ],
        8,
      ),
    ).toBe(['A    BB', 'xxx  y', 'z    long va…'].join('\n'));
  });
});
