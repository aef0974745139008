import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { SettlementBatchCreated, type PayloadOf } from '@paylab/contracts';
import { newId } from '@paylab/ids';
import { Outbox } from '@paylab/messaging';
import { ROOT_LOGGER, type PaylabLogger } from '@paylab/platform';
import type { DataSource, EntityManager } from 'typeorm';
import { journalForBatch } from '../ledger/domain/settlement-journal';
import { ledgerAccount } from '../ledger/domain';
import type { JournalEntry } from '../ledger/domain';
import { Ledger } from '../ledger/ledger.service';
import { defaultTerms } from '../terms/domain/settlement-terms';
import { SETTLEMENT_TERMS_READER, type SettlementTermsReader } from '../terms/terms.port';
import { lockAvailableBalances, lockTermsAgainstBuilds } from './settlement-locks';
import {
  planBatch,
  type BatchPlan,
  type DayTotals,
  type PreviousBounds,
} from './domain/batch-plan';
import { settlementTotalsOf } from './batch-views';

export interface BuildBatchesOutcome {
  readonly settlementDate: string;
  readonly watermarkSeq: number;
  readonly batches: number;
  readonly toPay: number;
  readonly carriedForward: number;
  readonly items: number;
  readonly superseded: number;
}

interface DayRow {
  merchant_id: string;
  currency: string;
  business_date: string;
  item_count: number;
  payment_count: number;
  refund_count: number;
  late_payment_return_count: number;
  gross_minor: string;
  fee_minor: string;
  refund_minor: string;
  net_minor: string;
}

const key = (merchantId: string, currency: string) => `${merchantId}|${currency}`;

/**
 * BUILD_BATCHES (生成结算批次) for one settlement date: every merchant's batch in one database
 * transaction, so a crash leaves all of that date's batches or none. Set-based: one aggregate over
 * the unbatched items, the arithmetic in planBatch, then bulk inserts; no per-item writes.
 */
