import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ROOT_LOGGER, type PaylabLogger } from '@paylab/platform';
import { hostname } from 'node:os';
import type { DataSource, QueryRunner } from 'typeorm';
import { BatchBuilder } from '../batches/batch-builder';
import { SettlementError } from '../batches/domain/settlement-error';
import { ReserveReleases } from '../batches/reserve-releases';
import { BOOKS_CLOSER, type BooksCloser } from '../books/books.port';
import { addDays, shanghaiDateOf } from '../calendar/domain/business-date';
import { SETTLEMENT_CONFIG, type SettlementConfig } from '../config';
import { PayoutWorker } from '../payouts/payout.worker';
import { Payouts } from '../payouts/payouts.service';
import { datesToRun, END_OF_DAY_JOBS, type EndOfDayJob } from './domain/end-of-day-plan';

export type EndOfDayTrigger = 'SCHEDULE' | 'INSTRUCTOR';

export interface JobRunView {
  readonly job: EndOfDayJob;
  readonly businessDate: string;
  readonly status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  readonly trigger: EndOfDayTrigger;
  readonly requestedBy: string | null;
  readonly replica: string;
  readonly attempts: number;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly outcome: unknown;
  readonly error: string | null;
}

export interface EndOfDayReport {
  readonly target: string;
  /** The dates this call processed, oldest first (empty: everything was already done). */
  readonly processed: readonly string[];
  readonly runs: readonly JobRunView[];
}

interface JobRunRow {
  job: EndOfDayJob;
  business_date: string;
  status: JobRunView['status'];
  trigger: EndOfDayTrigger;
  requested_by: string | null;
  replica: string;
  attempts: number;
  started_at: Date;
  finished_at: Date | null;
  outcome: unknown;
  error: string | null;
}

/** Held for a whole run, on its own connection: one end of day at a time across all replicas. */
const END_OF_DAY_LOCK = 'paylab.settlement.end-of-day';
/** How long an instructor's run waits for one already in progress before giving up. */
const INSTRUCTOR_LOCK_WAIT_MS = 120_000;

/**
 * The end of day (日终): the scheduled run and the instructor's on-demand run are this one code
 * path. A run takes a session advisory lock (the schedule skips if another replica holds it, an
 * instructor waits), then processes every date from the one after the last completed date up to
 * the target, each date's jobs in order, each job recorded in scheduled_job_runs with its outcome.
 * A job that already SUCCEEDED for a date is never run again; one that failed or was cut off by a
 * crash runs again (every job is idempotent), and later dates wait until it succeeds.
 */
