import { Topics, deadLetterTopicOf, DeadLetterHeaders, MessageHeaders } from '@paylab/contracts';
import { newId } from '@paylab/ids';
import { createKafka, OutboxMessageEntity, publishRaw, readTopic } from '@paylab/messaging';
import { createLogger, type RunningService } from '@paylab/platform';
import { dropSchemas, ENV_VARIABLES, uniqueSchemaName, waitFor } from '@paylab/testing';
import { DataSource } from 'typeorm';
import {
  newObservations,
  PaymentRecorder,
  startLedgerService,
  startPaymentsService,
  type ConsumerObservations,
} from './harness';

const databaseUrl = process.env[ENV_VARIABLES.databaseUrl]!;
const brokers = process.env[ENV_VARIABLES.kafkaBrokers]!.split(',');

describe('outbox → Kafka → idempotent consumer (real Postgres and Kafka)', () => {
  const producerSchema = uniqueSchemaName('payments');
  const consumerSchema = uniqueSchemaName('ledger');
  let payments: RunningService<unknown>;
  let ledger: RunningService<unknown>;
  let observations: ConsumerObservations;
  let recorder: PaymentRecorder;
  let producerDb: DataSource;
  let consumerDb: DataSource;

  beforeAll(async () => {
    observations = newObservations();
    payments = await startPaymentsService({ databaseUrl, brokers, schema: producerSchema });
    ledger = await startLedgerService(
      { databaseUrl, brokers, schema: consumerSchema, consumerGroup: uniqueSchemaName('group') },
      observations,
    );
    recorder = payments.app.get(PaymentRecorder);
    producerDb = payments.app.get(DataSource);
    consumerDb = ledger.app.get(DataSource);
  });

  afterAll(async () => {
    await ledger?.stop();
    await payments?.stop();
    await dropSchemas(databaseUrl, [producerSchema, consumerSchema]);
  });

  const appliedCount = async (paymentId: string): Promise<number> => {
    const rows = (await consumerDb.query(
      'SELECT applied_count FROM applied_payments WHERE payment_id = $1',
      [paymentId],
    )) as Array<{ applied_count: number }>;
    return rows[0]?.applied_count ?? 0;
  };
  const deliveriesOf = (paymentId: string) =>
    observations.deliveries.filter((d) => d.paymentId === paymentId);

  it('applies an event exactly once even when the relay delivers it twice', async () => {
    const { paymentId, messageId } = await recorder.recordPayment(12_345);

    await waitFor(
      'first delivery',
      async () => deliveriesOf(paymentId).length,
      (n) => n === 1,
    );
    expect(await appliedCount(paymentId)).toBe(1);

    // Simulate a relay that crashed after sending but before marking the row published.
    await producerDb
      .getRepository(OutboxMessageEntity)
      .update({ messageId }, { publishedAt: null });

    await waitFor(
      'redelivery',
      async () => deliveriesOf(paymentId).length,
      (n) => n === 2,
    );
    expect(deliveriesOf(paymentId).map((d) => d.outcome)).toEqual(['processed', 'duplicate']);
    expect(deliveriesOf(paymentId).every((d) => d.messageId === messageId)).toBe(true);
    expect(await appliedCount(paymentId)).toBe(1);
    const inboxRows = await consumerDb.query(
      'SELECT consumer FROM inbox_messages WHERE message_id = $1',
      [messageId],
    );
    expect(inboxRows).toEqual([{ consumer: 'ledger' }]);
  });

  it('carries key, correlation and schema headers on the wire', async () => {
    const { paymentId, messageId } = await recorder.recordPayment(100);
    await waitFor(
      'delivery',
      async () => deliveriesOf(paymentId).length,
      (n) => n === 1,
    );
    const kafka = createKafka({
      clientId: 'it-reader',
      brokers,
      logger: createLogger('it', 'warn'),
    });
    const messages = await readTopic(kafka, Topics.channelPayments.name, {
      minMessages: 1,
      timeoutMs: 15_000,
    });
    const wire = messages.find((m) => m.headers[MessageHeaders.messageId] === messageId);
    expect(wire).toBeDefined();
    expect(wire!.key).toBe(paymentId);
    expect(wire!.headers[MessageHeaders.eventType]).toBe('channel_payment.succeeded');
    expect(wire!.headers[MessageHeaders.schemaVersion]).toBe('1');
    expect(wire!.headers[MessageHeaders.producer]).toBe('it-payments');
    expect(wire!.headers[MessageHeaders.correlationId]).toBeTruthy();
    expect(JSON.parse(wire!.value!)).toMatchObject({
      paymentId,
      amount: { amountMinor: 100, currency: 'CNY' },
    });
  });

  it('retries a transient handler failure with backoff, then applies it once', async () => {
    const paymentId = newId('pay');
    observations.transientFailures.set(paymentId, 2);
    await recorder.recordPayment(777, paymentId);

    await waitFor(
      'applied after retries',
      async () => deliveriesOf(paymentId).length,
      (n) => n === 1,
    );
    expect(observations.attempts.get(paymentId)).toBe(3);
    expect(deliveriesOf(paymentId)[0].outcome).toBe('processed');
    expect(await appliedCount(paymentId)).toBe(1);
  });

  it('dead-letters malformed messages with their reason and keeps consuming the partition', async () => {
    const kafka = createKafka({
      clientId: 'it-poison',
      brokers,
      logger: createLogger('it', 'warn'),
    });
    const poisonKey = `pay_POISON${Date.now()}`;
    const validHeaders = {
      [MessageHeaders.messageId]: `evt_poison_${Date.now()}`,
      [MessageHeaders.eventType]: 'channel_payment.succeeded',
      [MessageHeaders.schemaVersion]: '1',
    };
    await publishRaw(kafka, Topics.channelPayments.name, [
      {
        key: poisonKey,
        value: '{not json',
        headers: {
          ...validHeaders,
          [MessageHeaders.messageId]: `${validHeaders[MessageHeaders.messageId]}_a`,
        },
      },
      {
        key: poisonKey,
        value: JSON.stringify({ paymentId: 'nope' }),
        headers: {
          ...validHeaders,
          [MessageHeaders.messageId]: `${validHeaders[MessageHeaders.messageId]}_b`,
        },
      },
      { key: poisonKey, value: '{}', headers: {} },
    ]);
    // A valid event written after the poison: it must not be stuck behind it.
    const { paymentId } = await recorder.recordPayment(4_200);
    await waitFor(
      'valid event after poison',
      async () => deliveriesOf(paymentId).length,
      (n) => n === 1,
    );

    const deadLetters = await waitFor(
      'three dead letters',
      async () =>
        (
          await readTopic(kafka, deadLetterTopicOf(Topics.channelPayments.name), {
            minMessages: 3,
            timeoutMs: 5_000,
          })
        ).filter((m) => m.key === poisonKey),
      (found) => found.length === 3,
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    const reasons = deadLetters.map((m) => m.headers[DeadLetterHeaders.reason]);
    expect(reasons[0]).toBe('invalid message: message value is not valid JSON');
    expect(reasons[1]).toMatch(
      /^invalid message: payload does not match channel_payment.succeeded v1: /,
    );
    expect(reasons[1]).toContain('paymentId: must be a pay_ id');
    expect(reasons[2]).toBe(`invalid message: missing header ${MessageHeaders.eventType}`);
    expect(deadLetters[0].value).toBe('{not json');
    for (const letter of deadLetters) {
      expect(letter.headers[DeadLetterHeaders.originalTopic]).toBe(Topics.channelPayments.name);
      expect(letter.headers[DeadLetterHeaders.originalOffset]).toMatch(/^\d+$/);
    }
    expect(observations.deliveries.some((d) => d.paymentId.startsWith('pay_POISON'))).toBe(false);
  });

  it('dead-letters a message whose handler fails permanently, leaving nothing half-written', async () => {
    const paymentId = newId('pay');
    observations.permanentFailures.add(paymentId);
    const { messageId } = await recorder.recordPayment(999, paymentId);
    const kafka = createKafka({
      clientId: 'it-permanent',
      brokers,
      logger: createLogger('it', 'warn'),
    });
    const letter = await waitFor(
      'dead letter for permanent failure',
      async () =>
        (
          await readTopic(kafka, deadLetterTopicOf(Topics.channelPayments.name), {
            minMessages: 1,
            timeoutMs: 5_000,
          })
        ).find((m) => m.headers[MessageHeaders.messageId] === messageId),
      (found) => found !== undefined,
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(letter!.headers[DeadLetterHeaders.reason]).toMatch(
      /^permanent failure: payment .* can never be applied$/,
    );
    expect(observations.attempts.get(paymentId)).toBe(1);
    expect(await appliedCount(paymentId)).toBe(0);
    const inboxRows = await consumerDb.query('SELECT 1 FROM inbox_messages WHERE message_id = $1', [
      messageId,
    ]);
    expect(inboxRows).toHaveLength(0);
  });
});
