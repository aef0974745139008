import { DecideRoute, OfferMethods } from '@paylab/contracts';
import { KafkaRequestClient, RequestFailedError } from '@paylab/messaging';
import { createLogger, startService, type RunningService } from '@paylab/platform';
import {
  createDatabase,
  dropDatabase,
  ENV_VARIABLES,
  freePort,
  uniqueSchemaName,
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

/** Request/reply over the real broker: cashier-side client, routing as the responder. */
describe('route decisions over Kafka request/reply', () => {
  const databaseName = uniqueSchemaName('rr');
  let routing: RunningService<unknown> | undefined;
  let client: KafkaRequestClient;

  beforeAll(async () => {
    const databaseUrl = await createDatabase(infra.databaseUrl, databaseName);
    routing = await startService(routingService, {
      HTTP_PORT: String(await freePort()),
      HTTP_HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DATABASE_URL: databaseUrl,
      REDIS_URL: infra.redisUrl,
      KAFKA_BROKERS: infra.brokers.join(','),
      KAFKA_CONSUMER_GROUP: uniqueSchemaName('routing'),
    });
    await seedRoutingDemoData(routing.app.get(DataSource));
    client = new KafkaRequestClient({
      serviceName: uniqueSchemaName('asker'),
      brokers: infra.brokers,
      logger: createLogger('it-asker', 'warn'),
      contracts: [DecideRoute, OfferMethods],
      defaultTimeoutMs: 15_000,
    });
    await client.connect();
  });

  afterAll(async () => {
    await client?.close();
    await routing?.stop();
    await dropDatabase(infra.databaseUrl, databaseName);
  });

  it('answers with the chosen channel account, its fallbacks and a stored decision id', async () => {
    const answer = await client.request(DecideRoute, {
      merchantId: DEMO_MERCHANT_ID,
      method: 'WECHAT_PAY',
      amount: { amountMinor: 10_000, currency: 'CNY' },
    });
    expect(answer.chosen.channel).toBe('WECHAT_PAY');
    expect(answer.decisionId).toMatch(/^rtd_/);
    const stored = (await routing!.app
      .get(DataSource)
      .query('SELECT id FROM routing.route_decisions WHERE id = $1', [
        answer.decisionId,
      ])) as unknown[];
    expect(stored).toHaveLength(1);
  });

  it('carries the responder’s coded error back to the caller', async () => {
    const failure = await client
      .request(DecideRoute, {
        merchantId: DEMO_MERCHANT_ID,
        method: 'WECHAT_PAY',
        amount: { amountMinor: 3_000_000, currency: 'CNY' },
      })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RequestFailedError);
    expect(failure).toMatchObject({ code: 'ROUTING.NO_CHANNEL_AVAILABLE' });
    expect((failure as Error).message).toMatch(/Decision rtd_\w+ holds the trace/);

    const unknownMerchant = await client
      .request(DecideRoute, {
        merchantId: 'mch_01M85DMB00EHTE541GQYE3T4TZ',
        method: 'ALIPAY',
        amount: { amountMinor: 100, currency: 'CNY' },
      })
      .catch((error: unknown) => error);
    expect(unknownMerchant).toMatchObject({ code: 'ROUTING.MERCHANT_HAS_NO_CHANNEL_ACCOUNTS' });
  });

  it('offers exactly the methods that would route, per amount, without storing decisions', async () => {
    const offer = (amountMinor: number, merchantId = DEMO_MERCHANT_ID) =>
      client.request(OfferMethods, { merchantId, amount: { amountMinor, currency: 'CNY' } });
    const before = (await routing!.app
      .get(DataSource)
      .query('SELECT count(*)::int AS n FROM routing.route_decisions')) as Array<{ n: number }>;
    // The demo merchant: Alipay up to ¥50,000 (two accounts), WeChat Pay up to ¥20,000, UnionPay disabled.
    expect((await offer(10_000)).methods.map((m) => m.method)).toEqual(['ALIPAY', 'WECHAT_PAY']);
    expect((await offer(3_000_000)).methods.map((m) => m.method)).toEqual(['ALIPAY']);
    expect((await offer(100, 'mch_01M85DMB00EHTE541GQYE3T4TZ')).methods).toEqual([]);
    const after = (await routing!.app
      .get(DataSource)
      .query('SELECT count(*)::int AS n FROM routing.route_decisions')) as Array<{ n: number }>;
    expect(after[0].n).toBe(before[0].n);
  });

  it('refuses an invalid request before sending it', async () => {
    await expect(
      client.request(DecideRoute, {
        merchantId: 'nope',
        method: 'ALIPAY',
        amount: { amountMinor: 1, currency: 'CNY' },
      } as never),
    ).rejects.toThrow(/merchantId/);
  });

  it('fails with REQUEST.TIMEOUT, not a hang, when nobody answers', async () => {
    await routing!.stop();
    routing = undefined;
    const started = Date.now();
    const failure = await client
      .request(
        DecideRoute,
        {
          merchantId: DEMO_MERCHANT_ID,
          method: 'ALIPAY',
          amount: { amountMinor: 100, currency: 'CNY' },
        },
        { timeoutMs: 1_500 },
      )
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'REQUEST.TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
