import { MESSAGING_MIGRATIONS } from '@paylab/messaging';
import { openServiceDatabase } from '@paylab/database';
import { newId } from '@paylab/ids';
import { createDatabase, dropDatabase, ENV_VARIABLES } from '@paylab/testing';
import type { DataSource } from 'typeorm';
import { SETTLEMENT_MIGRATIONS } from '../../../services/settlement/src/persistence';

jest.setTimeout(120_000);

/**
 * A database that cleared payments and refunds before settlement items existed: upgrading it
 * gives every earlier clearing its item, so the pending money it holds can still be settled.
 */
describe('settlement upgrade: earlier clearings get their settlement items (real Postgres)', () => {
  const adminUrl = process.env[ENV_VARIABLES.databaseUrl]!;
  const name = `paylab_it_upgrade_${Date.now().toString(36)}`;
  let databaseUrl: string;
  let dataSource: DataSource | undefined;

  const open = async (migrations: Function[]) =>
    openServiceDatabase({
      url: databaseUrl,
      schema: 'settlement',
      entities: [],
      migrations: [...MESSAGING_MIGRATIONS, ...migrations],
      poolSize: 2,
      applicationName: 'it-upgrade',
    });

  beforeAll(async () => {
    databaseUrl = await createDatabase(adminUrl, name);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await dropDatabase(adminUrl, name);
  });

  it('backfills one item per payment and refund clearing, in clearing order, dated in Shanghai', async () => {
    const before = SETTLEMENT_MIGRATIONS.findIndex(
      (migration) => migration.name === 'SettlementBatchesAndPayouts1733100000000',
    );
    expect(before).toBeGreaterThan(0);
    const old = await open(SETTLEMENT_MIGRATIONS.slice(0, before));
    const merchantId = newId('mch');
    const payment = { clearing: newId('clr'), txn: newId('txn'), pay: newId('pay') };
    const refund = { clearing: newId('clr'), id: newId('ref') };
    const journal = async (lines: Array<[string, 'DEBIT' | 'CREDIT', number]>): Promise<string> => {
      const id = newId('jnl');
      await old.transaction(async (manager) => {
        await manager.query(
          `INSERT INTO settlement.journal_entries (id, posted_at, description, refs) VALUES ($1, now(), 'before the upgrade', '{}')`,
          [id],
        );
        for (const [index, [account, side, amount]] of lines.entries()) {
          await manager.query(
            `INSERT INTO settlement.journal_lines (id, entry_id, line_no, account, side, amount_minor, currency)
             VALUES ($1, $2, $3, $4, $5, $6, 'CNY')`,
            [newId('led'), id, index + 1, account, side, amount],
          );
        }
      });
      return id;
    };
    const paymentEntry = await journal([
      ['CHANNEL_RECEIVABLE:ALIPAY', 'DEBIT', 9962],
      ['CHANNEL_COST', 'DEBIT', 38],
      [`MERCHANT_PAYABLE_PENDING:${merchantId}`, 'CREDIT', 9940],
      ['FEE_REVENUE', 'CREDIT', 60],
    ]);
    const refundEntry = await journal([
      [`MERCHANT_PAYABLE_PENDING:${merchantId}`, 'DEBIT', 2982],
      ['CHANNEL_RECEIVABLE:ALIPAY', 'CREDIT', 2982],
    ]);
    await old.query(
      `INSERT INTO settlement.clearings (id, transaction_id, payment_id, merchant_id, channel,
         channel_trade_no, currency, gross_minor, merchant_fee_minor, channel_cost_minor,
         platform_margin_minor, merchant_net_minor, merchant_fee_rate_ppm, channel_cost_rate_ppm,
         fee_rate_source, channel_cost_rate_source, merchant_fee_rounding, channel_cost_rounding,
         journal_entry_id, source_message_id, paid_at, business_date, cleared_at)
       VALUES ($1, $2, $3, $4, 'ALIPAY', 'T1', 'CNY', 10000, 60, 38, 22, 9940, 6000, 3800,
         'CHANNEL_DEFAULT', 'CHANNEL_DEFAULT', 'HALF_UP', 'HALF_UP', $5, $6,
         '2026-03-01T16:30:00Z', '2026-03-02', '2026-03-01T16:30:01Z')`,
      [payment.clearing, payment.txn, payment.pay, merchantId, paymentEntry, newId('evt')],
    );
    await old.query(
      `INSERT INTO settlement.refund_clearings (id, refund_id, kind, payment_clearing_id,
         transaction_id, payment_id, merchant_id, channel, channel_refund_no, currency,
         refund_minor, pro_rata_fee_refund_minor, merchant_fee_refund_minor,
         channel_cost_refund_minor, platform_margin_refund_minor, merchant_net_refund_minor,
         fee_policy, journal_entry_id, source_message_id, succeeded_at, business_date, cleared_at)
       VALUES ($1, $2, 'MERCHANT_REFUND', $3, $4, $5, $6, 'ALIPAY', 'R1', 'CNY',
         3000, 18, 18, 11, 7, 2982, 'PRO_RATA', $7, $8,
         '2026-03-02T01:00:00Z', '2026-03-02', '2026-03-02T01:00:01Z')`,
      [
        refund.clearing,
        refund.id,
        payment.clearing,
        payment.txn,
        payment.pay,
        merchantId,
        refundEntry,
        newId('evt'),
      ],
    );
    await old.destroy();

    dataSource = await open(SETTLEMENT_MIGRATIONS);
    const items = (await dataSource.query(
      `SELECT kind, source_id, refund_id, gross_minor::int AS gross, fee_minor::int AS fee,
              refund_minor::int AS refund, net_minor::int AS net, business_date::text AS date
         FROM settlement.settlement_items ORDER BY seq`,
    )) as Array<Record<string, unknown>>;
    expect(items).toEqual([
      // 00:30 on 2 March in Shanghai, though 1 March in UTC.
      {
        kind: 'PAYMENT',
        source_id: payment.clearing,
        refund_id: null,
        gross: 10000,
        fee: 60,
        refund: 0,
        net: 9940,
        date: '2026-03-02',
      },
      {
        kind: 'REFUND',
        source_id: refund.clearing,
        refund_id: refund.id,
        gross: 0,
        fee: -18,
        refund: 3000,
        net: -2982,
        date: '2026-03-02',
      },
    ]);
  });
});
