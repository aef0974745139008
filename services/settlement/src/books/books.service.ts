import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { MetricsRegistry, ROOT_LOGGER, type PaylabLogger } from '@paylab/platform';
import { Counter } from 'prom-client';
import type { DataSource, EntityManager } from 'typeorm';
import {
  addDays,
  daysBetween,
  isBusinessDate,
  shanghaiDateOf,
} from '../calendar/domain/business-date';
import { foldSubLedgerTotals, SUBLEDGER_TOTALS_SQL } from './subledger-totals';
import { settlementSchema } from '../config';
import type { BooksCloseReport, BooksCloser } from './books.port';
import {
  balanceOnNormalSide,
  checkAccountingIdentities,
  type AccountTotals,
  type SubLedgerTotals,
} from './domain/accounting-identities';
import { BooksError } from './domain/books-error';
import type { StoredTrialBalance } from './books.views';

const table = (name: string) => `"${settlementSchema}"."${name}"`;

/** What business_days.report holds: the close report and the trial balance of the date. */
export interface StoredCloseReport extends BooksCloseReport {
  readonly closedAt: string;
  readonly trialBalance: StoredTrialBalance;
}

interface TotalsRow {
  account: string;
  currency: string;
  debits: string;
  credits: string;
}

/** How long a close waits for posting transactions in flight before it gives up (and is retried). */
const CLOSE_LOCK_TIMEOUT = '60s';

/**
 * Closes business dates (日终关账) and keeps what a close produces: each account's balance on the
 * date (daily_balance_snapshots), the date's trial balance and the accounting identity checks.
 *
 * Dates close in order. Closing date X requires X to be the day after the last closed date (or,
 * before the first close, any date that has begun): the end of day closes each date in turn, and
 * a catch-up after an outage does the same, so a gap is a bug to refuse with BOOKS.OUT_OF_ORDER
 * rather than paper over. Closing a closed date returns its stored report and changes nothing.
 */
/** How far ahead of today a date may be closed (the end of day's own limit is tighter). */
const MAX_DAYS_AHEAD = 31;

