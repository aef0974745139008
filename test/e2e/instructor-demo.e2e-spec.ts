import { waitFor } from '@paylab/testing';
import { PaymentDriver, type Discrepancy } from './support/payment-driver';
import { awayFromCutOff, startPaymentSystem, type PaymentSystem } from './support/payment-system';

/**
 * The classroom demo: an instructor stages one channel fault per payment, runs reconciliation,
 * and each fault shows up as exactly the discrepancy (差错) it should — and nothing else does.
 * A system of its own (database and broker), so the counts are exact.
 */
describe('instructor demo: each channel fault becomes exactly its discrepancy', () => {
  let system: PaymentSystem;
  let driver: PaymentDriver;

  beforeAll(async () => {
    // No CROSS_DAY window: an omitted payment is 短款 whatever the time of day (the window itself
    // is covered by reconciliation's unit and integration tests).
    system = await startPaymentSystem('demo', {
      reconciliation: { RECON_CROSS_DAY_WINDOW_MINUTES: '0' },
    });
    driver = new PaymentDriver(system);
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('OMIT → MISSING_IN_CHANNEL (短款), amount → AMOUNT_MISMATCH, status → the payment missing and an unknown refund, extra line → MISSING_IN_PLATFORM (长款); callback faults → no break', async () => {
    await awayFromCutOff();
    const clean = await driver.payOnce(1_000);

    await driver.stageFault('DUPLICATE_CALLBACK');
    const duplicated = await driver.payOnce(1_100);

    await driver.stageFault('OMIT_FROM_STATEMENT');
    const omitted = await driver.payOnce(1_200);

    await driver.stageFault('STATEMENT_AMOUNT_DELTA', { deltaFen: 7 });
    const misstated = await driver.payOnce(1_300);

    await driver.stageFault('STATEMENT_STATUS');
    const refundedOnStatement = await driver.payOnce(1_400);

    await driver.stageFault('EXTRA_STATEMENT_LINE', { amountFen: 4_242 });
    const withExtraLine = await driver.payOnce(1_500);

    const paidIds = [clean, duplicated, omitted, misstated, refundedOnStatement, withExtraLine].map(
      (p) => p.id,
    );
    // The projection is built from events: wait until reconciliation has seen all six payments.
    const run = await waitFor(
      'a recon run covering all six payments',
      () => driver.reconcileToday(),
      (candidate) => Object.values(candidate.counts).reduce((sum, n) => sum + n, 0) >= 7,
      { timeoutMs: 60_000, intervalMs: 500 },
    );

    // STATEMENT_STATUS puts a 退款 line where the payment's 交易 line should be. Refund lines are
    // matched as refunds of their own, so a statement that calls a payment refunded shows both
    // halves of the disagreement: the payment is missing from the channel's side (短款), and the
    // channel reports a refund the platform never asked for.
    expect(Object.fromEntries(Object.entries(run.counts).filter(([, n]) => n > 0))).toEqual({
      MATCHED: 3,
      MISSING_IN_CHANNEL: 2,
      AMOUNT_MISMATCH: 1,
      MISSING_IN_PLATFORM: 1,
      REFUND_MISSING_IN_PLATFORM: 1,
    });

    const discrepancies = await driver.discrepancies(run.id);
    expect(discrepancies).toHaveLength(5);
    const byType = new Map(discrepancies.map((d) => [d.type, d]));
    const paymentOf = (d: Discrepancy | undefined) =>
      (d?.platform as { paymentId?: string } | null)?.paymentId;
    expect(
      discrepancies
        .filter((d) => d.type === 'MISSING_IN_CHANNEL')
        .map(paymentOf)
        .sort(),
    ).toEqual([omitted.id, refundedOnStatement.id].sort());
    expect(paymentOf(byType.get('AMOUNT_MISMATCH'))).toBe(misstated.id);
    expect(JSON.stringify(byType.get('REFUND_MISSING_IN_PLATFORM'))).toContain(
      refundedOnStatement.id,
    );
    const extra = byType.get('MISSING_IN_PLATFORM')!;
    expect(extra.platform).toBeNull();
    expect((extra.statement as { amount: { amountMinor: number } }).amount.amountMinor).toBe(4_242);
    expect(discrepancies.every((d) => d.status === 'OPEN')).toBe(true);
    // Neither the duplicated callback nor the clean payment is a break, and each was booked once.
    for (const id of paidIds) {
      const clearings = await driver.query(
        'SELECT 1 FROM settlement.clearings WHERE payment_id = $1',
        [id],
      );
      expect(clearings).toHaveLength(1);
    }
  });
});
