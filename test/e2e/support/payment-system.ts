import { readFileSync } from 'node:fs';
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
  waitUntilReady,
  type ServiceProcess,
} from '../../../tools/local/service-processes';

import { OPERATOR_TOKENS } from './operator-credentials';

/**
 * The sandbox's fault API takes the instructor operator credential (deploy/env/common.env gives
 * every service the demo credentials); kept under this name for the tests that stage faults.
 */
export const INSTRUCTOR_TOKEN: string = OPERATOR_TOKENS.instructor;

export interface PaymentSystem {
  urls: Record<ServiceName, string>;
  databaseUrl: string;
  logOf(name: ServiceName): string;
  stop(): Promise<void>;
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
): Promise<PaymentSystem> {
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
    settlement: {},
    reconciliation: { ACQUIRING_URL: urls.acquiring },
  };

  const running: ServiceProcess[] = [];
  const stop = async () => {
    for (const service of [...running].reverse()) await stopServiceProcess(service.pid);
    await kafka.destroy();
    await dropDatabase(infra.adminUrl, databaseName);
  };
  try {
    for (const name of SERVICE_NAMES) {
      const override = overrides[name];
      const env = localEnvOf(name, {
        HTTP_PORT: String(ports[name]),
        DATABASE_URL: databaseUrl,
        REDIS_URL: infra.redisUrl,
        KAFKA_BROKERS: kafka.brokers.join(','),
        LOG_LEVEL: 'info',
        OUTBOX_POLL_INTERVAL_MS: '50',
        ...specific[name],
        ...(typeof override === 'function' ? override({ databaseUrl }) : override),
      });
      const service = startServiceProcess(name, { env, stateDir });
      running.push(service);
      const readiness = await waitUntilReady(service, 60_000);
      if (!readiness.ready) {
        throw new Error(
          `${name} not ready: ${readiness.lastAnswer}\n${readFileSync(service.logFile, 'utf8').slice(-3_000)}`,
        );
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    urls,
    databaseUrl,
    logOf: (name) => join(stateDir, 'logs', `${name}.log`),
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