@Injectable()
export class Books implements BooksCloser {
  private readonly log: PaylabLogger;
  private readonly failedChecks: Counter;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    metrics: MetricsRegistry,
    @Inject(ROOT_LOGGER) logger: PaylabLogger,
  ) {
    this.log = logger.child({ component: 'books' });
    this.failedChecks = new Counter({
      name: 'books_accounting_check_failures_total',
      help: 'Accounting identity checks (and trial balances) that failed when a business date was closed',
      labelNames: ['check', 'currency'],
      registers: [metrics.registry],
    });
  }

  async closeBusinessDate(businessDate: string): Promise<BooksCloseReport> {
    if (!isBusinessDate(businessDate)) {
      throw new BooksError(
        'BOOKS.INVALID_DATE',
        `Not a business date (YYYY-MM-DD): ${businessDate}`,
      );
    }
    // Fast path without the lock: a closed date never changes.
    const stored = await this.storedReport(this.dataSource.manager, businessDate);
    if (stored) return closeReportOf(stored);
    const today = shanghaiDateOf(new Date());
    // An instructor's end of day may close a few days ahead (to show T+1 in minutes): entries
    // posted meanwhile then land on the next open date. Far ahead is a mistake, not a lesson.
    if (daysBetween(today, businessDate) > MAX_DAYS_AHEAD) {
      throw new BooksError(
        'BOOKS.DATE_IN_FUTURE',
        `${businessDate} is more than ${MAX_DAYS_AHEAD} days after today (${today} in Asia/Shanghai)`,
      );
    }

    const { report, fresh } = await this.dataSource.transaction('REPEATABLE READ', (manager) =>
      this.closeUnderLock(manager, businessDate),
    );
    if (fresh && !report.healthy) {
      const failing = report.checks.filter((check) => !check.holds);
      for (const check of failing)
        this.failedChecks.inc({ check: check.name, currency: check.currency });
      if (!report.trialBalanceBalanced && !failing.some((c) => c.name === 'TRIAL_BALANCE')) {
        this.failedChecks.inc({ check: 'TRIAL_BALANCE', currency: 'ALL' });
      }
      this.log.error(
        {
          businessDate,
          trialBalanceBalanced: report.trialBalanceBalanced,
          unbalancedEntryIds: report.trialBalance.unbalancedEntryIds,
          failingChecks: failing,
        },
        `BOOKS DO NOT BALANCE for ${businessDate}: ${failing.length} accounting check(s) failed ` +
          `(${failing.map((c) => `${c.name} ${c.currency} off by ${c.differenceMinor}`).join('; ')})`,
      );
    }
    return closeReportOf(report);
  }

  /** The stored report of a closed date (BOOKS.NOT_CLOSED if it was never closed). */
  async report(businessDate: string): Promise<StoredCloseReport> {
    const stored = await this.storedReport(this.dataSource.manager, businessDate);
    if (!stored) throw notClosed(businessDate);
    return stored;
  }

  /** Every account's balance as the close of `businessDate` recorded it. */
  async snapshot(businessDate: string): Promise<{ closedAt: string; accounts: AccountTotals[] }> {
    const stored = await this.report(businessDate);
    const rows = (await this.dataSource.query(
      `SELECT account, currency, debits_minor::text AS debits, credits_minor::text AS credits
         FROM ${table('daily_balance_snapshots')}
        WHERE business_date = $1
        ORDER BY account, currency`,
      [businessDate],
    )) as TotalsRow[];
    return { closedAt: stored.closedAt, accounts: rows.map(totalsOf) };
  }

  private async closeUnderLock(
    manager: EntityManager,
    businessDate: string,
  ): Promise<{ report: StoredCloseReport; fresh: boolean }> {
    // Before any query, so the transaction's snapshot is taken after every poster that held the
    // table has committed: SHARE ROW EXCLUSIVE waits for inserters (ROW EXCLUSIVE) and keeps new
    // ones out until this commits; their trigger then sees the close.
    await manager.query(`SET LOCAL lock_timeout = '${CLOSE_LOCK_TIMEOUT}'`);
    await manager.query(`LOCK TABLE ${table('journal_entries')} IN SHARE ROW EXCLUSIVE MODE`);

    const already = await this.storedReport(manager, businessDate);
    if (already) return { report: already, fresh: false };
    const [{ closed_through: closedThrough }] = (await manager.query(
      `SELECT max(business_date)::text AS closed_through FROM ${table('business_days')}`,
    )) as Array<{ closed_through: string | null }>;
    if (closedThrough !== null) {
      const next = addDays(closedThrough, 1);
      if (businessDate < closedThrough) {
        throw new BooksError(
          'BOOKS.OUT_OF_ORDER',
          `${businessDate} is before the first close: the books are closed through ${closedThrough}`,
        );
      }
      if (businessDate > next) {
        throw new BooksError(
          'BOOKS.OUT_OF_ORDER',
          `The books are closed through ${closedThrough}: close ${next} before ${businessDate}`,
        );
      }
    }

    const closedAt = new Date();
    // The snapshot of X is that of the last closed date plus every line dated after it up to X
    // (all lines up to X at the first close): no full scan of the ledger each day.
    const snapshot = (
      (await manager.query(
        `SELECT account, currency, SUM(debits)::text AS debits, SUM(credits)::text AS credits
         FROM (
           SELECT account, currency, debits_minor AS debits, credits_minor AS credits
             FROM ${table('daily_balance_snapshots')}
            WHERE business_date = $1::date
           UNION ALL
           SELECT l.account, l.currency,
                  CASE WHEN l.side = 'DEBIT' THEN l.amount_minor ELSE 0 END,
                  CASE WHEN l.side = 'CREDIT' THEN l.amount_minor ELSE 0 END
             FROM ${table('journal_lines')} l
             JOIN ${table('journal_entries')} e ON e.id = l.entry_id
            WHERE e.business_date > COALESCE($1::date, '-infinity'::date)
              AND e.business_date <= $2::date
         ) movements
        GROUP BY account, currency
        ORDER BY account, currency`,
        [closedThrough, businessDate],
      )) as TotalsRow[]
    ).map(totalsOf);

    const unbalanced = (await manager.query(
      `SELECT e.id
         FROM ${table('journal_entries')} e
         LEFT JOIN ${table('journal_lines')} l ON l.entry_id = e.id
        WHERE e.business_date > COALESCE($1::date, '-infinity'::date) AND e.business_date <= $2::date
        GROUP BY e.id
       HAVING COUNT(l.id) < 2
           OR COUNT(DISTINCT l.currency) <> 1
           OR COALESCE(SUM(CASE WHEN l.side = 'DEBIT' THEN l.amount_minor ELSE -l.amount_minor END), 0) <> 0
        ORDER BY e.id
        LIMIT 100`,
      [closedThrough, businessDate],
    )) as Array<{ id: string }>;
    const [{ count: entryCount }] = (await manager.query(
      `SELECT COUNT(*)::int AS count FROM ${table('journal_entries')} WHERE business_date <= $1::date`,
      [businessDate],
    )) as Array<{ count: number }>;
    const previous =
      closedThrough === null ? undefined : await this.storedReport(manager, closedThrough);
    const previouslyUnbalanced = previous?.trialBalance.unbalancedEntryIds ?? [];
    const trialBalance = trialBalanceOf(snapshot, entryCount, [
      ...new Set([...previouslyUnbalanced, ...unbalanced.map((row) => row.id)]),
    ]);

    // The identities hold for the books as they stand, so they compare the live sub-ledgers with
    // the live balances: the snapshot plus whatever is already dated after X (entries of X+1
    // posted before this end of day ran).
    const later = (
      (await manager.query(
        `SELECT l.account, l.currency,
              COALESCE(SUM(l.amount_minor) FILTER (WHERE l.side = 'DEBIT'), 0)::text AS debits,
              COALESCE(SUM(l.amount_minor) FILTER (WHERE l.side = 'CREDIT'), 0)::text AS credits
         FROM ${table('journal_lines')} l
         JOIN ${table('journal_entries')} e ON e.id = l.entry_id
        WHERE e.business_date > $1::date
        GROUP BY l.account, l.currency`,
        [businessDate],
      )) as TotalsRow[]
    ).map(totalsOf);
    const checks = checkAccountingIdentities(
      mergeTotals(snapshot, later),
      await this.subLedgerTotals(manager),
    );

    const report: StoredCloseReport = {
      businessDate,
      accountsSnapshotted: snapshot.length,
      trialBalanceBalanced: trialBalance.balanced,
      checks,
      healthy: trialBalance.balanced && checks.every((check) => check.holds),
      closedAt: closedAt.toISOString(),
      trialBalance,
    };

    await manager.query(
      `INSERT INTO ${table('business_days')} (business_date, closed_at, report) VALUES ($1, $2, $3)`,
      [businessDate, closedAt, JSON.stringify(report)],
    );
    await manager.query(
      `INSERT INTO ${table('daily_balance_snapshots')}
         (business_date, account, currency, debits_minor, credits_minor, balance_minor)
       SELECT $1::date, account, currency, debits, credits, balance
         FROM unnest($2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[])
           AS s(account, currency, debits, credits, balance)`,
      [
        businessDate,
        snapshot.map((row) => row.account),
        snapshot.map((row) => row.currency),
        snapshot.map((row) => row.debitsMinor.toString()),
        snapshot.map((row) => row.creditsMinor.toString()),
        snapshot.map((row) => balanceOnNormalSide(row).toString()),
      ],
    );
    await manager.query(
      `INSERT INTO ${table('accounting_checks')}
         (business_date, name, currency, statement, left_minor, right_minor, difference_minor, holds)
       SELECT $1::date, name, currency, statement, left_minor, right_minor, difference_minor, holds
         FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[], $8::boolean[])
           AS c(name, currency, statement, left_minor, right_minor, difference_minor, holds)`,
      [
        businessDate,
        checks.map((c) => c.name),
        checks.map((c) => c.currency),
        checks.map((c) => c.statement),
        checks.map((c) => c.leftMinor),
        checks.map((c) => c.rightMinor),
        checks.map((c) => c.differenceMinor),
        checks.map((c) => c.holds),
      ],
    );
    return { report, fresh: true };
  }

  /** Each sub-ledger total per currency, each summed from its own table. */
  private async subLedgerTotals(manager: EntityManager): Promise<SubLedgerTotals[]> {
    return foldSubLedgerTotals(await manager.query(SUBLEDGER_TOTALS_SQL));
  }

  private async storedReport(
    manager: EntityManager,
    businessDate: string,
  ): Promise<StoredCloseReport | undefined> {
    const rows = (await manager.query(
      `SELECT report FROM ${table('business_days')} WHERE business_date = $1::date`,
      [businessDate],
    )) as Array<{ report: StoredCloseReport }>;
    return rows[0]?.report;
  }
}

