import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { businessDateOf, isBusinessDate, shanghaiDateOf } from '../calendar/domain/business-date';
import { defaultTerms, type SettlementTerms } from './domain/settlement-terms';
import { SettlementTermsError } from './domain/terms-error';
import type { MerchantBusinessDates, SettlementTermsReader } from './terms.port';

const TERMS = `"settlement"."settlement_terms"`;
const CHANGES = `"settlement"."settlement_terms_changes"`;
const JOB_RUNS = `"settlement"."scheduled_job_runs"`;

/** Columns of settlement_terms as the queries select them (dates as text, bigint as text). */
const TERMS_COLUMNS = `t."merchant_id", t."version", t."cycle_kind", t."cycle_days", t."cutoff",
  t."minimum_payout_minor"::text AS "minimum_payout_minor", t."reserve_percent_bp",
  t."reserve_hold_days", t."payout_bank_code", t."payout_account_no", t."payout_account_name",
  t."effective_from"::text AS "effective_from"`;

interface TermsRow {
  merchant_id: string;
  version: number;
  cycle_kind: 'T_PLUS_N' | 'D_PLUS_0';
  cycle_days: number | null;
  cutoff: string;
  minimum_payout_minor: string;
  reserve_percent_bp: number | null;
  reserve_hold_days: number | null;
  payout_bank_code: string | null;
  payout_account_no: string | null;
  payout_account_name: string | null;
  effective_from: string;
}

/** One audit row (操作审计) of a terms change. */
export interface TermsChangeRecord {
  readonly id: string;
  readonly merchantId: string;
  readonly version: number;
  readonly changedBy: string;
  readonly changedByRole: string;
  readonly changedAt: Date;
  readonly reason: string;
  readonly before: SettlementTerms;
  readonly after: SettlementTerms;
  readonly effectiveFrom: string;
}

function termsOf(row: TermsRow): SettlementTerms {
  const minimumPayoutMinor = Number(row.minimum_payout_minor);
  if (row.cycle_kind === 'T_PLUS_N' && row.cycle_days === null) {
    throw new SettlementTermsError(
      'SETTLEMENT_TERMS.INCONSISTENT_RECORD',
      `Terms ${row.merchant_id} v${row.version} are T+N without days.`,
    );
  }
  return {
    merchantId: row.merchant_id,
    version: row.version,
    cycle:
      row.cycle_kind === 'D_PLUS_0'
        ? { kind: 'D_PLUS_0' }
        : { kind: 'T_PLUS_N', days: row.cycle_days as number },
    cutoff: row.cutoff,
    minimumPayoutMinor,
    reserve:
      row.reserve_percent_bp === null || row.reserve_hold_days === null
        ? null
        : { percentBp: row.reserve_percent_bp, holdDays: row.reserve_hold_days },
    payoutAccount:
      row.payout_bank_code === null ||
      row.payout_account_no === null ||
      row.payout_account_name === null
        ? null
        : {
            bankCode: row.payout_bank_code,
            accountNo: row.payout_account_no,
            accountName: row.payout_account_name,
          },
    effectiveFrom: row.effective_from,
  };
}

/**
 * Storage of settlement terms (结算条款): versions in settlement_terms, the audit trail in
 * settlement_terms_changes. Every method takes the caller's EntityManager, so end of day and
 * clearing read inside their own transactions and a change writes in one.
 */
@Injectable()
export class SettlementTermsStore implements SettlementTermsReader, MerchantBusinessDates {
  async effectiveOn(
    manager: EntityManager,
    businessDate: string,
    merchantIds: readonly string[],
  ): Promise<Map<string, SettlementTerms>> {
    if (!isBusinessDate(businessDate)) {
      throw new RangeError(`Not a business date (YYYY-MM-DD): ${businessDate}`);
    }
    const unique = [...new Set(merchantIds)];
    const found = new Map<string, SettlementTerms>();
    if (unique.length > 0) {
      // One statement whatever the number of merchants: for each id, its newest version already
      // in force on the date (a few index rows per merchant, read backwards from the newest).
      const rows = (await manager.query(
        `SELECT ${TERMS_COLUMNS}
           FROM unnest($1::text[]) AS m("merchant_id")
           CROSS JOIN LATERAL (
             SELECT * FROM ${TERMS} v
              WHERE v."merchant_id" = m."merchant_id" AND v."effective_from" <= $2::date
              ORDER BY v."version" DESC
              LIMIT 1) t`,
        [unique, businessDate],
      )) as TermsRow[];
      for (const row of rows) found.set(row.merchant_id, termsOf(row));
    }
    const result = new Map<string, SettlementTerms>();
    for (const merchantId of unique) {
      result.set(merchantId, found.get(merchantId) ?? defaultTerms(merchantId));
    }
    return result;
  }

