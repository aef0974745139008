import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { PaymentOrderSucceededV2, type PayloadOf } from '@paylab/contracts';
import { newId } from '@paylab/ids';
import { createKafka, publishEvent } from '@paylab/messaging';
import { createLogger } from '@paylab/platform';
import { waitFor } from '@paylab/testing';
import {
  addDays,
  endOfBusinessDate,
} from '../../services/settlement/src/calendar/domain/business-date';
import { DEMO_MERCHANT } from '../../services/cashier/src/merchants/demo-merchant';
import { PaymentDriver } from './support/payment-driver';
import {
  awayFromCutOff,
  shanghaiDate,
  startPaymentSystem,
  type PaymentSystem,
} from './support/payment-system';
import { SettlementDriver, type JobRun } from './support/settlement-driver';

jest.setTimeout(300_000);

const COFFEE = DEMO_MERCHANT.merchantId;
const BOOKS = 'mch_01M85DMB00EHTE541GQYE3T4V0';

/**
 * The end of day as a schedule and across replicas, on the real stack: settlement down over two
 * cut-offs catches both dates up, in order, when it comes back; two replicas asked to run the
 * same end of day at once build one batch per merchant and date. Ends with check:invariants.
 */
describe('settlement end of day: catch-up after downtime, two replicas (e2e)', () => {
  let system: PaymentSystem;
  let settlement: SettlementDriver;
  let today: string;

  beforeAll(async () => {
    await awayFromCutOff();
    today = shanghaiDate();
    system = await startPaymentSystem('eod', {
      // The first end of day ever: three days ago, so that the dates after it are "missed".
      settlement: { EOD_FIRST_DATE: addDays(today, -3) },
    });
    settlement = new SettlementDriver(system);
  });

  afterAll(async () => {
    await system?.stop();
  });

  /** Cashier's verdict that an order was paid at `paidAt`, as cashier's outbox would publish it. */
  async function paidOrder(merchantId: string, amountMinor: number, paidAt: Date): Promise<string> {
    const kafka = createKafka({
      clientId: 'e2e-cashier',
      brokers: system.kafkaBrokers,
      logger: createLogger('e2e-cashier', 'warn'),
    });
    const payload: PayloadOf<typeof PaymentOrderSucceededV2> = {
      transactionId: newId('txn'),
      paymentId: newId('pay'),
      merchantId,
      channel: 'ALIPAY',
      channelTradeNo: `20260101220014${randomBytes(5).toString('hex')}`,
      amount: { amountMinor, currency: 'CNY' },
      paidAt: paidAt.toISOString(),
      succeededAt: paidAt.toISOString(),
      businessDate: shanghaiDate(paidAt),
    };
    await publishEvent(kafka, PaymentOrderSucceededV2, payload, {
      key: payload.paymentId,
      producer: 'cashier',
    });
    await waitFor(
      `clearing of ${payload.transactionId}`,
      () => settlement.get(`/v1/clearings/${payload.transactionId}`),
      (found) => found.status === 200,
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    return payload.transactionId;
  }

  /** An instant in the middle of a business date (noon in Shanghai). */
  const noonOf = (date: string) => new Date(endOfBusinessDate(date).getTime() - 12 * 3_600_000);

  it('catches up both dates missed while settlement was down, in order, when it comes back', async () => {
    const dayBefore = addDays(today, -3);
    const missed = [addDays(today, -2), addDays(today, -1)];
    // Settlement ran its end of day for D-3; payments of D-2 and D-1 were cleared as they came.
    expect((await settlement.runEndOfDay(dayBefore)).processed).toEqual([dayBefore]);
    await paidOrder(BOOKS, 8_000, noonOf(missed[0]));
    await paidOrder(COFFEE, 6_000, noonOf(missed[0]));
    await paidOrder(BOOKS, 4_000, noonOf(missed[1]));
    // Then it was down over the cut-offs of D-2 and D-1 (compressed here: the process that
    // cleared them had no schedule), and comes back with its schedule on.
    await system.restart('settlement', {
      EOD_SCHEDULE_ENABLED: 'true',
      EOD_POLL_INTERVAL_MS: '500',
      EOD_GRACE_MS: '0',
    });

    const runs = await waitFor(
      'the schedule to close the books of yesterday',
      async () =>
        (
          await settlement.get<{ data: JobRun[] }>(
            `/v1/admin/end-of-day/runs?from=${dayBefore}&to=${today}`,
          )
        ).body.data,
      (found) =>
        found.some(
          (run) =>
            run.businessDate === missed[1] &&
            run.job === 'CLOSE_BOOKS' &&
            run.status === 'SUCCEEDED',
        ),
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    const scheduled = runs.filter((run) => missed.includes(run.businessDate));
    expect(
      scheduled.map((run) => `${run.businessDate} ${run.job} ${run.status} ${run.attempts}`),
    ).toEqual(
      missed.flatMap((date) =>
        ['RELEASE_RESERVES', 'BUILD_BATCHES', 'PAY_OUT', 'CLOSE_BOOKS'].map(
          (job) => `${date} ${job} SUCCEEDED 1`,
        ),
      ),
    );
    // In order: every job of D-2 finished before the first of D-1 started.
    const lastOfFirst = Math.max(
      ...scheduled
        .filter((run) => run.businessDate === missed[0])
        .map((run) => Date.parse(run.finishedAt!)),
    );
    const firstOfSecond = Math.min(
      ...scheduled
        .filter((run) => run.businessDate === missed[1])
        .map((run) => Date.parse(run.startedAt)),
    );
    expect(lastOfFirst).toBeLessThanOrEqual(firstOfSecond);
    expect(runs.some((run) => run.businessDate === today)).toBe(false);

    // Each missed date settled what fell due on it: D+0 each day, T+1 the day after.
    const booksFirst = await settlement.onlyBatch(BOOKS, missed[0]);
    const booksSecond = await settlement.onlyBatch(BOOKS, missed[1]);
    const coffee = await settlement.onlyBatch(COFFEE, missed[1]);
    expect([booksFirst.itemCount, booksSecond.itemCount, coffee.itemCount]).toEqual([1, 1, 1]);
    expect(booksFirst.totals.gross.amountMinor).toBe(8_000);
    expect(booksSecond.totals.gross.amountMinor).toBe(4_000);
    expect(coffee.totals.gross.amountMinor).toBe(6_000);
    expect(await settlement.batches(COFFEE, missed[0])).toEqual([]);
    for (const batch of [booksFirst, booksSecond, coffee]) {
      await settlement.batchReaches(batch.id, 'PAID');
    }
    for (const date of [dayBefore, ...missed]) {
      const books = await settlement.get<{ healthy: boolean }>(`/v1/books/${date}`);
      expect({ date, healthy: books.body.healthy }).toEqual({ date, healthy: true });
    }
  });

  it('builds one batch per merchant and date when two replicas run the same end of day at once', async () => {
    const driver = new PaymentDriver(system);
    await driver.payOnce(3_300);
    await driver.payOnce(4_400);
    // Both replicas tick their schedule too (nothing is due: the try-lock path runs beside).
    const second = new SettlementDriver(
      system,
      await system.startReplica('settlement', {
        EOD_SCHEDULE_ENABLED: 'true',
        EOD_POLL_INTERVAL_MS: '300',
        EOD_GRACE_MS: '0',
      }),
    );
    const target = addDays(today, 1);
    const [one, two] = await Promise.all([settlement.endOfDay(target), second.endOfDay(target)]);
    expect([one.status, two.status]).toEqual([200, 200]);
    // One of them did the work; the other waited for the lock and found it done.
    expect([one.body.processed, two.body.processed].sort((a, b) => a.length - b.length)).toEqual([
      [],
      [today, target],
    ]);
    const batches = await settlement.batches(COFFEE, target);
    expect(batches).toHaveLength(1);
    expect(batches[0]).toMatchObject({ itemCount: 2, totals: { gross: { amountMinor: 7_700 } } });
    const paid = await settlement.batchReaches(batches[0].id, 'PAID');
    expect(paid.payouts).toHaveLength(1);
    const runs = (
      await settlement.get<{ data: JobRun[] }>(
        `/v1/admin/end-of-day/runs?from=${today}&to=${target}`,
      )
    ).body.data;
    expect(runs).toHaveLength(8);
    expect(runs.every((run) => run.status === 'SUCCEEDED' && run.attempts === 1)).toBe(true);
    expect((await settlement.get<{ healthy: boolean }>(`/v1/books/${target}`)).body.healthy).toBe(
      true,
    );
  });

  it("leaves all of a date's batches or none when the build fails in the middle, and finishes on the next run", async () => {
    const driver = new PaymentDriver(system);
    const paid = await driver.payOnce(2_200);
    await driver.clearing(paid.transactionId!); // its own entry is in before we count
    const target = addDays(today, 2);
    const db = new Client({ connectionString: system.databaseUrl });
    await db.connect();
    try {
      const count = async (table: string) =>
        Number((await db.query(`SELECT count(*) AS n FROM settlement.${table}`)).rows[0].n);
      const before = {
        batches: await count('settlement_batches'),
        entries: await count('journal_entries'),
      };
      // The last write of the build (its events) fails: batches, entries and holds were already
      // written in the same transaction, and must all roll back.
      await db.query(`
        CREATE FUNCTION settlement.e2e_fail_batch_events() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.event_type = 'settlement.batch_created' THEN
            RAISE EXCEPTION 'e2e: the build dies before its events are written';
          END IF;
          RETURN NEW;
        END $$;
        CREATE TRIGGER e2e_fail_batch_events BEFORE INSERT ON settlement.outbox_messages
          FOR EACH ROW EXECUTE FUNCTION settlement.e2e_fail_batch_events();`);
      const failed = await settlement.endOfDay(target);
      expect(failed).toMatchObject({
        status: 500,
        body: { error: { code: 'END_OF_DAY.JOB_FAILED' } },
      });
      expect({
        batches: await count('settlement_batches'),
        entries: await count('journal_entries'),
      }).toEqual(before);
      const runs = (
        await settlement.get<{ data: JobRun[] }>(
          `/v1/admin/end-of-day/runs?from=${target}&to=${target}`,
        )
      ).body.data;
      expect(runs.map((run) => `${run.job} ${run.status}`)).toEqual([
        'RELEASE_RESERVES SUCCEEDED',
        'BUILD_BATCHES FAILED',
      ]);

      await db.query(`DROP TRIGGER e2e_fail_batch_events ON settlement.outbox_messages;
                      DROP FUNCTION settlement.e2e_fail_batch_events();`);
      const again = await settlement.runEndOfDay(target);
      expect(again.processed).toEqual([target]);
      expect(again.runs.find((run) => run.job === 'BUILD_BATCHES')).toMatchObject({
        status: 'SUCCEEDED',
        attempts: 2,
      });
      const batch = await settlement.onlyBatch(COFFEE, target);
      expect(batch.totals.gross.amountMinor).toBe(2_200);
      await settlement.batchReaches(batch.id, 'PAID');
    } finally {
      await db.end();
    }
  });
});
