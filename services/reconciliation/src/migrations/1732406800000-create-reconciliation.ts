import type { MigrationInterface, QueryRunner } from 'typeorm';

const OUTCOMES = `'MATCHED', 'MISSING_IN_PLATFORM', 'MISSING_IN_CHANNEL', 'AMOUNT_MISMATCH', 'STATUS_MISMATCH', 'FEE_MISMATCH', 'DUPLICATE', 'CROSS_DAY'`;
const BREAKS = `'MISSING_IN_PLATFORM', 'MISSING_IN_CHANNEL', 'AMOUNT_MISMATCH', 'STATUS_MISMATCH', 'FEE_MISMATCH', 'DUPLICATE'`;
const CHANNELS = `'ALIPAY', 'WECHAT_PAY', 'UNIONPAY'`;

/**
 * Reconciliation's own tables: its projection of platform transactions (built from events, never
 * read from another schema), recon runs, one result per record of a run, and the discrepancies
 * (差错) filed for the breaks.
 */
export class CreateReconciliation1732406800000 implements MigrationInterface {
  name = 'CreateReconciliation1732406800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "reconciliation"."platform_transactions" (
        "transaction_id" text PRIMARY KEY CHECK ("transaction_id" ~ '^txn_[0-9A-HJKMNP-TV-Z]{26}$'),
        "payment_id" text NOT NULL,
        "merchant_id" text NOT NULL,
        "channel" text NOT NULL CHECK ("channel" IN (${CHANNELS})),
        "channel_trade_no" text NOT NULL,
        "amount_minor" bigint NOT NULL CHECK ("amount_minor" > 0),
        "currency" char(3) NOT NULL,
        "status" text NOT NULL CHECK ("status" IN ('SUCCEEDED')),
        "paid_at" timestamptz NOT NULL,
        "business_date" date NOT NULL,
        "confirmed_by" text NOT NULL,
        "source_message_id" text NOT NULL,
        "recorded_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "platform_transactions_channel_trade_no" UNIQUE ("channel", "channel_trade_no")
      )`);
    await queryRunner.query(
      `CREATE INDEX "platform_transactions_by_day" ON "reconciliation"."platform_transactions" ("channel", "business_date")`,
    );
    await queryRunner.query(`
      CREATE TABLE "reconciliation"."recon_runs" (
        "id" text PRIMARY KEY CHECK ("id" ~ '^rcn_[0-9A-HJKMNP-TV-Z]{26}$'),
        "channel" text NOT NULL CHECK ("channel" IN (${CHANNELS})),
        "business_date" date NOT NULL,
        "status" text NOT NULL CHECK ("status" IN ('COMPLETED')),
        "statement_id" text NOT NULL CHECK ("statement_id" ~ '^stm_[0-9A-HJKMNP-TV-Z]{26}$'),
        "statement_format" text NOT NULL,
        "statement_sha256" char(64) NOT NULL,
        "statement_line_count" int NOT NULL CHECK ("statement_line_count" >= 0),
        "cross_day_window_minutes" int NOT NULL,
        "created_at" timestamptz NOT NULL
      )`);
    // The next day's run looks up the latest run of the previous date for its suspense.
    await queryRunner.query(
      `CREATE INDEX "recon_runs_by_day" ON "reconciliation"."recon_runs" ("channel", "business_date", "id")`,
    );
    await queryRunner.query(`
      CREATE TABLE "reconciliation"."recon_results" (
        "run_id" text NOT NULL REFERENCES "reconciliation"."recon_runs" ("id"),
        "seq" int NOT NULL,
        "outcome" text NOT NULL CHECK ("outcome" IN (${OUTCOMES})),
        "channel_trade_no" text NOT NULL,
        "statement_line_no" int,
        "statement_line" jsonb,
        "transaction_id" text,
        "platform_record" jsonb,
        "detail" text,
        "duplicate_of_line_no" int,
        "carried_from_business_date" date,
        PRIMARY KEY ("run_id", "seq"),
        CHECK ("statement_line" IS NOT NULL OR "platform_record" IS NOT NULL)
      )`);
    await queryRunner.query(
      `CREATE INDEX "recon_results_by_outcome" ON "reconciliation"."recon_results" ("run_id", "outcome")`,
    );
    await queryRunner.query(`
      CREATE TABLE "reconciliation"."discrepancies" (
        "id" text PRIMARY KEY CHECK ("id" ~ '^dsc_[0-9A-HJKMNP-TV-Z]{26}$'),
        "run_id" text NOT NULL,
        "result_seq" int NOT NULL,
        "type" text NOT NULL CHECK ("type" IN (${BREAKS})),
        "status" text NOT NULL CHECK ("status" IN ('OPEN', 'RESOLVED')),
        "channel" text NOT NULL,
        "business_date" date NOT NULL,
        "channel_trade_no" text NOT NULL,
        "statement_side" jsonb,
        "platform_side" jsonb,
        "detail" text,
        "created_at" timestamptz NOT NULL,
        FOREIGN KEY ("run_id", "result_seq") REFERENCES "reconciliation"."recon_results" ("run_id", "seq"),
        CONSTRAINT "discrepancies_one_per_result" UNIQUE ("run_id", "result_seq")
      )`);
    await queryRunner.query(
      `CREATE INDEX "discrepancies_by_run" ON "reconciliation"."discrepancies" ("run_id", "id")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "reconciliation"."discrepancies"`);
    await queryRunner.query(`DROP TABLE "reconciliation"."recon_results"`);
    await queryRunner.query(`DROP TABLE "reconciliation"."recon_runs"`);
    await queryRunner.query(`DROP TABLE "reconciliation"."platform_transactions"`);
  }
}
