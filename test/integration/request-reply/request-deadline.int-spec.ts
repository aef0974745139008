import { DecideRoute } from '@paylab/contracts';
import { createKafka, KafkaRequestClient } from '@paylab/messaging';
import { createLogger, startService, type RunningService } from '@paylab/platform';
import {
  createDatabase,
  dropDatabase,
  ENV_VARIABLES,
  freePort,
  REPO_ROOT,
  startDisposableKafka,
  type DisposableKafka,
  uniqueSchemaName,
  waitFor,
} from '@paylab/testing';
import { DataSource } from 'typeorm';
import { seedRoutingDemoData } from '../../../services/routing/src/demo-data';
import { routingService } from '../../../services/routing/src/service';

const infra = {
  databaseUrl: process.env[ENV_VARIABLES.databaseUrl]!,
  redisUrl: process.env[ENV_VARIABLES.redisUrl]!,
};
const mode = process.env.PAYLAB_TEST_INFRASTRUCTURE_MODE as 'env' | 'testcontainers' | 'local';
const DEMO_MERCHANT_ID = 'mch_01M85DMB00EHTE541GQYE3T4TJ';
const ROUTE_REQUEST = {
  merchantId: DEMO_MERCHANT_ID,
  method: 'ALIPAY' as const,
  amount: { amountMinor: 100, currency: 'CNY' as const },
};

/**
 * A responder that was down while a request timed out must not do the request's work when it
 * comes back: the asker already reported the timeout. Routing stores a decision for every
 * DecideRoute it works on, which makes "worked on" observable. The suite runs a broker of its
 * own: on the shared one, another routing instance (another suite's) could answer the request.
 */
describe('request deadlines over the real broker', () => {
  const databaseName = uniqueSchemaName('rrdl');
  // The same group across the restart, so the restarted responder resumes at the late request.
  const responderGroup = uniqueSchemaName('routing');
  let databaseUrl: string;
  let kafka: DisposableKafka;
  let brokers: string[];
  let routing: RunningService<unknown> | undefined;
  let client: KafkaRequestClient;

  const startRouting = async () =>
    startService(routingService, {
      HTTP_PORT: String(await freePort()),
      HTTP_HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DATABASE_URL: databaseUrl,
      REDIS_URL: infra.redisUrl,
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_CONSUMER_GROUP: responderGroup,
    });
  const decisions = async (): Promise<number> => {
    const rows = (await routing!.app
      .get(DataSource)
      .query('SELECT count(*)::int AS n FROM routing.route_decisions')) as Array<{ n: number }>;
    return rows[0].n;
  };

  beforeAll(async () => {
    kafka = await startDisposableKafka(REPO_ROOT, mode);
    brokers = kafka.brokers;
    databaseUrl = await createDatabase(infra.databaseUrl, databaseName);
    routing = await startRouting();
    await seedRoutingDemoData(routing.app.get(DataSource));
    client = new KafkaRequestClient({
      serviceName: uniqueSchemaName('asker'),
      brokers: brokers,
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
    await kafka?.destroy();
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
    const kafkaClient = createKafka({
      clientId: 'it-deadline-admin',
      brokers: brokers,
      logger: createLogger('it', 'warn'),
    });
    const admin = kafkaClient.admin();
    await admin.connect();
    try {
      // Pin the stopped responder's position at the current end of every partition, so that
      // when it restarts it reads the late request wherever the producer put it.
      const ends = await admin.fetchTopicOffsets(DecideRoute.topic);
      await admin.setOffsets({
        groupId: responderGroup,
        topic: DecideRoute.topic,
        partitions: ends.map((end) => ({ partition: end.partition, offset: end.high })),
      });

      const failure = await client
        .request(DecideRoute, ROUTE_REQUEST, { timeoutMs: 1_000 })
        .catch((error: unknown) => error);
      expect(failure).toMatchObject({ code: 'REQUEST.TIMEOUT' });
      const afterRequest = await admin.fetchTopicOffsets(DecideRoute.topic);
      const sum = (offsets: Array<{ high: string }>) =>
        offsets.reduce((total, o) => total + Number(o.high), 0);
      expect(sum(afterRequest)).toBe(sum(ends) + 1);

      routing = await startRouting();
      // The restarted responder consumes everything up to the end, the late request included…
      await waitFor(
        'the late request consumed',
        async () => {
          const [committed] = await admin.fetchOffsets({
            groupId: responderGroup,
            topics: [DecideRoute.topic],
          });
          return afterRequest.every(
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