@Injectable()
export class BatchBuilder {
  private readonly log: PaylabLogger;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly ledger: Ledger,
    private readonly outbox: Outbox,
    @Inject(SETTLEMENT_TERMS_READER) private readonly terms: SettlementTermsReader,
    @Inject(ROOT_LOGGER) logger: PaylabLogger,
  ) {
    this.log = logger.child({ component: 'batch-builder' });
  }

  async build(settlementDate: string): Promise<BuildBatchesOutcome> {
    return this.dataSource.transaction((manager) => this.buildIn(manager, settlementDate));
  }

  private async buildIn(
    manager: EntityManager,
    settlementDate: string,
  ): Promise<BuildBatchesOutcome> {
    // SHARE waits for every clearing transaction that already drew an item seq and blocks new
    // ones until commit, so every seq up to the watermark is committed and none can appear below it.
    // Terms first: waiting for a terms change must not hold up clearing (the SHARE lock does).
    await lockTermsAgainstBuilds(manager, 'BATCH_BUILD');
    await manager.query(`LOCK TABLE settlement.settlement_items IN SHARE MODE`);
    await lockAvailableBalances(manager);
    const [{ watermark }] = (await manager.query(
      `SELECT COALESCE(max(seq), 0)::text AS watermark FROM settlement.settlement_items`,
    )) as Array<{ watermark: string }>;
    const watermarkSeq = Number(watermark);

    const previous = await this.previousBounds(manager);
    const alreadyBuilt = new Set(
      (
        (await manager.query(
          `SELECT merchant_id, currency FROM settlement.settlement_batches WHERE settlement_date = $1`,
          [settlementDate],
        )) as Array<{ merchant_id: string; currency: string }>
      ).map((row) => key(row.merchant_id, row.currency.trim())),
    );

    // The aggregate has one group per merchant, currency and business date (20,000 for ten
    // thousand merchants over two days): under the default 4 MB Postgres sorts the million rows
    // on disk instead of hashing the groups in memory. Raised for this once-a-day transaction only.
    await manager.query(`SET LOCAL work_mem = '64MB'`);
    const days = await this.unbatchedDays(manager, watermarkSeq, settlementDate);
    const released = new Map(
      (
        (await manager.query(
          `SELECT merchant_id, currency, sum(amount_minor)::text AS amount, array_agg(id) AS ids
             FROM settlement.reserve_holds
            WHERE released_on IS NOT NULL AND released_in_batch_id IS NULL AND released_on <= $1
            GROUP BY merchant_id, currency`,
          [settlementDate],
        )) as Array<{ merchant_id: string; currency: string; amount: string; ids: string[] }>
      ).map((row) => [key(row.merchant_id, row.currency.trim()), row]),
    );
    // Earlier batches whose money still waits in available: FAILED ones, and CREATED ones a
    // PAY_OUT never reached (the end of day runs PAY_OUT before the next date's build, so this is
    // a safeguard). The new batch carries their money in and they are superseded, so that the
    // same money is never claimed by two batches.
    const unpaid = (await manager.query(
      `SELECT id, merchant_id, currency FROM settlement.settlement_batches
        WHERE state IN ('FAILED', 'CREATED') AND settlement_date < $1 FOR UPDATE`,
      [settlementDate],
    )) as Array<{ id: string; merchant_id: string; currency: string }>;
    const unpaidByKey = new Map<string, string[]>();
    for (const row of unpaid) {
      const k = key(row.merchant_id, row.currency.trim());
      unpaidByKey.set(k, [...(unpaidByKey.get(k) ?? []), row.id]);
    }

    const keys = new Set([...days.keys(), ...released.keys(), ...unpaidByKey.keys()]);
    for (const k of alreadyBuilt) keys.delete(k);
    const merchantIds = [...new Set([...keys].map((k) => k.split('|')[0]))];
    const available = await this.availableBalances(manager, merchantIds);
    const terms = await this.terms.effectiveOn(manager, settlementDate, merchantIds);

    const plans: Array<BatchPlan & { batchId: string }> = [];
    for (const k of keys) {
      const [merchantId, currency] = k.split('|');
      const plan = planBatch({
        merchantId,
        currency,
        settlementDate,
        terms: terms.get(merchantId) ?? defaultTerms(merchantId),
        watermarkSeq,
        previous: previous.get(k) ?? { itemsThroughSeq: 0, dueThrough: null },
        days: days.get(k) ?? [],
        availableMinor: available.get(k) ?? 0,
        releasedReserveMinor: Number(released.get(k)?.amount ?? 0),
        hasUnpaidBatch: unpaidByKey.has(k),
      });
      if (plan) plans.push({ ...plan, batchId: newId('stb') });
    }

    const now = new Date();
    const journals = new Map<string, JournalEntry>();
    for (const plan of plans) {
      const journal = journalForBatch(
        { ...plan, batchId: plan.batchId },
        { postedAt: now, businessDate: settlementDate },
      );
      if (journal) journals.set(plan.batchId, journal);
    }
    await this.insertBatches(manager, plans, journals);
    await this.ledger.postAll(manager, [...journals.values()]);
    await this.insertReserveHolds(manager, plans);

    const releasedHolds = plans.flatMap((plan) =>
      (released.get(key(plan.merchantId, plan.currency))?.ids ?? []).map((id) => [
        id,
        plan.batchId,
      ]),
    );
    if (releasedHolds.length > 0) {
      await manager.query(
        `UPDATE settlement.reserve_holds h SET released_in_batch_id = u.batch_id
           FROM unnest($1::text[], $2::text[]) AS u(id, batch_id) WHERE h.id = u.id`,
        [releasedHolds.map(([id]) => id), releasedHolds.map(([, batchId]) => batchId)],
      );
    }
    // An unpaid batch's money (FAILED, or never paid out) was in available and is now this
    // batch's carriedIn: the old batch never pays it again.
    const superseded = plans.flatMap(
      (plan) => unpaidByKey.get(key(plan.merchantId, plan.currency)) ?? [],
    );
    if (superseded.length > 0) {
      await manager.query(
        `UPDATE settlement.settlement_batches
            SET state = 'SUPERSEDED', updated_at = now(), version = version + 1
          WHERE id = ANY($1) AND state IN ('FAILED', 'CREATED')`,
        [superseded],
      );
    }

    await this.outbox.publishAll(
      manager,
      SettlementBatchCreated,
      plans.map((plan): PayloadOf<typeof SettlementBatchCreated> => ({
        batchId: plan.batchId,
        merchantId: plan.merchantId,
        settlementDate,
        itemCount: plan.itemCount,
        totals: settlementTotalsOf(plan),
        state: plan.state,
        occurredAt: now.toISOString(),
      })),
    );

    const outcome: BuildBatchesOutcome = {
      settlementDate,
      watermarkSeq,
      batches: plans.length,
      toPay: plans.filter((plan) => plan.state === 'CREATED').length,
      carriedForward: plans.filter((plan) => plan.state === 'CARRIED_FORWARD').length,
      items: plans.reduce((total, plan) => total + plan.itemCount, 0),
      superseded: superseded.length,
    };
    this.log.info(outcome, 'settlement batches built (结算批次已生成)');
    return outcome;
  }

  /** Each merchant's latest bounds: everything its batches so far own. */
  private async previousBounds(manager: EntityManager): Promise<Map<string, PreviousBounds>> {
    const rows = (await manager.query(
      `SELECT DISTINCT ON (merchant_id, currency)
              merchant_id, currency, items_through_seq::text AS seq, due_through::text AS due
         FROM settlement.settlement_batches
        ORDER BY merchant_id, currency, settlement_date DESC`,
    )) as Array<{ merchant_id: string; currency: string; seq: string; due: string }>;
    return new Map(
      rows.map((row) => [
        key(row.merchant_id, row.currency.trim()),
        { itemsThroughSeq: Number(row.seq), dueThrough: row.due },
      ]),
    );
  }

  /** Unowned items up to the watermark, summed per merchant, currency and business date. */
  private async unbatchedDays(
    manager: EntityManager,
    watermarkSeq: number,
    settlementDate: string,
  ): Promise<Map<string, DayTotals[]>> {
    const rows = (await manager.query(
      `WITH last AS (
         SELECT DISTINCT ON (merchant_id, currency) merchant_id, currency, items_through_seq, due_through
           FROM settlement.settlement_batches
          ORDER BY merchant_id, currency, settlement_date DESC)
       SELECT i.merchant_id, i.currency, i.business_date::text AS business_date,
              count(*)::int AS item_count,
              count(*) FILTER (WHERE i.kind = 'PAYMENT')::int AS payment_count,
              count(*) FILTER (WHERE i.kind = 'REFUND')::int AS refund_count,
              count(*) FILTER (WHERE i.kind = 'LATE_PAYMENT_RETURN')::int AS late_payment_return_count,
              sum(i.gross_minor)::text AS gross_minor, sum(i.fee_minor)::text AS fee_minor,
              sum(i.refund_minor)::text AS refund_minor, sum(i.net_minor)::text AS net_minor
         FROM settlement.settlement_items i
         LEFT JOIN last l ON l.merchant_id = i.merchant_id AND l.currency = i.currency
        WHERE i.seq <= $1 AND i.business_date <= $2
          AND NOT (l.merchant_id IS NOT NULL AND i.seq <= l.items_through_seq
                   AND i.business_date <= l.due_through)
        GROUP BY i.merchant_id, i.currency, i.business_date`,
      [watermarkSeq, settlementDate],
    )) as DayRow[];
    const days = new Map<string, DayTotals[]>();
    for (const row of rows) {
      const k = key(row.merchant_id, row.currency.trim());
      const list = days.get(k) ?? [];
      list.push({
        businessDate: row.business_date,
        itemCount: row.item_count,
        paymentCount: row.payment_count,
        refundCount: row.refund_count,
        latePaymentReturnCount: row.late_payment_return_count,
        grossMinor: Number(row.gross_minor),
        feeMinor: Number(row.fee_minor),
        refundMinor: Number(row.refund_minor),
        netMinor: Number(row.net_minor),
      });
      days.set(k, list);
    }
    return days;
  }

  /** MERCHANT_PAYABLE_AVAILABLE per merchant and currency, on its normal (credit) side. */
  private async availableBalances(
    manager: EntityManager,
    merchantIds: readonly string[],
  ): Promise<Map<string, number>> {
    if (merchantIds.length === 0) return new Map();
    const accounts = merchantIds.map((id) => ledgerAccount('MERCHANT_PAYABLE_AVAILABLE', id));
    const rows = (await manager.query(
      `SELECT account, currency,
              (COALESCE(sum(amount_minor) FILTER (WHERE side = 'CREDIT'), 0)
               - COALESCE(sum(amount_minor) FILTER (WHERE side = 'DEBIT'), 0))::text AS balance
         FROM settlement.journal_lines WHERE account = ANY($1) GROUP BY account, currency`,
      [accounts],
    )) as Array<{ account: string; currency: string; balance: string }>;
    return new Map(
      rows.map((row) => [
        key(row.account.slice(row.account.indexOf(':') + 1), row.currency.trim()),
        Number(row.balance),
      ]),
    );
  }

  private async insertBatches(
    manager: EntityManager,
    plans: ReadonlyArray<BatchPlan & { batchId: string }>,
    journals: ReadonlyMap<string, JournalEntry>,
  ): Promise<void> {
    if (plans.length === 0) return;
    const column = <T>(pick: (plan: BatchPlan & { batchId: string }) => T) => plans.map(pick);
    await manager.query(
      `INSERT INTO settlement.settlement_batches
         (id, merchant_id, settlement_date, currency, state, terms_version, cycle,
          items_through_seq, due_through, prev_items_through_seq, prev_due_through,
          item_count, payment_count, refund_count, late_payment_return_count,
          gross_minor, fee_minor, refund_minor, items_net_minor, reserve_held_minor,
          reserve_released_minor, carried_in_minor, net_minor, minimum_payout_minor,
          journal_entry_id, failure_message)
       SELECT * FROM unnest(
         $1::text[], $2::text[], $3::date[], $4::char(3)[], $5::text[], $6::int[], $7::text[],
         $8::bigint[], $9::date[], $10::bigint[], $11::date[],
         $12::int[], $13::int[], $14::int[], $15::int[],
         $16::bigint[], $17::bigint[], $18::bigint[], $19::bigint[], $20::bigint[],
         $21::bigint[], $22::bigint[], $23::bigint[], $24::bigint[],
         $25::text[], $26::text[])`,
      [
        column((p) => p.batchId),
        column((p) => p.merchantId),
        column((p) => p.settlementDate),
        column((p) => p.currency),
        column((p) => p.state),
        column((p) => p.termsVersion),
        column((p) => p.cycle),
        column((p) => String(p.itemsThroughSeq)),
        column((p) => p.dueThrough),
        column((p) => String(p.previous.itemsThroughSeq)),
        column((p) => p.previous.dueThrough),
        column((p) => p.itemCount),
        column((p) => p.paymentCount),
        column((p) => p.refundCount),
        column((p) => p.latePaymentReturnCount),
        column((p) => String(p.grossMinor)),
        column((p) => String(p.feeMinor)),
        column((p) => String(p.refundMinor)),
        column((p) => String(p.itemsNetMinor)),
        column((p) => String(p.reserveHeldMinor)),
        column((p) => String(p.reserveReleasedMinor)),
        column((p) => String(p.carriedInMinor)),
        column((p) => String(p.netMinor)),
        column((p) => String(p.minimumPayoutMinor)),
        column((p) => journals.get(p.batchId)?.id ?? null),
        column((p) => p.carriedForwardReason),
      ],
    );
  }

  private async insertReserveHolds(
    manager: EntityManager,
    plans: ReadonlyArray<BatchPlan & { batchId: string }>,
  ): Promise<void> {
    const holds = plans.filter((plan) => plan.reserveHeldMinor > 0 && plan.reserveReleaseDate);
    if (holds.length === 0) return;
    await manager.query(
      `INSERT INTO settlement.reserve_holds
         (id, merchant_id, currency, amount_minor, held_in_batch_id, release_date)
       SELECT * FROM unnest($1::text[], $2::text[], $3::char(3)[], $4::bigint[], $5::text[], $6::date[])`,
      [
        holds.map(() => newId('rsv')),
        holds.map((plan) => plan.merchantId),
        holds.map((plan) => plan.currency),
        holds.map((plan) => String(plan.reserveHeldMinor)),
        holds.map((plan) => plan.batchId),
        holds.map((plan) => plan.reserveReleaseDate),
      ],
    );
  }
}
