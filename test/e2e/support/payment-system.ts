import { join } from 'node:path';
import {
  createDatabase,
  dropDatabase,
  ENV_VARIABLES,
  freePort,
  REPO_ROOT,
  startDisposableKafka,
  type DisposableKafka,
} from '@paylab/testing';
import { seedDemoData } from '../../../tools/seed';
import { localEnvOf, SERVICE_NAMES, type ServiceName } from '../../../tools/local/env-files';
import {
  startServiceProcess,
  stopServiceProcess,
  assertReady,
  type ServiceProcess,
} from '../../../tools/local/service-processes';

import { runInvariantCheck } from './invariants';
import { OPERATOR_TOKENS } from './operator-credentials';

/**
 * The sandbox's fault API takes the instructor operator credential (deploy/env/common.env gives
 * every service the demo credentials); kept under this name for the tests that stage faults.
 */
export const INSTRUCTOR_TOKEN: string = OPERATOR_TOKENS.instructor;

export interface PaymentSystem {
  urls: Record<ServiceName, string>;
  databaseUrl: string;
  /** The run's own Kafka broker(s), e.g. to publish an event as another service would. */
  kafkaBrokers: string[];
  logOf(name: ServiceName): string;
  /**
   * Stops a service's process (its first replica), e.g. to take settlement down over cut-offs,
   * and starts it again with the same configuration plus `overrides`, on the same port.
   */
  restart(name: ServiceName, overrides?: Record<string, string>): Promise<void>;
  /** Starts one more replica of a service, on a port of its own; returns its base URL. */
  startReplica(name: ServiceName, overrides?: Record<string, string>): Promise<string>;
  /**
   * Stops every service and drops the run's database. Unless the run was started with
   * `checkInvariantsAtStop: false`, it first runs `npm run check:invariants` over the run
   * (waiting up to 30 s for events still in flight to land) and throws if any invariant breaks:
   * every e2e suite on a payment system ends by proving the money adds up.
   */
  stop(): Promise<void>;
}

export interface PaymentSystemOptions {
  /** Default true. Off only for a suite that plants breaches on purpose. */
  checkInvariantsAtStop?: boolean;
}

/**
 * All six services as real processes, on a fresh database and a Kafka broker of their own, so
 * that a run sees only its own events: reconciliation can then be asserted exactly. Timers are
 * scaled down (callback and webhook retries, active query) so a lesson's worth of waiting takes
 * seconds; everything else is the configuration compose uses.
 */
