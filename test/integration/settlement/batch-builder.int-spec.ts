import { newId } from '@paylab/ids';
import { BatchBuilder } from '../../../services/settlement/src/batches/batch-builder';
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
    expect((await builder.build(next)).batches).toBe(1);
    expect(await batchesOf(next)).toEqual([{ merchant_id: late, item_count: 1, net: 700 }]);
    const after = addDays(day, 3);
    await builder.build(after);
    expect(await batchesOf(after)).toEqual([{ merchant_id: late, item_count: 1, net: 300 }]);
    // Every item is owned by exactly one batch.
    const [{ unbatched }] = (
      await settlement.db.query(`SELECT count(*)::int AS unbatched FROM unbatched_settlement_items`)
    ).rows as Array<{ unbatched: number }>;
    expect(unbatched).toBe(0);
  });
});