function notClosed(businessDate: string): BooksError {
  return new BooksError('BOOKS.NOT_CLOSED', `The books of ${businessDate} have not been closed`);
}

function closeReportOf(stored: StoredCloseReport): BooksCloseReport {
  const { businessDate, accountsSnapshotted, trialBalanceBalanced, checks, healthy } = stored;
  return { businessDate, accountsSnapshotted, trialBalanceBalanced, checks, healthy };
}

function totalsOf(row: TotalsRow): AccountTotals {
  return {
    account: row.account,
    currency: row.currency,
    debitsMinor: BigInt(row.debits),
    creditsMinor: BigInt(row.credits),
  };
}

function mergeTotals(...lists: AccountTotals[][]): AccountTotals[] {
  const merged = new Map<string, AccountTotals>();
  for (const totals of lists.flat()) {
    const key = `${totals.account}\u0000${totals.currency}`;
    const current = merged.get(key);
    merged.set(
      key,
      current === undefined
        ? totals
        : {
            ...current,
            debitsMinor: current.debitsMinor + totals.debitsMinor,
            creditsMinor: current.creditsMinor + totals.creditsMinor,
          },
    );
  }
  return [...merged.values()];
}

function trialBalanceOf(
  snapshot: readonly AccountTotals[],
  entryCount: number,
  unbalancedEntryIds: string[],
): StoredTrialBalance {
  const currencies = [...new Set(snapshot.map((row) => row.currency))].sort().map((currency) => {
    const rows = snapshot.filter((row) => row.currency === currency);
    const debits = rows.reduce((total, row) => total + row.debitsMinor, 0n);
    const credits = rows.reduce((total, row) => total + row.creditsMinor, 0n);
    return {
      currency,
      totalDebits: { amountMinor: Number(debits), currency },
      totalCredits: { amountMinor: Number(credits), currency },
      balanced: debits === credits,
    };
  });
  return {
    balanced: unbalancedEntryIds.length === 0 && currencies.every((c) => c.balanced),
    entryCount,
    currencies,
    unbalancedEntryIds: unbalancedEntryIds.slice(0, 100),
  };
}
