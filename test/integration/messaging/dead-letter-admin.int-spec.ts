import { deadLetterTopicOf, Topics } from '@paylab/contracts';
import { newId } from '@paylab/ids';
import type { DeadLetterView, ReplayOutcome } from '@paylab/messaging';
import type { RunningService } from '@paylab/platform';
import { dropSchemas, ENV_VARIABLES, uniqueSchemaName, waitFor } from '@paylab/testing';
import { DataSource } from 'typeorm';
import { asOperator } from '../../e2e/support/operator-credentials';
import {
  newObservations,
  PaymentRecorder,
  startLedgerService,
  startPaymentsService,
  type ConsumerObservations,
} from './harness';

const databaseUrl = process.env[ENV_VARIABLES.databaseUrl]!;
const brokers = process.env[ENV_VARIABLES.kafkaBrokers]!.split(',');
const TOPIC = Topics.channelPayments.name;

/** The dead-letter admin endpoint MessagingModule gives every service, on the real broker. */
describe('listing and replaying dead letters', () => {
  const producerSchema = uniqueSchemaName('payments');
  const consumerSchema = uniqueSchemaName('ledger');
  const consumerGroup = uniqueSchemaName('group');
  let payments: RunningService<unknown>;
  let ledger: RunningService<{ HTTP_PORT: number }>;
  let observations: ConsumerObservations;

  beforeAll(async () => {
    observations = newObservations();
    payments = await startPaymentsService({ databaseUrl, brokers, schema: producerSchema });
    ledger = (await startLedgerService(
      { databaseUrl, brokers, schema: consumerSchema, consumerGroup },
      observations,
    )) as RunningService<{ HTTP_PORT: number }>;
  });

  afterAll(async () => {
    await ledger?.stop();
    await payments?.stop();
    await dropSchemas(databaseUrl, [producerSchema, consumerSchema]);
  });

  const call = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const response = await fetch(`http://127.0.0.1:${ledger.config.HTTP_PORT}${path}`, {
      method,
      headers: { ...asOperator('operator'), 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const list = async () =>
    (
      await call(
        'GET',
        `/v1/admin/dead-letters?topic=${TOPIC}&consumerGroup=${consumerGroup}&limit=1000`,
      )
    ).body as { topics: string[]; deadLetters: DeadLetterView[] };
  const appliedCount = async (paymentId: string): Promise<number> => {
    const rows = (await ledger.app
      .get(DataSource)
      .query('SELECT applied_count FROM applied_payments WHERE payment_id = $1', [
        paymentId,
      ])) as Array<{ applied_count: number }>;
    return rows[0]?.applied_count ?? 0;
  };

  it('lists a dead letter, replays it once, and answers "already replayed" the second time', async () => {
    const paymentId = newId('pay');
    observations.permanentFailures.add(paymentId);
    const { messageId } = await payments.app.get(PaymentRecorder).recordPayment(321, paymentId);

    const listed = await waitFor(
      'the dead letter listed',
      list,
      (l) => l.deadLetters.some((d) => d.messageId === messageId),
      { timeoutMs: 30_000, intervalMs: 1_000 },
    );
    expect(listed.topics).toEqual([TOPIC]);
    const letter = listed.deadLetters.find((d) => d.messageId === messageId)!;
    expect(letter).toMatchObject({
      topic: deadLetterTopicOf(TOPIC),
      originalTopic: TOPIC,
      key: paymentId,
      consumerGroup,
      eventType: 'channel_payment.succeeded',
      reason: `permanent failure: payment ${paymentId} can never be applied`,
      replayedAt: null,
    });
    expect(JSON.parse(letter.payload!)).toMatchObject({ paymentId });
    expect(await appliedCount(paymentId)).toBe(0);

    // The cause is fixed; the operator replays the record.
    observations.permanentFailures.delete(paymentId);
    const target = { topic: letter.topic, partition: letter.partition, offset: letter.offset };
    const first = await call('POST', '/v1/admin/dead-letters/replay', target);
    expect(first.status).toBe(200);
    expect((first.body.replays as ReplayOutcome[])[0]).toMatchObject({
      outcome: 'replayed',
      originalTopic: TOPIC,
      messageId,
    });
    await waitFor(
      'replayed payment applied',
      () => appliedCount(paymentId),
      (n) => n === 1,
      {
        timeoutMs: 30_000,
      },
    );

    const second = await call('POST', '/v1/admin/dead-letters/replay', target);
    expect(second.status).toBe(200);
    expect((second.body.replays as ReplayOutcome[])[0]).toMatchObject({
      outcome: 'already replayed',
      messageId,
    });
    const relisted = (await list()).deadLetters.find((d) => d.messageId === messageId)!;
    expect(relisted.replayedAt).not.toBeNull();

    // The second replay published nothing: the payment was applied once, from one delivery.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await appliedCount(paymentId)).toBe(1);
    expect(observations.deliveries.filter((d) => d.paymentId === paymentId)).toEqual([
      { messageId, paymentId, outcome: 'processed' },
    ]);
  });

  it.each([
    [
      'an unknown topic',
      { topic: 'paylab.nowhere', all: true },
      404,
      'DEAD_LETTER.TOPIC_NOT_FOUND',
    ],
    [
      'a negative offset',
      { topic: TOPIC, partition: 0, offset: '-1' },
      400,
      'REQUEST.VALIDATION_FAILED',
    ],
    [
      'a non-numeric offset',
      { topic: TOPIC, partition: 0, offset: 'abc' },
      400,
      'REQUEST.VALIDATION_FAILED',
    ],
    ['no offset and no all', { topic: TOPIC, partition: 0 }, 400, 'REQUEST.VALIDATION_FAILED'],
    ['all: false', { topic: TOPIC, all: false }, 400, 'REQUEST.VALIDATION_FAILED'],
    [
      'an offset with no record',
      { topic: TOPIC, partition: 0, offset: '999999999' },
      404,
      'DEAD_LETTER.RECORD_NOT_FOUND',
    ],
  ])('refuses a replay of %s', async (_label, body, status, code) => {
    const response = await call('POST', '/v1/admin/dead-letters/replay', body);
    expect(response.status).toBe(status);
    expect(response.body).toMatchObject({ error: { code } });
  });

  it.each([
    ['an unknown topic', '?topic=paylab.nowhere', 404, 'DEAD_LETTER.TOPIC_NOT_FOUND'],
    ['a limit of 0', '?limit=0', 400, 'REQUEST.VALIDATION_FAILED'],
    ['an unknown parameter', '?colour=red', 400, 'REQUEST.VALIDATION_FAILED'],
  ])('refuses a listing with %s', async (_label, query, status, code) => {
    const response = await call('GET', `/v1/admin/dead-letters${query}`);
    expect(response.status).toBe(status);
    expect(response.body).toMatchObject({ error: { code } });
  });
});
