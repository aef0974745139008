import { newId } from '@paylab/ids';
import { decodeEvent, EVENT_CATALOGUE, findContract, type RawMessage } from './catalogue';
import { ChannelPaymentSucceeded } from './events/channel-payments';
import { PaymentCleared } from './events/clearings';
import { PaymentOrderCreated } from './events/payment-orders';
import { ALL_TOPICS, deadLetterTopicOf, topicDefinition, Topics } from './topics';
import { MessageHeaders } from './wire';

const CHANNEL_TOPIC = Topics.channelPayments.name;

function validPayload() {
  return {
    transactionId: newId('txn'),
    paymentId: newId('pay'),
    merchantId: newId('mch'),
    channel: 'ALIPAY',
    channelTradeNo: '2025010122001400000000000001',
    amount: { amountMinor: 12_345, currency: 'CNY' },
    paidAt: '2025-01-01T08:30:00.000Z',
    businessDate: '2025-01-01',
    confirmedBy: 'CALLBACK',
  };
}

function validMessage(
  payload: Record<string, unknown> = validPayload(),
  overrides: Partial<RawMessage> = {},
): RawMessage {
  return {
    topic: CHANNEL_TOPIC,
    key: payload.paymentId as string,
    headers: {
      [MessageHeaders.messageId]: newId('evt'),
      [MessageHeaders.eventType]: 'channel_payment.succeeded',
      [MessageHeaders.schemaVersion]: '1',
      [MessageHeaders.correlationId]: 'corr-123',
      [MessageHeaders.causationId]: 'cause-456',
      [MessageHeaders.producer]: 'acquiring',
      [MessageHeaders.occurredAt]: '2025-01-01T08:30:01.000Z',
    },
    value: JSON.stringify(payload),
    ...overrides,
  };
}

function withHeaders(
  headers: Record<string, string | undefined>,
  message: RawMessage = validMessage(),
): RawMessage {
  return { ...message, headers: { ...message.headers, ...headers } };
}

function reasonOf(message: RawMessage): string {
  const result = decodeEvent(message);
  if (result.ok) throw new Error('expected the message to be rejected, but it decoded');
  return result.reason;
}

describe('findContract', () => {
  it('finds a contract by type and version', () => {
    expect(findContract('channel_payment.succeeded', 1)).toBe(ChannelPaymentSucceeded);
    expect(findContract('clearing.payment_cleared', 1)).toBe(PaymentCleared);
    expect(findContract('payment_order.created', 1)).toBe(PaymentOrderCreated);
  });

  it('returns undefined for an unknown type or an unknown version', () => {
    expect(findContract('channel_payment.failed', 1)).toBeUndefined();
    expect(findContract('channel_payment.succeeded', 2)).toBeUndefined();
    expect(findContract('channel_payment.succeeded', 0)).toBeUndefined();
    expect(findContract('', 1)).toBeUndefined();
  });

  it('matches the type exactly (no case folding, no prefix match)', () => {
    expect(findContract('Channel_Payment.Succeeded', 1)).toBeUndefined();
    expect(findContract('channel_payment', 1)).toBeUndefined();
    expect(findContract('channel_payment.succeeded ', 1)).toBeUndefined();
  });
});

describe('EVENT_CATALOGUE', () => {
  it('is not empty', () => {
    expect(EVENT_CATALOGUE.length).toBeGreaterThan(0);
  });

  it('puts every contract on a topic listed in ALL_TOPICS', () => {
    const topicNames = ALL_TOPICS.map((topic) => topic.name);
    for (const contract of EVENT_CATALOGUE) {
      expect(topicNames).toContain(contract.topic);
      expect(topicDefinition(contract.topic)?.name).toBe(contract.topic);
    }
  });

  it('has unique (type, version) pairs', () => {
    const pairs = EVENT_CATALOGUE.map((contract) => `${contract.type}@v${contract.version}`);
    expect(new Set(pairs).size).toBe(pairs.length);
  });

  it('finds every catalogued contract through findContract', () => {
    for (const contract of EVENT_CATALOGUE) {
      expect(findContract(contract.type, contract.version)).toBe(contract);
    }
  });

  it('uses positive integer versions', () => {
    for (const contract of EVENT_CATALOGUE) {
      expect(Number.isInteger(contract.version)).toBe(true);
      expect(contract.version).toBeGreaterThanOrEqual(1);
    }
  });
});

