import { newId } from '@paylab/ids';
import { Client } from 'pg';
import { runInvariantCheck } from './support/invariants';
import { PaymentDriver } from './support/payment-driver';
import { startPaymentSystem, type PaymentSystem } from './support/payment-system';

/**
 * `npm run check:invariants` against a real payment system: every service a real process, a few
 * payments made through them, then the compiled tool run as a child process on their database.
 */
describe('check:invariants on a running payment system', () => {
  let system: PaymentSystem;
  let driver: PaymentDriver;
  const from = new Date(Date.now() - 60_000);

  beforeAll(async () => {
    // This suite plants breaches on purpose, so the end-of-run check is not for it.
    system = await startPaymentSystem('invariants', {}, { checkInvariantsAtStop: false });
    driver = new PaymentDriver(system);
  }, 600_000);

  afterAll(async () => {
    await system?.stop();
  });

  it('holds after payments: each paid transaction a SUCCEEDED order, cleared once, the ledger balanced', async () => {
    const paid = [await driver.payOnce(1_800), await driver.payOnce(2_500)];
    for (const payment of paid) await driver.clearing(payment.transactionId!);

    const run = await runInvariantCheck(system, { from, to: new Date(Date.now() + 60_000) });
    expect(run.output).toContain(
      '[OK] (a) every SUCCEEDED channel transaction is a SUCCEEDED order or a returned late payment: 2 checked (succeededOrders 2, latePaymentsReturned 0, latePaymentReturnsPending 0)',
    );
    expect(run.output).toContain(
      '[OK] (b) each paid channel transaction is cleared exactly once (payment or suspense): 2 checked (paymentClearings 2, suspenseClearings 0)',
    );
    expect(run.output).toMatch(
      /\[OK\] \(d\) every journal entry balances, and so does the trial balance: 2 checked/,
    );
    expect(run.output).toMatch(/\[OK\] \(e\) LATE_PAYMENT_SUSPENSE/);
    expect(run.exitCode).toBe(0);
  });

  it('exits 1 naming a SUCCEEDED channel transaction that no order and no clearing accounts for', async () => {
    const db = new Client({ connectionString: system.databaseUrl });
    await db.connect();
    const orphan = newId('txn');
    try {
      // Money the channel says we took, for an order cashier never had: planted behind the
      // services' backs, as a bug or a hand-edited row would leave it.
      await db.query(
        `INSERT INTO acquiring.channel_transactions
           (id, payment_id, merchant_id, channel, out_trade_no, channel_trade_no, amount_minor, currency,
            subject, qr_payload, status, confirmed_by, paid_at, business_date, expires_at,
            next_query_at, created_at, updated_at)
         VALUES ($1, $2, $3, 'ALIPAY', $4, $5, 100, 'CNY', 'planted', 'planted', 'SUCCEEDED',
                 'CALLBACK', now(), CURRENT_DATE, now(), now(), now(), now())`,
        [orphan, newId('pay'), newId('mch'), `planted-${orphan}`, `planted-${orphan}`],
      );
    } finally {
      await db.end();
    }
    const run = await runInvariantCheck(system, { from, to: new Date(Date.now() + 60_000) });
    expect(run.exitCode).toBe(1);
    expect(run.output).toContain(
      `BREACH ${orphan}: paid at the channel, but no SUCCEEDED order and no late payment`,
    );
    expect(run.output).toContain(`BREACH ${orphan}: not cleared`);
    expect(run.output).toMatch(/check\(s\) breached$/m);
  });
});
