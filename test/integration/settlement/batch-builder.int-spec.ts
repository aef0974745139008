import { newId } from '@paylab/ids';
import { BatchBuilder } from '../../../services/settlement/src/batches/batch-builder';
import { ReserveReleases } from '../../../services/settlement/src/batches/reserve-releases';
import { addDays } from '../../../services/settlement/src/calendar/domain/business-date';
import { startSettlementUnderTest, type SettlementUnderTest } from './settlement-under-test';

jest.setTimeout(120_000);

/**
 * BUILD_BATCHES on a real database, called directly (no end-of-day lock in front of it): two
 * builds of one date at once still give one batch per merchant, and an item cleared late falls
 * into the next batch, never into none or two.
 */
describe('settlement batch builder (real Postgres)', () => {
  let settlement: SettlementUnderTest;
  let builder: BatchBuilder;
  const day = '2026-03-01';
  const merchants = [newId('mch'), newId('mch'), newId('mch')];

  beforeAll(async () => {
    settlement = await startSettlementUnderTest('batch-builder', { consumer: 'none' });
    builder = settlement.service.app.get(BatchBuilder);
  });

  afterAll(async () => {
    await settlement?.stop();
  });

  async function item(merchantId: string, businessDate: string, netMinor: number): Promise<void> {
    await settlement.db.query(
      `INSERT INTO settlement_items (kind, source_id, merchant_id, transaction_id, payment_id,
         currency, gross_minor, fee_minor, refund_minor, net_minor, occurred_at, business_date)
       VALUES ('PAYMENT', $1, $2, $3, $4, 'CNY', $5, 0, 0, $5, now(), $6)`,
      [newId('clr'), merchantId, newId('txn'), newId('pay'), netMinor, businessDate],
    );
  }

  const batchesOf = async (settlementDate: string) =>
    (
      await settlement.db.query(
        `SELECT merchant_id, item_count, items_net_minor::int AS net FROM settlement_batches
          WHERE settlement_date = $1 ORDER BY merchant_id`,
        [settlementDate],
      )
    ).rows as Array<{ merchant_id: string; item_count: number; net: number }>;

  it('builds one batch per merchant when two builds of the same date run at once', async () => {
    for (const [index, merchantId] of merchants.entries()) {
      await item(merchantId, day, 1_000 * (index + 1));
      await item(merchantId, day, 5);
    }
    const settlementDate = addDays(day, 1);
    const [one, two] = await Promise.all([
      builder.build(settlementDate),
      builder.build(settlementDate),
    ]);
    expect([one.batches, two.batches].sort()).toEqual([0, 3]);
    expect(await batchesOf(settlementDate)).toEqual(
      [...merchants].sort().map((merchantId) => ({
        merchant_id: merchantId,
        item_count: 2,
        net: 1_000 * (merchants.indexOf(merchantId) + 1) + 5,
      })),
    );
  });

  it('puts an item cleared after its date was built into the next batch, and only there', async () => {
    const [late] = merchants;
    await item(late, day, 700); // due on day+1, whose batch is already built
    await item(late, addDays(day, 2), 300); // not due until day+3
    const next = addDays(day, 2);
    // The other two merchants' batches of day+1 were never paid out here (no PAY_OUT): their next
    // batches carry that money in and supersede them, so three batches; the late item is late's.
    expect((await builder.build(next)).batches).toBe(3);
    expect((await batchesOf(next)).filter((batch) => batch.merchant_id === late)).toEqual([
      { merchant_id: late, item_count: 1, net: 700 },
    ]);
    const after = addDays(day, 3);
    await builder.build(after);
    expect((await batchesOf(after)).filter((batch) => batch.merchant_id === late)).toEqual([
      { merchant_id: late, item_count: 1, net: 300 },
    ]);
    // Every item is owned by exactly one batch.
    const [{ unbatched }] = (
      await settlement.db.query(`SELECT count(*)::int AS unbatched FROM unbatched_settlement_items`)
    ).rows as Array<{ unbatched: number }>;
    expect(unbatched).toBe(0);
  });

  it('holds a rolling reserve, releases it on its date, and pays it in the batch after', async () => {
    // A merchant on T+1 with 10 % held for 3 days, set through the operator API.
    const merchantId = newId('mch');
    const put = await settlement.request(
      'PUT',
      `/v1/admin/merchants/${merchantId}/settlement-terms`,
      {
        role: 'operator',
        body: {
          cycle: { kind: 'T_PLUS_N', days: 1 },
          cutoff: '00:00',
          minimumPayoutMinor: 0,
          reserve: { percentBp: 1000, holdDays: 3 },
          payoutAccount: null,
          reason: 'a rolling reserve for the lesson',
        },
      },
    );
    expect(put.status).toBeLessThan(300);
    const { effectiveFrom } = (put.body as { terms: { effectiveFrom: string } }).terms;
    await item(merchantId, effectiveFrom, 10_001);
    const held = addDays(effectiveFrom, 1);
    await builder.build(held);
    const first = (
      await settlement.db.query(
        `SELECT b.reserve_held_minor::int AS held, b.net_minor::int AS net, h.release_date::text AS release_date
           FROM settlement_batches b JOIN reserve_holds h ON h.held_in_batch_id = b.id
          WHERE b.merchant_id = $1`,
        [merchantId],
      )
    ).rows;
    // 10 % of 100.01, rounded down to the fen: 10.00 held, 90.01 to pay.
    expect(first).toEqual([{ held: 1_000, net: 9_001, release_date: addDays(held, 3) }]);

    const releases = settlement.service.app.get(ReserveReleases);
    expect((await releases.release(addDays(held, 2))).released).toBe(0);
    const releasedOn = addDays(held, 3);
    const released = await releases.release(releasedOn);
    expect(released).toMatchObject({ released: 1, amountMinor: 1_000 });
    await builder.build(releasedOn);
    const later = (
      await settlement.db.query(
        `SELECT item_count, reserve_released_minor::int AS released, carried_in_minor::int AS carried_in,
                net_minor::int AS net
           FROM settlement_batches WHERE merchant_id = $1 AND settlement_date = $2`,
        [merchantId, releasedOn],
      )
    ).rows;
    // The first batch was never paid out (no PAY_OUT here), so its 90.01 is carried in too, and
    // the first batch is superseded: the same money is never claimed by two batches.
    expect(later).toEqual([{ item_count: 0, released: 1_000, carried_in: 9_001, net: 10_001 }]);
    const states = (
      await settlement.db.query(
        `SELECT settlement_date::text AS date, state FROM settlement_batches
          WHERE merchant_id = $1 ORDER BY settlement_date`,
        [merchantId],
      )
    ).rows;
    expect(states).toEqual([
      { date: held, state: 'SUPERSEDED' },
      { date: releasedOn, state: 'CREATED' },
    ]);
    // Releasing again changes nothing.
    expect((await releases.release(releasedOn)).released).toBe(0);
  });
});
