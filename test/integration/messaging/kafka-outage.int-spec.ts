import { OutboxMessageEntity } from '@paylab/messaging';
import type { RunningService } from '@paylab/platform';
import {
  dropSchemas,
  ENV_VARIABLES,
  REPO_ROOT,
  startDisposableKafka,
  uniqueSchemaName,
  waitFor,
  type DisposableKafka,
} from '@paylab/testing';
import { IsNull } from 'typeorm';
import { DataSource } from 'typeorm';
import {
  newObservations,
  PaymentRecorder,
  startLedgerService,
  startPaymentsService,
} from './harness';

const databaseUrl = process.env[ENV_VARIABLES.databaseUrl]!;
const mode = process.env.PAYLAB_TEST_INFRASTRUCTURE_MODE as 'env' | 'testcontainers' | 'local';

/**
 * This suite stops its broker on purpose, so it runs one of its own instead of the shared one.
 */
describe('while Kafka is down (real broker, stopped and restarted)', () => {
  const producerSchema = uniqueSchemaName('payments');
  const consumerSchema = uniqueSchemaName('ledger');
  const observations = newObservations();
  let kafka: DisposableKafka;
  let payments: RunningService<{ HTTP_PORT: number }>;
  let ledger: RunningService<unknown>;

  beforeAll(async () => {
    kafka = await startDisposableKafka(REPO_ROOT, mode);
    payments = await startPaymentsService({
      databaseUrl,
      brokers: kafka.brokers,
      schema: producerSchema,
    });
    ledger = await startLedgerService(
      {
        databaseUrl,
        brokers: kafka.brokers,
        schema: consumerSchema,
        consumerGroup: 'outage-ledger',
      },
      observations,
    );
  });

  afterAll(async () => {
    await ledger?.stop();
    await payments?.stop();
    await kafka?.destroy();
    await dropSchemas(databaseUrl, [producerSchema, consumerSchema]);
  });

  it('commits state changes, keeps their events in the outbox, and delivers each exactly once in effect when Kafka returns', async () => {
    const recorder = payments.app.get(PaymentRecorder);
    const producerDb = payments.app.get(DataSource);
    const consumerDb = ledger.app.get(DataSource);
    const pending = () =>
      producerDb.getRepository(OutboxMessageEntity).countBy({ publishedAt: IsNull() });

    const before = await recorder.recordPayment(100);
    await waitFor(
      'delivery before the outage',
      async () => observations.deliveries.length,
      (n) => n === 1,
    );
    expect(observations.deliveries[0].paymentId).toBe(before.paymentId);

    await kafka.stop();

    const written: string[] = [];
    const startedWriting = Date.now();
    for (let i = 0; i < 25; i += 1)
      written.push((await recorder.recordPayment(1_000 + i)).paymentId);
    // Writes never wait on the broker: 25 transactions commit promptly with Kafka gone.
    expect(Date.now() - startedWriting).toBeLessThan(10_000);
    const committed = (await producerDb.query(
      'SELECT count(*)::int AS n FROM payments WHERE payment_id = ANY($1)',
      [written],
    )) as Array<{ n: number }>;
    expect(committed[0].n).toBe(25);

    // Give the relay time to try (and fail) against the stopped broker: nothing may be lost.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await pending()).toBe(25);
    expect(observations.deliveries).toHaveLength(1);
    // The outage is visible to operators: readiness names Kafka, the backlog is a metric.
    const baseUrl = `http://127.0.0.1:${payments.config.HTTP_PORT}`;
    const health = await fetch(`${baseUrl}/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({
      status: 'not_ready',
      checks: { kafka: { status: 'down' }, postgres: { status: 'up' } },
    });
    const metrics = await (await fetch(`${baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/^outbox_pending_messages 25$/m);

    await kafka.start();

    await waitFor('outbox drained', pending, (n) => n === 0, {
      timeoutMs: 90_000,
      intervalMs: 500,
    });
    await waitFor(
      'every event applied',
      async () =>
        new Set(
          observations.deliveries.filter((d) => d.outcome === 'processed').map((d) => d.paymentId),
        ).size,
      (n) => n === 26,
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    const applied = (await consumerDb.query(
      'SELECT payment_id, applied_count FROM applied_payments WHERE payment_id = ANY($1)',
      [written],
    )) as Array<{ payment_id: string; applied_count: number }>;
    expect(applied).toHaveLength(25);
    expect(applied.every((row) => row.applied_count === 1)).toBe(true);
    const inbox = (await consumerDb.query(
      'SELECT count(*)::int AS n FROM inbox_messages',
    )) as Array<{ n: number }>;
    expect(inbox[0].n).toBe(26);
  });
});