export async function startPaymentSystem(
  label: string,
  // A function override sees the run's fresh database URL (e.g. to route one service's
  // connection through a fault proxy).
  overrides: Partial<
    Record<
      ServiceName,
      Record<string, string> | ((run: { databaseUrl: string }) => Record<string, string>)
    >
  > = {},
  options: PaymentSystemOptions = {},
): Promise<PaymentSystem> {
  const startedAt = new Date();
  const infra = {
    adminUrl: process.env[ENV_VARIABLES.databaseUrl]!,
    redisUrl: process.env[ENV_VARIABLES.redisUrl]!,
  };
  const mode = process.env.PAYLAB_TEST_INFRASTRUCTURE_MODE as 'env' | 'testcontainers' | 'local';
  const databaseName = `paylab_${label}_${Date.now().toString(36)}`;
  const stateDir = join(REPO_ROOT, '.cache', 'test', databaseName);
  const kafka: DisposableKafka = await startDisposableKafka(REPO_ROOT, mode);
  const databaseUrl = await createDatabase(infra.adminUrl, databaseName);
  await seedDemoData(databaseUrl, () => undefined);

  const ports = {} as Record<ServiceName, number>;
  for (const name of SERVICE_NAMES) ports[name] = await freePort();
  const urls = Object.fromEntries(
    SERVICE_NAMES.map((name) => [name, `http://127.0.0.1:${ports[name]}`]),
  ) as Record<ServiceName, string>;

  const specific: Record<ServiceName, Record<string, string>> = {
    'channel-sandbox': {
      PUBLIC_BASE_URL: urls['channel-sandbox'],
      API_BASE_URL: urls['channel-sandbox'],
      CALLBACK_TIME_SCALE: '0.001',
      CALLBACK_POLL_INTERVAL_MS: '100',
    },
    routing: {},
    acquiring: {
      PUBLIC_BASE_URL: urls.acquiring,
      CHANNEL_SANDBOX_URL: urls['channel-sandbox'],
      ALIPAY_GATEWAY_URL: `${urls['channel-sandbox']}/alipay/gateway.do`,
      WECHATPAY_BASE_URL: `${urls['channel-sandbox']}/wechatpay/`,
      ACTIVE_QUERY_INTERVAL_MS: '500',
      ACTIVE_QUERY_AFTER_MS: '3000',
    },
    cashier: {
      PUBLIC_BASE_URL: urls.cashier,
      WEBHOOK_TIME_SCALE: '0.001',
      WEBHOOK_POLL_INTERVAL_MS: '100',
      // The tests' webhook receivers listen on loopback; everything else internal stays refused.
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
    },
    settlement: {
      BANK_BASE_URL: `${urls['channel-sandbox']}/bank`,
      BANK_NOTIFY_URL: `${urls.settlement}/v1/bank/payout-notifications`,
      // Suites run the end of day as an instructor does; one that tests the schedule turns it on.
      EOD_SCHEDULE_ENABLED: 'false',
      PAYOUT_POLL_INTERVAL_MS: '200',
    },
    reconciliation: { ACQUIRING_URL: urls.acquiring },
  };

  const running: ServiceProcess[] = [];
  const stopEverything = async () => {
    for (const service of [...running].reverse()) await stopServiceProcess(service.pid);
    await kafka.destroy();
    await dropDatabase(infra.adminUrl, databaseName);
  };
  const stop = async () => {
    const breach =
      options.checkInvariantsAtStop === false
        ? undefined
        : await invariantBreach(databaseUrl, startedAt).catch((error: unknown) =>
            error instanceof Error ? error.message : String(error),
          );
    await stopEverything();
    if (breach) throw new Error(`check:invariants failed at the end of the run:\n${breach}`);
  };
  const envOf = (name: ServiceName, port: number, extra: Record<string, string> = {}) => {
    const override = overrides[name];
    return localEnvOf(name, {
      HTTP_PORT: String(port),
      DATABASE_URL: databaseUrl,
      REDIS_URL: infra.redisUrl,
      KAFKA_BROKERS: kafka.brokers.join(','),
      LOG_LEVEL: 'info',
      OUTBOX_POLL_INTERVAL_MS: '50',
      ...specific[name],
      ...(typeof override === 'function' ? override({ databaseUrl }) : override),
      ...extra,
    });
  };
  try {
    for (const name of SERVICE_NAMES) {
      const service = startServiceProcess(name, { env: envOf(name, ports[name]), stateDir });
      running.push(service);
      await assertReady(service);
    }
  } catch (error) {
    await stopEverything();
    throw error;
  }
  let replicas = 1;
  return {
    urls,
    databaseUrl,
    kafkaBrokers: kafka.brokers,
    logOf: (name) => join(stateDir, 'logs', `${name}.log`),
    restart: async (name, extra = {}) => {
      const at = running.findIndex((service) => service.name === name);
      await stopServiceProcess(running[at].pid);
      const service = startServiceProcess(name, {
        env: envOf(name, ports[name], extra),
        stateDir,
        instance: `restarted-${Date.now().toString(36)}`,
      });
      running[at] = service;
      await assertReady(service);
    },
    startReplica: async (name, extra = {}) => {
      replicas += 1;
      const port = await freePort();
      const service = startServiceProcess(name, {
        env: envOf(name, port, {
          ...extra,
          // The replica's bank notifications come back to itself.
          ...(name === 'settlement'
            ? { BANK_NOTIFY_URL: `http://127.0.0.1:${port}/v1/bank/payout-notifications` }
            : {}),
        }),
        stateDir,
        instance: String(replicas),
      });
      running.push(service);
      await assertReady(service);
      return service.baseUrl;
    },
    stop,
  };
}

/** The business date (Asia/Shanghai) of an instant, as channels cut their statements. */
export function shanghaiDate(instant: Date = new Date()): string {
  return new Date(instant.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

const CUT_OFF_MARGIN_MS = 90_000;

/**
 * Statements are cut at 00:00 Asia/Shanghai (16:00 UTC). A scenario that straddles the cut-off
 * would pay on one business date and reconcile another, so near it the test waits until the new
 * day has begun. Not a retry: the behaviour under test does not depend on the clock otherwise.
 */
export async function awayFromCutOff(): Promise<void> {
  const msIntoShanghaiDay = (Date.now() + 8 * 3_600_000) % 86_400_000;
  const msToCutOff = 86_400_000 - msIntoShanghaiDay;
  if (msToCutOff < CUT_OFF_MARGIN_MS) {
    await new Promise((resolve) => setTimeout(resolve, msToCutOff + 1_000));
  }
}

/**
 * Runs the invariant check over a run until it passes or 30 s have passed (clearings and refunds
 * still travelling between services converge; a real breach does not). Returns the tool's output
 * when it still fails, undefined when it holds.
 */
async function invariantBreach(databaseUrl: string, from: Date): Promise<string | undefined> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const run = await runInvariantCheck(
      { databaseUrl },
      { from: new Date(from.getTime() - 60_000), to: new Date(Date.now() + 60_000) },
    );
    if (run.exitCode === 0) return undefined;
    if (Date.now() > deadline) return run.output;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}
