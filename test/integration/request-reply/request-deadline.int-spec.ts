import { DecideRoute } from '@paylab/contracts';
import { createKafka, KafkaRequestClient } from '@paylab/messaging';
import { createLogger, startService, type RunningService } from '@paylab/platform';
import {
  createDatabase,
  dropDatabase,
  ENV_VARIABLES,
  freePort,
  uniqueSchemaName,
  waitFor,
} from '@paylab/testing';
import { DataSource } from 'typeorm';
import { seedRoutingDemoData } from '../../../services/routing/src/demo-data';
import { routingService } from '../../../services/routing/src/service';

const infra = {
  databaseUrl: process.env[ENV_VARIABLES.databaseUrl]!,
  redisUrl: process.env[ENV_VARIABLES.redisUrl]!,
  brokers: process.env[ENV_VARIABLES.kafkaBrokers]!.split(','),
};
const DEMO_MERCHANT_ID = 'mch_01M85DMB00EHTE541GQYE3T4TJ';
const ROUTE_REQUEST = {
  merchantId: DEMO_MERCHANT_ID,
  method: 'ALIPAY' as const,
  amount: { amountMinor: 100, currency: 'CNY' as const },
};

/**
 * A responder that was down while a request timed out must not do the request's work when it
 * comes back: the asker already reported the timeout. Routing stores a decision for every
 * DecideRoute it works on, which makes "worked on" observable.
 */
describe('request deadlines over the real broker', () => {
  const databaseName = uniqueSchemaName('rrdl');
  // The same group across the restart, so the restarted responder resumes at the late request.
  const responderGroup = uniqueSchemaName('routing');
  let databaseUrl: string;
  let routing: RunningService<unknown> | undefined;
  let client: KafkaRequestClient;

  const startRouting = async () =>
    startService(routingService, {
      HTTP_PORT: String(await freePort()),
      HTTP_HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DATABASE_URL: databaseUrl,
      REDIS_URL: infra.redisUrl,
      KAFKA_BROKERS: infra.brokers.join(','),
      KAFKA_CONSUMER_GROUP: responderGroup,
    });
  const decisions = async (): Promise<number> => {
    const rows = (await routing!.app
      .get(DataSource)
      .query('SELECT count(*)::int AS n FROM routing.route_decisions')) as Array<{ n: number }>;
    return rows[0].n;
  };

  beforeAll(async () => {
    databaseUrl = await createDatabase(infra.databaseUrl, databaseName);
    routing = await startRouting();
    await seedRoutingDemoData(routing.app.get(DataSource));
    client = new KafkaRequestClient({
      serviceName: uniqueSchemaName('asker'),
      brokers: infra.brokers,
      logger: createLogger('it-asker', 'warn'),
      contracts: [DecideRoute],
      defaultTimeoutMs: 15_000,
    });
    await client.connect();
  });

  afterAll(async () => {
    await client?.close();
    await routing?.stop();
    await dropDatabase(infra.databaseUrl, databaseName);
  });

  it('answers a request within its deadline', async () => {
    const before = await decisions();
    const answer = await client.request(DecideRoute, ROUTE_REQUEST);
    expect(answer.decisionId).toMatch(/^rtd_/);
    expect(await decisions()).toBe(before + 1);
  });

  it('drops, without working on it, a request whose deadline passed while the responder was down', async () => {
    const before = await decisions();
    await routing!.stop();
    routing = undefined;

    const failure = await client
      .request(DecideRoute, ROUTE_REQUEST, { timeoutMs: 1_000 })
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'REQUEST.TIMEOUT' });

    routing = await startRouting();
    // The restarted responder has consumed everything on the request topic, the late request
    // included (its group's committed offsets reach the end of every partition)…
    const kafka = createKafka({
      clientId: 'it-deadline-admin',
      brokers: infra.brokers,
      logger: createLogger('it', 'warn'),
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await waitFor(
        'the late request consumed',
        async () => {
          const ends = await admin.fetchTopicOffsets(DecideRoute.topic);
          const [committed] = await admin.fetchOffsets({
            groupId: responderGroup,
            topics: [DecideRoute.topic],
          });
          return ends.every(
            (end) =>
              committed.partitions.find((p) => p.partition === end.partition)?.offset === end.high,
          );
        },
        (done) => done,
        { timeoutMs: 30_000, intervalMs: 500 },
      );
    } finally {
      await admin.disconnect();
    }
    // …and stored no decision for it.
    expect(await decisions()).toBe(before);

    // It is alive and answers requests that are still wanted.
    const answer = await client.request(DecideRoute, ROUTE_REQUEST);
    expect(answer.decisionId).toMatch(/^rtd_/);
    expect(await decisions()).toBe(before + 1);
  });
});