  async businessDateAt(
    manager: EntityManager,
    merchantId: string,
    instant: Date,
  ): Promise<{ businessDate: string; terms: SettlementTerms }> {
    const calendarDate = shanghaiDateOf(instant);
    const terms = (await this.effectiveOn(manager, calendarDate, [merchantId])).get(merchantId)!;
    return { businessDate: businessDateOf(instant, terms.cutoff), terms };
  }

  /** Every version of a merchant, oldest first; empty for a merchant never configured. */
  async versions(manager: EntityManager, merchantId: string): Promise<SettlementTerms[]> {
    const rows = (await manager.query(
      `SELECT ${TERMS_COLUMNS} FROM ${TERMS} t WHERE t."merchant_id" = $1 ORDER BY t."version"`,
      [merchantId],
    )) as TermsRow[];
    return rows.map(termsOf);
  }

  /**
   * Serialises changes of one merchant's terms until the caller's transaction ends: two changes
   * at once get versions n+1 and n+2 (the primary key would refuse a duplicate, not order them).
   * An advisory lock, because a merchant never configured has no row to lock.
   */
  async lockMerchant(manager: EntityManager, merchantId: string): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
      `paylab.settlement.terms.${merchantId}`,
    ]);
  }

  /** The merchant's newest version (in force or scheduled), or undefined. */
  async newest(manager: EntityManager, merchantId: string): Promise<SettlementTerms | undefined> {
    const rows = (await manager.query(
      `SELECT ${TERMS_COLUMNS} FROM ${TERMS} t WHERE t."merchant_id" = $1
        ORDER BY t."version" DESC LIMIT 1`,
      [merchantId],
    )) as TermsRow[];
    return rows.length > 0 ? termsOf(rows[0]) : undefined;
  }

  /**
   * The latest business date a BUILD_BATCHES run has started for, whatever its outcome: a run
   * that failed half-way or is still running may have built some of that date's batches under
   * the terms in force, so a change must not apply to that date either.
   */
  async lastBuildStarted(manager: EntityManager): Promise<string | null> {
    const [row] = (await manager.query(
      `SELECT MAX("business_date")::text AS "date" FROM ${JOB_RUNS} WHERE "job" = 'BUILD_BATCHES'`,
    )) as Array<{ date: string | null }>;
    return row?.date ?? null;
  }

  async insertVersion(
    manager: EntityManager,
    terms: SettlementTerms,
    createdBy: string,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO ${TERMS}
         ("merchant_id", "version", "cycle_kind", "cycle_days", "cutoff", "minimum_payout_minor",
          "reserve_percent_bp", "reserve_hold_days",
          "payout_bank_code", "payout_account_no", "payout_account_name",
          "effective_from", "created_by")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::date, $13)`,
      [
        terms.merchantId,
        terms.version,
        terms.cycle.kind,
        terms.cycle.kind === 'T_PLUS_N' ? terms.cycle.days : null,
        terms.cutoff,
        terms.minimumPayoutMinor,
        terms.reserve?.percentBp ?? null,
        terms.reserve?.holdDays ?? null,
        terms.payoutAccount?.bankCode ?? null,
        terms.payoutAccount?.accountNo ?? null,
        terms.payoutAccount?.accountName ?? null,
        terms.effectiveFrom,
        createdBy,
      ],
    );
  }

  async insertChange(manager: EntityManager, change: TermsChangeRecord): Promise<void> {
    await manager.query(
      `INSERT INTO ${CHANGES}
         ("id", "merchant_id", "version", "changed_by", "changed_by_role", "changed_at", "reason",
          "before", "after", "effective_from")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10::date)`,
      [
        change.id,
        change.merchantId,
        change.version,
        change.changedBy,
        change.changedByRole,
        change.changedAt,
        change.reason,
        JSON.stringify(change.before),
        JSON.stringify(change.after),
        change.effectiveFrom,
      ],
    );
  }

  /** A merchant's audit trail, newest first (the version order is the order of the changes). */
  async changes(manager: EntityManager, merchantId: string): Promise<TermsChangeRecord[]> {
    const rows = (await manager.query(
      `SELECT "id", "merchant_id", "version", "changed_by", "changed_by_role", "changed_at",
              "reason", "before", "after", "effective_from"::text AS "effective_from"
         FROM ${CHANGES} WHERE "merchant_id" = $1
        ORDER BY "version" DESC`,
      [merchantId],
    )) as Array<{
      id: string;
      merchant_id: string;
      version: number;
      changed_by: string;
      changed_by_role: string;
      changed_at: Date;
      reason: string;
      before: SettlementTerms;
      after: SettlementTerms;
      effective_from: string;
    }>;
    return rows.map((row) => ({
      id: row.id,
      merchantId: row.merchant_id,
      version: row.version,
      changedBy: row.changed_by,
      changedByRole: row.changed_by_role,
      changedAt: row.changed_at,
      reason: row.reason,
      before: row.before,
      after: row.after,
      effectiveFrom: row.effective_from,
    }));
  }
}