@Injectable()
export class EndOfDay {
  private readonly log: PaylabLogger;
  private readonly replica = `${hostname()}:${process.pid}`;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly reserves: ReserveReleases,
    private readonly batches: BatchBuilder,
    private readonly payouts: Payouts,
    private readonly payoutWorker: PayoutWorker,
    @Inject(BOOKS_CLOSER) private readonly books: BooksCloser,
    @Inject(SETTLEMENT_CONFIG) private readonly config: SettlementConfig,
    @Inject(ROOT_LOGGER) logger: PaylabLogger,
  ) {
    this.log = logger.child({ component: 'end-of-day' });
  }

  /** Runs every open date up to `target`. Undefined when the schedule found another run going. */
  async runThrough(
    target: string,
    trigger: EndOfDayTrigger,
    requestedBy: string | null,
  ): Promise<EndOfDayReport | undefined> {
    const lock = this.dataSource.createQueryRunner();
    await lock.connect();
    try {
      if (!(await this.acquire(lock, trigger))) return undefined;
      try {
        const dates = datesToRun({
          target,
          lastCompleted: await this.lastCompletedDate(),
          firstDate: await this.firstDate(target),
        });
        for (const date of dates) {
          for (const job of END_OF_DAY_JOBS) {
            await this.runJob(job, date, trigger, requestedBy);
          }
        }
        if (dates.length > 0) {
          this.log.info({ target, dates, trigger, requestedBy }, 'end of day done (日终完成)');
        }
        return {
          target,
          processed: dates,
          runs: await this.runsBetween(dates[0] ?? target, target),
        };
      } finally {
        await lock.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [END_OF_DAY_LOCK]);
      }
    } finally {
      await lock.release();
    }
  }

  async runsBetween(from: string, to: string): Promise<JobRunView[]> {
    const rows = (await this.dataSource.query(
      `SELECT job, business_date::text AS business_date, status, trigger, requested_by, replica,
              attempts, started_at, finished_at, outcome, error
         FROM settlement.scheduled_job_runs
        WHERE business_date BETWEEN $1 AND $2
        ORDER BY business_date, array_position($3::text[], job)`,
      [from, to, [...END_OF_DAY_JOBS]],
    )) as JobRunRow[];
    return rows.map((row) => ({
      job: row.job,
      businessDate: row.business_date,
      status: row.status,
      trigger: row.trigger,
      requestedBy: row.requested_by,
      replica: row.replica,
      attempts: row.attempts,
      startedAt: new Date(row.started_at).toISOString(),
      finishedAt: row.finished_at ? new Date(row.finished_at).toISOString() : null,
      outcome: row.outcome,
      error: row.error,
    }));
  }

  private async acquire(lock: QueryRunner, trigger: EndOfDayTrigger): Promise<boolean> {
    if (trigger === 'SCHEDULE') {
      const [row] = (await lock.query(
        `SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`,
        [END_OF_DAY_LOCK],
      )) as Array<{ locked: boolean }>;
      return row.locked;
    }
    try {
      await lock.query(`SET statement_timeout = ${INSTRUCTOR_LOCK_WAIT_MS}`);
      await lock.query(`SELECT pg_advisory_lock(hashtextextended($1, 0))`, [END_OF_DAY_LOCK]);
      return true;
    } catch (error) {
      throw new SettlementError(
        'END_OF_DAY.ALREADY_RUNNING',
        `Another end of day is still running after ${INSTRUCTOR_LOCK_WAIT_MS / 1000} s; try again later (${
          error instanceof Error ? error.message : String(error)
        })`,
      );
    } finally {
      await lock.query(`SET statement_timeout = 0`);
    }
  }

  private async lastCompletedDate(): Promise<string | null> {
    const [row] = (await this.dataSource.query(
      `SELECT max(business_date)::text AS date FROM settlement.scheduled_job_runs
        WHERE job = 'CLOSE_BOOKS' AND status = 'SUCCEEDED'`,
    )) as Array<{ date: string | null }>;
    return row?.date ?? null;
  }

  /** Where the very first run starts: configured, or the earliest item within the look-back. */
  private async firstDate(target: string): Promise<string> {
    if (this.config.EOD_FIRST_DATE) return this.config.EOD_FIRST_DATE;
    const [row] = (await this.dataSource.query(
      `SELECT min(business_date)::text AS date FROM settlement.settlement_items`,
    )) as Array<{ date: string | null }>;
    const earliest = row?.date ?? target;
    const floor = addDays(target, -this.config.EOD_FIRST_RUN_LOOKBACK_DAYS);
    return earliest < floor ? floor : earliest;
  }

  private async runJob(
    job: EndOfDayJob,
    date: string,
    trigger: EndOfDayTrigger,
    requestedBy: string | null,
  ): Promise<void> {
    const started = (await this.dataSource.query(
      `INSERT INTO settlement.scheduled_job_runs
         (job, business_date, status, trigger, requested_by, replica)
       VALUES ($1, $2, 'RUNNING', $3, $4, $5)
       ON CONFLICT (job, business_date) DO UPDATE
         SET status = 'RUNNING', attempts = scheduled_job_runs.attempts + 1, trigger = $3,
             requested_by = $4, replica = $5, started_at = now(), finished_at = NULL, error = NULL
       WHERE scheduled_job_runs.status <> 'SUCCEEDED'
       RETURNING attempts`,
      [job, date, trigger, requestedBy, this.replica],
    )) as Array<{ attempts: number }>;
    if (started.length === 0) return; // done before: idempotent per job and date
    try {
      const outcome = await this.execute(job, date);
      await this.dataSource.query(
        `UPDATE settlement.scheduled_job_runs
            SET status = 'SUCCEEDED', finished_at = now(), outcome = $3
          WHERE job = $1 AND business_date = $2`,
        [job, date, JSON.stringify(outcome)],
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await this.dataSource.query(
        `UPDATE settlement.scheduled_job_runs
            SET status = 'FAILED', finished_at = now(), error = $3
          WHERE job = $1 AND business_date = $2`,
        [job, date, message.slice(0, 2000)],
      );
      this.log.error({ job, businessDate: date, err: message }, 'end-of-day job failed');
      throw new SettlementError(
        'END_OF_DAY.JOB_FAILED',
        `${job} for ${date} failed: ${message}; later dates wait until it succeeds`,
      );
    }
  }

  private async execute(job: EndOfDayJob, date: string): Promise<unknown> {
    switch (job) {
      case 'RELEASE_RESERVES':
        return this.reserves.release(date);
      case 'BUILD_BATCHES':
        return this.batches.build(date);
      case 'PAY_OUT': {
        const outcome = await this.payouts.payOutDue(date);
        this.payoutWorker.nudge();
        return outcome;
      }
      case 'CLOSE_BOOKS':
        return this.books.closeBusinessDate(date);
    }
  }

  /** Today in Asia/Shanghai, for the instructor's look-ahead limit. */
  today(): string {
    return shanghaiDateOf(new Date());
  }
}
