import { Topics } from '@paylab/contracts';
import { newId } from '@paylab/ids';
import { createKafka, readTopic } from '@paylab/messaging';
import { createLogger, type RunningService } from '@paylab/platform';
import {
  deadLetterOf,
  dropSchemas,
  ENV_VARIABLES,
  startFaultProxy,
  throughProxy,
  uniqueSchemaName,
  waitFor,
  type FaultProxy,
} from '@paylab/testing';
import { deadLetterTopicOf, DeadLetterHeaders, MessageHeaders } from '@paylab/contracts';
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

/**
 * The consumer's own database connection goes through a fault proxy; cutting it is a real
 * outage of Postgres for that consumer only. The harness's retry policy for errors of unknown
 * kind allows 4 attempts: a transient failure must go far beyond that and never be dead-lettered.
 */
describe('transient and permanent handler failures (real Postgres and Kafka)', () => {
  const producerSchema = uniqueSchemaName('payments');
  const consumerSchema = uniqueSchemaName('ledger');
  const consumerGroup = uniqueSchemaName('group');
  const kafka = createKafka({
    clientId: 'it-transient',
    brokers,
    logger: createLogger('it', 'warn'),
  });
  let proxy: FaultProxy;
  let payments: RunningService<unknown>;
  let ledger: RunningService<{ HTTP_PORT: number }>;
  let observations: ConsumerObservations;
  let recorder: PaymentRecorder;

  beforeAll(async () => {
    const target = new URL(databaseUrl);
    proxy = await startFaultProxy({ host: target.hostname, port: Number(target.port || 5432) });
    observations = newObservations();
    payments = await startPaymentsService({ databaseUrl, brokers, schema: producerSchema });
    ledger = (await startLedgerService(
      {
        databaseUrl: throughProxy(databaseUrl, proxy),
        brokers,
        schema: consumerSchema,
        consumerGroup,
        transientBackoff: { baseMs: 100, maxMs: 1_000 },
      },
      observations,
    )) as RunningService<{ HTTP_PORT: number }>;
    recorder = payments.app.get(PaymentRecorder);
  });

  afterAll(async () => {
    proxy?.restore();
    await ledger?.stop();
    await payments?.stop();
    await proxy?.close();
    await dropSchemas(databaseUrl, [producerSchema, consumerSchema]);
  });

  const readiness = async () => {
    const response = await fetch(`http://127.0.0.1:${ledger.config.HTTP_PORT}/health`);
    return {
      status: response.status,
      body: (await response.json()) as {
        checks: Record<string, { status: string; error?: string }>;
      },
    };
  };
  const appliedCount = async (paymentId: string): Promise<number> => {
    const rows = (await ledger.app
      .get(DataSource)
      .query('SELECT applied_count FROM applied_payments WHERE payment_id = $1', [
        paymentId,
      ])) as Array<{
      applied_count: number;
    }>;
    return rows[0]?.applied_count ?? 0;
  };

  it('waits out a database outage far beyond the retry limit, then applies the event once', async () => {
    // A first event proves the consumer is up before the outage.
    const warmUp = await recorder.recordPayment(1);
    await waitFor(
      'warm-up applied',
      async () => appliedCount(warmUp.paymentId),
      (n) => n === 1,
      {
        timeoutMs: 30_000,
      },
    );

    proxy.cut();
    const { paymentId, messageId } = await recorder.recordPayment(4_200);

    const blocked = await waitFor(
      'readiness naming the blocked partition',
      readiness,
      (r) => r.status === 503 && /blocked on/.test(r.body.checks['kafka-consumer']?.error ?? ''),
      { timeoutMs: 20_000, intervalMs: 250 },
    );
    expect(blocked.body.checks['kafka-consumer'].error).toMatch(
      new RegExp(
        `blocked on ${Topics.channelPayments.name.replace(/\./g, '\\.')} partition \\d+ since .*database`,
      ),
    );

    // Well past the 4 attempts an unknown error gets.
    await waitFor(
      'many attempts during the outage',
      async () => observations.attempts.get(paymentId) ?? 0,
      (n) => n >= 8,
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(observations.deliveries.filter((d) => d.paymentId === paymentId)).toEqual([]);

    proxy.restore();
    await waitFor(
      'applied after the outage',
      async () => appliedCount(paymentId),
      (n) => n === 1,
      {
        timeoutMs: 30_000,
      },
    );
    await waitFor('readiness back', readiness, (r) => r.status === 200, { timeoutMs: 15_000 });
    expect(observations.deliveries.filter((d) => d.paymentId === paymentId)).toEqual([
      { messageId, paymentId, outcome: 'processed' },
    ]);

    const letters = await readTopic(kafka, deadLetterTopicOf(Topics.channelPayments.name), {
      minMessages: 0,
      timeoutMs: 5_000,
    });
    expect(
      letters.filter(
        (m) =>
          m.headers[MessageHeaders.messageId] === messageId &&
          m.headers[DeadLetterHeaders.consumerGroup] === consumerGroup,
      ),
    ).toEqual([]);
  });

  it('dead-letters a payment a business rule refuses (DomainError) on the first attempt', async () => {
    const paymentId = newId('pay');
    observations.refusedPayments.add(paymentId);
    const { messageId } = await recorder.recordPayment(99, paymentId);

    const letter = await deadLetterOf(
      kafka,
      Topics.channelPayments.name,
      messageId,
      consumerGroup,
      30_000,
    );
    expect(letter.headers[DeadLetterHeaders.attempts]).toBe('1');
    expect(letter.headers[DeadLetterHeaders.reason]).toBe(
      `refused by a business rule: LEDGER.PAYMENT_REFUSED: payment ${paymentId} is refused`,
    );
    expect(observations.attempts.get(paymentId)).toBe(1);
    expect(await appliedCount(paymentId)).toBe(0);
  });
});
