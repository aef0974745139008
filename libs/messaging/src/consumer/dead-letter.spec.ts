import { DeadLetterHeaders } from '@paylab/contracts';
import { buildDeadLetter, type FailedMessage } from './dead-letter';

const NOW = new Date('2025-03-04T05:06:07.089Z');

function failed(overrides: Partial<FailedMessage> = {}): FailedMessage {
  return {
    topic: 'paylab.acquiring.channel-payments',
    partition: 2,
    offset: '12345',
    key: 'pay_01JABCDEFGHJKMNPQRSTVWXYZ0',
    value: '{"paymentId":"pay_01JABCDEFGHJKMNPQRSTVWXYZ0"}',
    headers: {
      'paylab-message-id': 'evt_01JABCDEFGHJKMNPQRSTVWXYZ0',
      'paylab-event-type': 'channel_payment.succeeded',
      'paylab-schema-version': '1',
    },
    ...overrides,
  };
}

describe('buildDeadLetter', () => {
  it('targets <topic>.dlt', () => {
    const record = buildDeadLetter(failed(), 'bad', 'settlement', 3, NOW);
    expect(record.topic).toBe('paylab.acquiring.channel-payments.dlt');
  });

  it('keeps the original key and value untouched', () => {
    const message = failed();
    const record = buildDeadLetter(message, 'bad', 'settlement', 3, NOW);
    expect(record.message.key).toBe(message.key);
    expect(record.message.value).toBe(message.value);
  });

  it('keeps Buffer keys and values as the same bytes', () => {
    const key = Buffer.from('pay_key');
    const value = Buffer.from([0xff, 0x00, 0x7b]);
    const record = buildDeadLetter(failed({ key, value }), 'bad', 'g', 1, NOW);
    expect(record.message.key).toBe(key);
    expect(record.message.value).toBe(value);
    expect(Buffer.compare(record.message.value as Buffer, Buffer.from([0xff, 0x00, 0x7b]))).toBe(0);
  });

  it('keeps null keys and values (tombstones)', () => {
    const record = buildDeadLetter(failed({ key: null, value: null }), 'bad', 'g', 1, NOW);
    expect(record.message.key).toBeNull();
    expect(record.message.value).toBeNull();
  });

  it('keeps the original headers and adds every dead-letter header', () => {
    const record = buildDeadLetter(failed(), 'payload does not match', 'settlement', 3, NOW);
    expect(record.message.headers).toEqual({
      'paylab-message-id': 'evt_01JABCDEFGHJKMNPQRSTVWXYZ0',
      'paylab-event-type': 'channel_payment.succeeded',
      'paylab-schema-version': '1',
      [DeadLetterHeaders.reason]: 'payload does not match',
      [DeadLetterHeaders.originalTopic]: 'paylab.acquiring.channel-payments',
      [DeadLetterHeaders.originalPartition]: '2',
      [DeadLetterHeaders.originalOffset]: '12345',
      [DeadLetterHeaders.consumerGroup]: 'settlement',
      [DeadLetterHeaders.attempts]: '3',
      [DeadLetterHeaders.failedAt]: '2025-03-04T05:06:07.089Z',
    });
  });

  it('sets every field of DeadLetterHeaders to a string', () => {
    const record = buildDeadLetter(failed(), 'r', 'g', 1, NOW);
    for (const name of Object.values(DeadLetterHeaders)) {
      expect(typeof record.message.headers[name]).toBe('string');
    }
  });

  it('writes partition 0 and attempts 0 as strings, not as missing values', () => {
    const record = buildDeadLetter(failed({ partition: 0 }), 'r', 'g', 0, NOW);
    expect(record.message.headers[DeadLetterHeaders.originalPartition]).toBe('0');
    expect(record.message.headers[DeadLetterHeaders.attempts]).toBe('0');
  });

  it('uses the current time when no clock is given', () => {
    const before = Date.now();
    const record = buildDeadLetter(failed(), 'r', 'g', 1);
    const after = Date.now();
    const failedAt = Date.parse(record.message.headers[DeadLetterHeaders.failedAt]);
    expect(failedAt).toBeGreaterThanOrEqual(before);
    expect(failedAt).toBeLessThanOrEqual(after);
  });

  it('truncates a huge reason to 4000 characters', () => {
    const reason = 'x'.repeat(3_999) + 'y' + 'z'.repeat(10_000);
    const record = buildDeadLetter(failed(), reason, 'g', 1, NOW);
    const stored = record.message.headers[DeadLetterHeaders.reason];
    expect(stored).toHaveLength(4_000);
    expect(stored.endsWith('y')).toBe(true);
    expect(reason.startsWith(stored)).toBe(true);
  });

  it('keeps a reason of exactly 4000 characters whole', () => {
    const reason = 'r'.repeat(4_000);
    const record = buildDeadLetter(failed(), reason, 'g', 1, NOW);
    expect(record.message.headers[DeadLetterHeaders.reason]).toBe(reason);
  });

  it('drops headers whose value is undefined and keeps empty strings', () => {
    const record = buildDeadLetter(
      failed({ headers: { present: 'yes', absent: undefined, empty: '' } }),
      'r',
      'g',
      1,
      NOW,
    );
    expect(record.message.headers.present).toBe('yes');
    expect(record.message.headers.empty).toBe('');
    expect(record.message.headers).not.toHaveProperty('absent');
    expect(Object.values(record.message.headers)).not.toContain(undefined);
  });

  it('replaces stale dead-letter headers from an earlier failure with the new ones', () => {
    const record = buildDeadLetter(
      failed({
        headers: {
          [DeadLetterHeaders.reason]: 'old reason',
          [DeadLetterHeaders.attempts]: '1',
          [DeadLetterHeaders.originalOffset]: '1',
        },
      }),
      'new reason',
      'g',
      5,
      NOW,
    );
    expect(record.message.headers[DeadLetterHeaders.reason]).toBe('new reason');
    expect(record.message.headers[DeadLetterHeaders.attempts]).toBe('5');
    expect(record.message.headers[DeadLetterHeaders.originalOffset]).toBe('12345');
  });

  it('does not mutate the failed message headers', () => {
    const message = failed();
    const before = { ...message.headers };
    buildDeadLetter(message, 'r', 'g', 1, NOW);
    expect(message.headers).toEqual(before);
  });
});
