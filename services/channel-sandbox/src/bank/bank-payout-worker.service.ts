import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { BackgroundWorker, type PaylabLogger, ROOT_LOGGER } from '@paylab/platform';
import type { DataSource } from 'typeorm';
import { BankPayouts } from './bank-payouts.service';
import { BANK_SANDBOX_SETTINGS, type BankSandboxSettings } from './bank.settings';

const BATCH_SIZE = 50;

/**
 * Finishes accepted payouts (代付) when they are due: each becomes what was decided at acceptance
 * (SUCCEEDED or FAILED), gets its business date (Asia/Shanghai) and, unless a fault withholds
 * it, a result notification for the BankNotificationWorker — one statement per batch, so a
 * payout never finishes without its notification. Rows are claimed with SKIP LOCKED, so several
 * replicas never finish one payout twice; the PROCESSING guard makes a repeat a no-op.
 */
@Injectable()
export class BankPayoutWorker extends BackgroundWorker {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly payouts: BankPayouts,
    @Inject(BANK_SANDBOX_SETTINGS) settings: BankSandboxSettings,
    @Inject(ROOT_LOGGER) private readonly logger: PaylabLogger,
  ) {
    super('sandbox-bank-payouts', settings.pollIntervalMs, logger);
  }

  protected async runPass(): Promise<boolean> {
    const finished = await this.pass();
    await this.payouts.forgetOldNonces();
    return finished === BATCH_SIZE;
  }

  /** Finishes what is due; returns how many payouts it finished. */
  async pass(): Promise<number> {
    const rows: Array<{ bank_txn_no: string; request_no: string; status: string }> =
      await this.dataSource.query(
        `WITH "due" AS (
           SELECT "bank_txn_no" FROM "bank_payouts"
           WHERE "status" = 'PROCESSING' AND "completes_at" <= now()
           ORDER BY "completes_at", "bank_txn_no" LIMIT $1 FOR UPDATE SKIP LOCKED),
         "finished" AS (
           UPDATE "bank_payouts" AS "payout" SET "status" = "payout"."planned_status",
             "finished_at" = now(),
             "business_date" = ((now() AT TIME ZONE 'UTC') + interval '8 hours')::date
           FROM "due" WHERE "payout"."bank_txn_no" = "due"."bank_txn_no"
             AND "payout"."status" = 'PROCESSING'
           RETURNING "payout"."bank_txn_no", "payout"."request_no", "payout"."status",
             "payout"."notify", "payout"."notify_url"),
         "queued" AS (
           INSERT INTO "bank_notifications" ("bank_txn_no", "notify_id", "notify_url", "status",
             "next_attempt_at")
           SELECT "bank_txn_no", 'BN' || substr("bank_txn_no", 4), "notify_url", 'PENDING', now()
           FROM "finished" WHERE "notify")
         SELECT "bank_txn_no", "request_no", "status" FROM "finished"`,
        [BATCH_SIZE],
      );
    for (const row of rows) {
      this.logger.info(
        { bankTxnNo: row.bank_txn_no, requestNo: row.request_no, status: row.status },
        'bank payout finished',
      );
    }
    return rows.length;
  }
}
