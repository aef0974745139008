import { checkRequestDeadline, REQUEST_DEADLINE_HEADER } from './request-deadline';

const NOW = new Date('2026-01-02T03:04:05.000Z');

describe('checkRequestDeadline', () => {
  it('lets a request before its deadline through', () => {
    const headers = { [REQUEST_DEADLINE_HEADER]: '2026-01-02T03:04:05.001Z' };
    expect(checkRequestDeadline(headers, NOW)).toEqual({ expired: false });
  });

  it('lets a request exactly at its deadline through', () => {
    const headers = { [REQUEST_DEADLINE_HEADER]: NOW.toISOString() };
    expect(checkRequestDeadline(headers, NOW)).toEqual({ expired: false });
  });

  it('drops a request past its deadline and says by how much', () => {
    const headers = { [REQUEST_DEADLINE_HEADER]: '2026-01-02T03:04:04.250Z' };
    expect(checkRequestDeadline(headers, NOW)).toEqual({
      expired: true,
      deadline: '2026-01-02T03:04:04.250Z',
      lateByMs: 750,
    });
  });

  it('reads a Buffer header as kafkajs delivers it', () => {
    const headers = { [REQUEST_DEADLINE_HEADER]: Buffer.from('2026-01-02T03:04:00.000Z') };
    expect(checkRequestDeadline(headers, NOW)).toMatchObject({ expired: true, lateByMs: 5_000 });
  });

  it.each([
    ['no headers', undefined],
    ['no deadline header', { other: 'x' }],
    ['an unreadable deadline', { [REQUEST_DEADLINE_HEADER]: 'soon' }],
    ['an empty deadline', { [REQUEST_DEADLINE_HEADER]: '' }],
  ])('answers a request with %s (older clients)', (_label, headers) => {
    expect(checkRequestDeadline(headers, NOW)).toEqual({ expired: false });
  });
});
