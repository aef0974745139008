import { newId } from '@paylab/ids';
import { BatchBuilder } from '../../../services/settlement/src/batches/batch-builder';
import { Payouts } from '../../../services/settlement/src/payouts/payouts.service';
import { startSettlementUnderTest, type SettlementUnderTest } from './settlement-under-test';

jest.setTimeout(120_000);

const COFFEE = 'mch_01M85DMB00EHTE541GQYE3T4TJ';

interface BatchBody {
  state: string;
  payouts: Array<{ id: string; state: string; bankTxnNo: string | null; submitAttempts: number }>;
}

/**
 * A payout whose bank never answers (here: no bank at all) stays in flight and is only ever
 * asked about; an admin who has read the bank's statement settles it by hand, once.
 */
describe('settlement payouts the bank cannot answer for (real Postgres)', () => {
  let settlement: SettlementUnderTest;
  let batchId: string;
  let payoutId: string;

  beforeAll(async () => {
    settlement = await startSettlementUnderTest('payout-resolution', {
      consumer: 'none',
      // Nothing listens there: every submission and query fails in transport.
      env: {
        BANK_BASE_URL: 'http://127.0.0.1:9/bank',
        BANK_REQUEST_TIMEOUT_MS: '500',
        PAYOUT_POLL_INTERVAL_MS: '100',
      },
    });
    await settlement.db.query(
      `INSERT INTO settlement_items (kind, source_id, merchant_id, transaction_id, payment_id,
         currency, gross_minor, fee_minor, refund_minor, net_minor, occurred_at, business_date)
       VALUES ('PAYMENT', $1, $2, $3, $4, 'CNY', 10000, 60, 0, 9940, now(), '2026-03-01')`,
      [newId('clr'), COFFEE, newId('txn'), newId('pay')],
    );
    await settlement.service.app.get(BatchBuilder).build('2026-03-02');
    await settlement.service.app.get(Payouts).payOutDue('2026-03-02');
    const [row] = (
      await settlement.db.query(`SELECT id, batch_id FROM payouts WHERE merchant_id = $1`, [COFFEE])
    ).rows as Array<{ id: string; batch_id: string }>;
    payoutId = row.id;
    batchId = row.batch_id;
  });

  afterAll(async () => {
    await settlement?.stop();
  });

  const resolve = (role: 'admin' | 'operator', body: unknown, payout = payoutId) =>
    settlement.request<{ error?: { code: string } } & BatchBody>(
      'POST',
      `/v1/admin/settlement-batches/${batchId}/payouts/${payout}/resolve`,
      { role, body },
    );

  it('keeps asking, never resubmitting, while the bank does not answer', async () => {
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const { body } = await settlement.get<BatchBody>(`/v1/admin/settlement-batches/${batchId}`);
    expect(body.state).toBe('PAYING');
    expect(body.payouts).toHaveLength(1);
    expect(body.payouts[0]).toMatchObject({ state: 'UNKNOWN', submitAttempts: 1 });
  });

  it('refuses the wrong role and bad resolutions, writing nothing', async () => {
    expect(
      (await resolve('operator', { outcome: 'PAID', bankTxnNo: 'PLB1', reason: 'seen' })).status,
    ).toBe(403);
    for (const bad of [
      { outcome: 'PAID', reason: 'no bank transaction number' },
      // Never FAILED by hand: the bank may still carry it out, and its money would be paid twice.
      { outcome: 'FAILED', reason: 'the bank does not answer' },
      { outcome: 'MAYBE', bankTxnNo: 'PLB1', reason: 'x' },
      { outcome: 'PAID', bankTxnNo: 'PLB1', reason: '' },
      { outcome: 'PAID', bankTxnNo: "PLB'; DROP TABLE payouts;--", reason: 'x' },
      { outcome: 'PAID', bankTxnNo: 'PLB1', reason: 'x', extra: true },
    ]) {
      expect({ bad, status: (await resolve('admin', bad)).status }).toEqual({ bad, status: 400 });
    }
    expect(
      (await resolve('admin', { outcome: 'PAID', bankTxnNo: 'PLB1', reason: 'x' }, newId('po')))
        .status,
    ).toBe(404);
    // While a worker is asking the bank about it, a hand resolution waits its turn.
    await settlement.db.query(
      `UPDATE payouts SET claimed_until = now() + interval '1 minute' WHERE id = $1`,
      [payoutId],
    );
    const busy = await resolve('admin', { outcome: 'PAID', bankTxnNo: 'PLB1', reason: 'x' });
    expect(busy).toMatchObject({ status: 409, body: { error: { code: 'PAYOUT.NOT_RESOLVABLE' } } });
    await settlement.db.query(`UPDATE payouts SET claimed_until = NULL WHERE id = $1`, [payoutId]);
    const { body } = await settlement.get<BatchBody>(`/v1/admin/settlement-batches/${batchId}`);
    expect(body.state).toBe('PAYING');
  });

  it('settles it PAID by hand, moves the money to the bank, and refuses a second resolution', async () => {
    const resolved = await resolve('admin', {
      outcome: 'PAID',
      bankTxnNo: 'PLB20260302000000000042',
      reason: '对账: the bank statement of 2 March shows it paid',
    });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({
      state: 'PAID',
      payouts: [{ id: payoutId, state: 'PAID', bankTxnNo: 'PLB20260302000000000042' }],
    });
    const balances = (
      await settlement.db.query(
        `SELECT split_part(account, ':', 1) AS code,
                SUM(CASE side WHEN 'CREDIT' THEN amount_minor ELSE -amount_minor END)::int AS balance
           FROM journal_lines
          WHERE account IN ($1, 'PLATFORM_BANK') GROUP BY 1 ORDER BY 1`,
        [`MERCHANT_PAYABLE_IN_TRANSIT:${COFFEE}`],
      )
    ).rows;
    // Credits minus debits: nothing left in transit; the bank account (an asset) credited 99.40.
    expect(balances).toEqual([
      { code: 'MERCHANT_PAYABLE_IN_TRANSIT', balance: 0 },
      { code: 'PLATFORM_BANK', balance: 9940 },
    ]);
    const events = (
      await settlement.db.query(
        `SELECT count(*)::int AS n FROM outbox_messages WHERE event_type = 'settlement.batch_paid'`,
      )
    ).rows;
    expect(events).toEqual([{ n: 1 }]);
    const again = await resolve('admin', { outcome: 'PAID', bankTxnNo: 'PLB2', reason: 'twice' });
    expect(again).toMatchObject({
      status: 409,
      body: { error: { code: 'PAYOUT.NOT_RESOLVABLE' } },
    });
    const recorded = (
      await settlement.db.query(`SELECT resolved_by, resolution_note FROM payouts WHERE id = $1`, [
        payoutId,
      ])
    ).rows;
    expect(recorded).toEqual([
      {
        resolved_by: 'admin:demo-admin',
        resolution_note: '对账: the bank statement of 2 March shows it paid',
      },
    ]);
  });
});