describe('topics', () => {
  it('deadLetterTopicOf appends .dlt', () => {
    expect(deadLetterTopicOf(CHANNEL_TOPIC)).toBe('paylab.acquiring.channel-payments.dlt');
    expect(deadLetterTopicOf('x')).toBe('x.dlt');
  });

  it('has unique topic names, none of which is already a dead-letter topic', () => {
    const names = ALL_TOPICS.map((topic) => topic.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name.endsWith('.dlt')).toBe(false);
  });

  it('topicDefinition does not know a dead-letter topic or an unknown name', () => {
    expect(topicDefinition(deadLetterTopicOf(CHANNEL_TOPIC))).toBeUndefined();
    expect(topicDefinition('paylab.unknown')).toBeUndefined();
  });
});

describe('decodeEvent', () => {
  describe('a valid ChannelPaymentSucceeded message', () => {
    it('decodes to a full envelope', () => {
      const payload = validPayload();
      const message = validMessage(payload);
      const result = decodeEvent(message);

      expect(result).toEqual({
        ok: true,
        envelope: {
          id: message.headers[MessageHeaders.messageId],
          type: 'channel_payment.succeeded',
          version: 1,
          topic: CHANNEL_TOPIC,
          key: payload.paymentId,
          occurredAt: '2025-01-01T08:30:01.000Z',
          correlationId: 'corr-123',
          causationId: 'cause-456',
          producer: 'acquiring',
          payload,
        },
      });
    });

    it('returns the version as a number, not the header text', () => {
      const result = decodeEvent(validMessage());
      expect(result.ok && typeof result.envelope.version).toBe('number');
    });

    it('defaults correlationId to the message id, producer to unknown, occurredAt to empty', () => {
      const message = withHeaders({
        [MessageHeaders.correlationId]: undefined,
        [MessageHeaders.causationId]: undefined,
        [MessageHeaders.producer]: undefined,
        [MessageHeaders.occurredAt]: undefined,
      });
      const result = decodeEvent(message);
      if (!result.ok) throw new Error(result.reason);
      expect(result.envelope.correlationId).toBe(message.headers[MessageHeaders.messageId]);
      expect(result.envelope.causationId).toBeUndefined();
      expect(result.envelope.producer).toBe('unknown');
      expect(result.envelope.occurredAt).toBe('');
    });

    it('accepts a message without a key, and takes the key from the payload', () => {
      const payload = validPayload();
      const result = decodeEvent(validMessage(payload, { key: null }));
      if (!result.ok) throw new Error(result.reason);
      expect(result.envelope.key).toBe(payload.paymentId);
    });

    it('drops payload fields the schema does not know', () => {
      const payload = { ...validPayload(), internalNote: 'should not leak' };
      const result = decodeEvent(validMessage(payload));
      if (!result.ok) throw new Error(result.reason);
      expect(result.envelope.payload).not.toHaveProperty('internalNote');
    });

    it('accepts ACTIVE_QUERY confirmations and other channels', () => {
      const payload = { ...validPayload(), confirmedBy: 'ACTIVE_QUERY', channel: 'UNIONPAY' };
      expect(decodeEvent(validMessage(payload)).ok).toBe(true);
    });
  });

  describe('header problems', () => {
    it('rejects a missing event-type header', () => {
      expect(reasonOf(withHeaders({ [MessageHeaders.eventType]: undefined }))).toBe(
        'missing header paylab-event-type',
      );
    });

    it('rejects an empty event-type header', () => {
      expect(reasonOf(withHeaders({ [MessageHeaders.eventType]: '' }))).toBe(
        'missing header paylab-event-type',
      );
    });

    it('rejects a missing schema version', () => {
      expect(reasonOf(withHeaders({ [MessageHeaders.schemaVersion]: undefined }))).toBe(
        'missing or non-numeric header paylab-schema-version',
      );
    });

    it.each(['', 'v1', '1.0', '-1', ' 1', '1 ', 'one', '0x1', '1e0'])(
      'rejects a non-numeric schema version %j',
      (version) => {
        expect(reasonOf(withHeaders({ [MessageHeaders.schemaVersion]: version }))).toBe(
          'missing or non-numeric header paylab-schema-version',
        );
      },
    );

    it('rejects a missing message id', () => {
      expect(reasonOf(withHeaders({ [MessageHeaders.messageId]: undefined }))).toBe(
        'missing header paylab-message-id',
      );
    });

    it('rejects an empty message id', () => {
      expect(reasonOf(withHeaders({ [MessageHeaders.messageId]: '' }))).toBe(
        'missing header paylab-message-id',
      );
    });

    it('reports the event type before the version and the version before the id', () => {
      const bare = { ...validMessage(), headers: {} };
      expect(reasonOf(bare)).toBe('missing header paylab-event-type');
      expect(
        reasonOf({ ...bare, headers: { [MessageHeaders.eventType]: 'channel_payment.succeeded' } }),
      ).toBe('missing or non-numeric header paylab-schema-version');
      expect(
        reasonOf({
          ...bare,
          headers: {
            [MessageHeaders.eventType]: 'channel_payment.succeeded',
            [MessageHeaders.schemaVersion]: '1',
          },
        }),
      ).toBe('missing header paylab-message-id');
    });
  });

  describe('contract problems', () => {
    it('rejects an unknown event type', () => {
      expect(reasonOf(withHeaders({ [MessageHeaders.eventType]: 'channel_payment.failed' }))).toBe(
        'unknown event channel_payment.failed v1',
      );
    });

    it('rejects an unknown version of a known type', () => {
      expect(reasonOf(withHeaders({ [MessageHeaders.schemaVersion]: '2' }))).toBe(
        'unknown event channel_payment.succeeded v2',
      );
    });

    it('rejects version 0', () => {
      expect(reasonOf(withHeaders({ [MessageHeaders.schemaVersion]: '0' }))).toBe(
        'unknown event channel_payment.succeeded v0',
      );
    });

    it('rejects an event on the wrong topic', () => {
      const message = validMessage(validPayload(), { topic: Topics.paymentOrders.name });
      expect(reasonOf(message)).toBe(
        'event channel_payment.succeeded v1 does not belong on topic paylab.cashier.payment-orders',
      );
    });

    it('rejects an event read from its own dead-letter topic', () => {
      const message = validMessage(validPayload(), { topic: deadLetterTopicOf(CHANNEL_TOPIC) });
      expect(reasonOf(message)).toContain('does not belong on topic');
    });

    it('rejects an event whose type belongs to another topic even if the payload would fit', () => {
      const message = withHeaders({ [MessageHeaders.eventType]: 'payment_order.succeeded' });
      expect(reasonOf(message)).toBe(
        `event payment_order.succeeded v1 does not belong on topic ${CHANNEL_TOPIC}`,
      );
    });
  });

  describe('value problems', () => {
    it('rejects an undefined value (tombstone)', () => {
      expect(reasonOf(validMessage(validPayload(), { value: undefined }))).toBe(
        'empty message value',
      );
    });

    it.each(['', '{', 'not json', "{'paymentId': 'x'}", '{"a":1,}'])(
      'rejects invalid JSON %j',
      (value) => {
        expect(reasonOf(validMessage(validPayload(), { value }))).toBe(
          'message value is not valid JSON',
        );
      },
    );

    it.each(['null', '42', '"text"', '[]'])(
      'rejects JSON %s that is not an object, naming the payload as the path',
      (value) => {
        const reason = reasonOf(validMessage(validPayload(), { value }));
        expect(reason).toMatch(
          /^payload does not match channel_payment\.succeeded v1: \(payload\): /,
        );
      },
    );

    it('rejects a schema violation and names the field path', () => {
      const payload = { ...validPayload(), amount: { amountMinor: 12.5, currency: 'CNY' } };
      const reason = reasonOf(validMessage(payload));
      expect(reason).toMatch(/^payload does not match channel_payment\.succeeded v1: /);
      expect(reason).toContain('amount.amountMinor: ');
    });

    it('names every failing field', () => {
      const payload = {
        ...validPayload(),
        merchantId: 'merchant-1',
        amount: { amountMinor: 100, currency: 'XXX' },
      };
      const reason = reasonOf(validMessage(payload));
      expect(reason).toContain('merchantId: must be a mch_ id');
      expect(reason).toContain('amount.currency: ');
      expect(reason).toContain('; ');
    });

    it('rejects a missing required field', () => {
      const { confirmedBy: _omitted, ...payload } = validPayload();
      expect(reasonOf(validMessage(payload))).toContain('confirmedBy: ');
    });

    it('rejects an id of the wrong kind', () => {
      const payload = { ...validPayload(), paymentId: newId('txn') };
      expect(reasonOf(validMessage(payload, { key: null }))).toContain(
        'paymentId: must be a pay_ id',
      );
    });

    it('rejects an id with characters outside Crockford base32', () => {
      const good = newId('pay');
      const withLetterU = `pay_${good.slice(4, 29)}U`;
      expect(withLetterU).toHaveLength(good.length);
      const payload = { ...validPayload(), paymentId: withLetterU };
      expect(reasonOf(validMessage(payload, { key: null }))).toContain(
        'paymentId: must be a pay_ id',
      );
    });

    it('rejects a timestamp that is not ISO 8601 and an unknown enum value', () => {
      const payload = { ...validPayload(), paidAt: '01/01/2025', confirmedBy: 'WEBHOOK' };
      const reason = reasonOf(validMessage(payload));
      expect(reason).toContain('paidAt: ');
      expect(reason).toContain('confirmedBy: ');
    });
  });

  describe('key problems', () => {
    it('rejects a key that does not match the payload key', () => {
      const payload = validPayload();
      const otherKey = newId('pay');
      expect(reasonOf(validMessage(payload, { key: otherKey }))).toBe(
        `message key ${otherKey} does not match payload key ${payload.paymentId}`,
      );
    });

    it('rejects a key that is the transaction id instead of the payment id', () => {
      const payload = validPayload();
      expect(reasonOf(validMessage(payload, { key: payload.transactionId }))).toContain(
        'does not match payload key',
      );
    });

    it('rejects an empty-string key', () => {
      expect(reasonOf(validMessage(validPayload(), { key: '' }))).toContain(
        'does not match payload key',
      );
    });
  });

  it('decodes the other catalogued events on their own topics', () => {
    const paymentId = newId('pay');
    const money = { amountMinor: 100, currency: 'CNY' };
    const payload = {
      clearingId: newId('clr'),
      paymentId,
      transactionId: newId('txn'),
      merchantId: newId('mch'),
      gross: money,
      merchantFee: money,
      channelCost: money,
      platformMargin: money,
      merchantNet: money,
      clearedAt: '2025-01-02T00:00:00+08:00',
    };
    const result = decodeEvent({
      topic: Topics.clearings.name,
      key: paymentId,
      headers: {
        [MessageHeaders.messageId]: newId('evt'),
        [MessageHeaders.eventType]: 'clearing.payment_cleared',
        [MessageHeaders.schemaVersion]: '1',
      },
      value: JSON.stringify(payload),
    });
    if (!result.ok) throw new Error(result.reason);
    expect(result.envelope.type).toBe('clearing.payment_cleared');
    expect(result.envelope.key).toBe(paymentId);
    expect(result.envelope.payload).toEqual(payload);
  });
});
