import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { MessageHeaders, Topics } from '@paylab/contracts';
import { createKafka, readTopic } from '@paylab/messaging';
import { createLogger } from '@paylab/platform';
import { buildAuthorizationHeader } from '../services/cashier/src/merchant-auth/domain/request-signature';
import { DEMO_MERCHANT } from '../services/cashier/src/merchants/demo-merchant';
import { DEMO_OPERATOR_TOKENS } from './local/demo-operators';

/**
 * The student walkthrough as a script: one payment through the running system (local mode or
 * compose), printing each step with the ids, states and events it saw.
 *
 *   npm run demo                       # local mode: services on localhost:3000-3005
 *   docker compose exec cashier node dist/tools/demo.js   # inside compose (service hostnames)
 *
 * URLs come from CASHIER_URL, SETTLEMENT_URL, RECONCILIATION_URL, KAFKA_BROKERS when set.
 * Settlement and reconciliation are internal: the script calls them as the demo instructor
 * (OPERATOR_TOKEN overrides it).
 */
const env = process.env;
const inCompose = env.KAFKA_BROKERS === 'kafka:9092';
const url = (name: string, port: number) =>
  env[`${name.toUpperCase()}_URL`] ?? `http://${inCompose ? name : 'localhost'}:${port}`;
const CASHIER = url('cashier', 3000);
const SETTLEMENT = url('settlement', 3003);
const RECONCILIATION = url('reconciliation', 3004);
const BROKERS = (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const AS_OPERATOR = {
  authorization: `Bearer ${env.OPERATOR_TOKEN ?? DEMO_OPERATOR_TOKENS.instructor}`,
};

let step = 0;
function show(title: string, details: Record<string, unknown> = {}): void {
  step += 1;
  console.log(`\n${String(step).padStart(2)}. ${title}`);
  for (const [key, value] of Object.entries(details)) {
    console.log(
      `      ${key.padEnd(16)} ${typeof value === 'string' ? value : JSON.stringify(value)}`,
    );
  }
}

async function merchantCall(
  method: 'GET' | 'POST',
  path: string,
  body = '',
): Promise<Record<string, unknown>> {
  const authorization = buildAuthorizationHeader(
    DEMO_MERCHANT.appId,
    DEMO_MERCHANT.signingSecret,
    { method, path, query: '', body },
    Math.floor(Date.now() / 1000),
    randomBytes(12).toString('hex'),
  );
  const response = await fetch(`${CASHIER}${path}`, {
    method,
    headers: {
      authorization,
      ...(body
        ? { 'content-type': 'application/json', 'idempotency-key': randomBytes(8).toString('hex') }
        : {}),
    },
    ...(body ? { body } : {}),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok)
    throw new Error(`${method} ${path} → ${response.status} ${JSON.stringify(json)}`);
  return json;
}

async function poll<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`gave up waiting for ${what} after ${timeoutMs / 1000}s`);
}

async function main(): Promise<void> {
  console.log(`PayLab demo: one payment end to end (cashier ${CASHIER})`);
  const started = Date.now();
  const order = await merchantCall(
    'POST',
    '/v1/payments',
    JSON.stringify({
      merchantOrderNo: `DEMO-${Date.now()}`,
      amount: { amountMinor: 1_800, currency: 'CNY' },
      subject: 'Latte (拿铁)',
    }),
  );
  const paymentId = order.id as string;
  show('Merchant creates a payment order (POST /v1/payments, signed, Idempotency-Key)', {
    paymentId,
    state: order.state,
    amount: order.amount,
    checkoutUrl: order.checkoutUrl,
    aggregatedQr: order.qrCodeUrl,
  });

  const credentialsResponse = await fetch(`${CASHIER}/checkout/${paymentId}/credentials`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ method: 'ALIPAY' }),
  });
  const credentials = (await credentialsResponse.json()) as Record<string, unknown> & {
    payment: Record<string, unknown>;
  };
  if (!credentialsResponse.ok) throw new Error(`checkout → ${JSON.stringify(credentials)}`);
  show('Payer picks Alipay at checkout: routing decides, acquiring charges (request/reply)', {
    routeDecisionId: credentials.routeDecisionId,
    transactionId: credentials.transactionId,
    state: credentials.payment.state,
    qrPayload: credentials.qrPayload,
  });

  const pay = await fetch(`${credentials.qrPayload as string}/pay`, {
    method: 'POST',
    headers: { accept: 'application/json' },
  });
  show('Payer scans and pays on the sandbox page', { sandboxAnswer: pay.status });

  const succeeded = await poll('SUCCEEDED', async () => {
    const view = await merchantCall('GET', `/v1/payments/${paymentId}`);
    return view.state === 'SUCCEEDED' ? view : undefined;
  });
  const succeededMs = Date.now() - started;
  show('Channel callback → acquiring → cashier: the order is SUCCEEDED', {
    state: succeeded.state,
    transactionId: succeeded.transactionId,
    afterMs: succeededMs,
  });

  const clearing = await poll('clearing', async () => {
    const response = await fetch(
      `${SETTLEMENT}/v1/clearings/${succeeded.transactionId as string}`,
      {
        headers: AS_OPERATOR,
      },
    );
    return response.ok ? ((await response.json()) as Record<string, unknown>) : undefined;
  });
  show('Settlement clears it (清分) and posts balanced double entries', {
    gross: clearing.gross,
    merchantFee: clearing.merchantFee,
    channelCost: clearing.channelCost,
    platformMargin: clearing.platformMargin,
    merchantNet: clearing.merchantNet,
    clearedAfterMs: Date.now() - started - succeededMs,
  });
  const balances = await (
    await fetch(`${SETTLEMENT}/v1/merchants/${DEMO_MERCHANT.merchantId}/balances`, {
      headers: AS_OPERATOR,
    })
  ).json();
  show("The demo merchant's balances", { balances });

  const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
  const reconResponse = await poll('a recon run', async () => {
    const response = await fetch(`${RECONCILIATION}/v1/recon-runs`, {
      method: 'POST',
      headers: { ...AS_OPERATOR, 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'ALIPAY', businessDate: today }),
    });
    return response.ok ? ((await response.json()) as Record<string, unknown>) : undefined;
  });
  show(
    `Reconciliation fetches today's Alipay statement (${today}) through acquiring and matches it`,
    {
      runId: reconResponse.id,
      counts: Object.fromEntries(
        Object.entries(reconResponse.counts as Record<string, number>).filter(([, n]) => n > 0),
      ),
      discrepancies: reconResponse.discrepancyCount,
    },
  );

  try {
    const kafka = createKafka({
      clientId: 'paylab-demo',
      brokers: BROKERS,
      logger: createLogger('demo', 'error'),
      retries: 1,
    });
    const lines: string[] = [];
    for (const topic of [
      Topics.paymentOrders.name,
      Topics.channelPayments.name,
      Topics.clearings.name,
    ]) {
      const messages = await readTopic(kafka, topic, { minMessages: 1, timeoutMs: 4_000 });
      for (const message of messages.filter((m) => m.key === paymentId)) {
        lines.push(
          `${message.headers[MessageHeaders.occurredAt]}  ${topic}  ${message.headers[MessageHeaders.eventType]}`,
        );
      }
    }
    show('The events this payment produced, read from Kafka', {});
    for (const line of lines.sort()) console.log(`      ${line}`);
  } catch (error) {
    show('Events: Kafka is not reachable from here', {
      reason: error instanceof Error ? error.message : String(error),
    });
  }
  console.log(`\nDone in ${((Date.now() - started) / 1000).toFixed(1)}s.`);
}

main().catch((error: unknown) => {
  console.error(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
