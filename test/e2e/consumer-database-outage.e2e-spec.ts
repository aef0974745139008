import { startFaultProxy, throughProxy, waitFor, type FaultProxy } from '@paylab/testing';
import { asOperator } from './support/operator-credentials';
import { PaymentDriver } from './support/payment-driver';
import { awayFromCutOff, startPaymentSystem, type PaymentSystem } from './support/payment-system';

// The services with @EventPattern consumers (acquiring and routing only answer requests).
const SERVICES_WITH_CONSUMERS = ['cashier', 'settlement', 'reconciliation'] as const;
const OUTAGE_MS = 30_000;
const PAYMENTS = 12;

interface Readiness {
  status: number;
  checks: Record<string, { status: string; error?: string }>;
}

/**
 * Issue item 1 on the real stack: settlement (which clears payments from events and writes the
 * ledger) loses its database for 30 s while payments keep flowing. Nothing may be lost, nothing
 * applied twice, nothing dead-lettered. Asserted on outcomes (clearings per transaction, trial
 * balance, dead-letter topics), not on which topic settlement clears from.
 */
describe('a consumer loses its database for 30 s while payments flow', () => {
  let system: PaymentSystem;
  let driver: PaymentDriver;
  let proxy: FaultProxy;

  beforeAll(async () => {
    const adminUrl = new URL(process.env.PAYLAB_TEST_DATABASE_URL!);
    proxy = await startFaultProxy({
      host: adminUrl.hostname,
      port: Number(adminUrl.port || 5432),
    });
    system = await startPaymentSystem('dbcut', {
      settlement: ({ databaseUrl }) => ({ DATABASE_URL: throughProxy(databaseUrl, proxy) }),
    });
    driver = new PaymentDriver(system);
  });

  afterAll(async () => {
    proxy?.restore();
    await system?.stop();
    await proxy?.close();
  });

  const settlementReadiness = async (): Promise<Readiness> => {
    const response = await fetch(`${system.urls.settlement}/health`);
    const body = (await response.json()) as { checks: Readiness['checks'] };
    return { status: response.status, checks: body.checks };
  };

  it('clears every payment exactly once after the outage and dead-letters nothing', async () => {
    await awayFromCutOff();
    const warmUp = await driver.payOnce(1_000);
    await driver.clearing(warmUp.transactionId!);

    proxy.cut();
    const cutAt = Date.now();
    const paid: Array<{ id: string; transactionId: string }> = [];
    let blockedSeen: Readiness | undefined;
    for (let i = 0; i < PAYMENTS; i += 1) {
      const payment = await driver.payOnce(1_000 + i * 37);
      paid.push({ id: payment.id, transactionId: payment.transactionId! });
      const readiness = await settlementReadiness();
      if (
        readiness.status === 503 &&
        /blocked on/.test(readiness.checks['kafka-consumer']?.error ?? '')
      ) {
        blockedSeen ??= readiness;
      }
    }
    blockedSeen ??= await waitFor(
      'settlement readiness naming its blocked consumer',
      settlementReadiness,
      (r) => r.status === 503 && /blocked on/.test(r.checks['kafka-consumer']?.error ?? ''),
      { timeoutMs: 20_000, intervalMs: 250 },
    );
    expect(blockedSeen.checks['kafka-consumer'].status).toBe('down');
    expect(blockedSeen.checks['kafka-consumer'].error).toMatch(
      /blocked on paylab\.\S+ partition \d+ since .*database/,
    );
    expect(blockedSeen.checks.postgres?.status).toBe('down');

    // Hold the outage for its full length; settlement must stay blocked, not give up.
    const remaining = OUTAGE_MS - (Date.now() - cutAt);
    if (remaining > 0) await new Promise((resolve) => setTimeout(resolve, remaining));
    expect((await settlementReadiness()).status).toBe(503);
    proxy.restore();

    await waitFor('settlement ready again', settlementReadiness, (r) => r.status === 200, {
      timeoutMs: 60_000,
      intervalMs: 500,
    });
    for (const payment of paid) await driver.clearing(payment.transactionId);

    const clearings = await driver.query<{ transaction_id: string; n: number }>(
      `SELECT transaction_id, count(*)::int AS n FROM settlement.clearings
        WHERE transaction_id = ANY($1) GROUP BY transaction_id`,
      [paid.map((p) => p.transactionId)],
    );
    expect(clearings).toHaveLength(PAYMENTS);
    expect(clearings.every((row) => row.n === 1)).toBe(true);

    const trialBalance = await fetch(`${system.urls.settlement}/v1/ledger/trial-balance`, {
      headers: asOperator(),
    });
    expect(trialBalance.status).toBe(200);
    const balance = (await trialBalance.json()) as { balanced: boolean; entryCount: number };
    expect(balance.balanced).toBe(true);
    expect(balance.entryCount).toBeGreaterThanOrEqual(PAYMENTS + 1);

    // No service dead-lettered anything, read through the admin endpoint every consumer has.
    for (const service of SERVICES_WITH_CONSUMERS) {
      const response = await fetch(`${system.urls[service]}/v1/admin/dead-letters?limit=1000`, {
        headers: asOperator('operator'),
      });
      expect(response.status).toBe(200);
      const { topics, deadLetters } = (await response.json()) as {
        topics: string[];
        deadLetters: unknown[];
      };
      expect(topics.length).toBeGreaterThan(0);
      expect({ service, deadLetters }).toEqual({ service, deadLetters: [] });
    }
  });
});
