import type { MigrationInterface, QueryRunner } from 'typeorm';

const OUTCOMES = `'MATCHED', 'MISSING_IN_PLATFORM', 'MISSING_IN_CHANNEL', 'AMOUNT_MISMATCH', 'STATUS_MISMATCH', 'FEE_MISMATCH', 'DUPLICATE', 'CROSS_DAY', 'REFUND_MISSING_IN_PLATFORM', 'REFUND_MISSING_IN_CHANNEL', 'REFUND_AMOUNT_MISMATCH'`;
const BREAKS = `'MISSING_IN_PLATFORM', 'MISSING_IN_CHANNEL', 'AMOUNT_MISMATCH', 'STATUS_MISMATCH', 'FEE_MISMATCH', 'DUPLICATE', 'REFUND_MISSING_IN_PLATFORM', 'REFUND_MISSING_IN_CHANNEL', 'REFUND_AMOUNT_MISMATCH'`;
const CHANNELS = `'ALIPAY', 'WECHAT_PAY', 'UNIONPAY'`;

/**
 * Refunds in reconciliation: a projection of the refunds channels confirmed
 * (ChannelRefundSucceeded), matched line by line against the statement's refund lines, with
 * outcomes of their own; the channel account (cha_…) of each payment and refund, so that a run
 * can be scoped to one account's statement.
 */
export class PlatformRefundsAndAccounts1732406810000 implements MigrationInterface {
  name = 'PlatformRefundsAndAccounts1732406810000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "reconciliation"."platform_transactions" ADD COLUMN "channel_account_id" text`,
    );
    await queryRunner.query(`
      CREATE TABLE "reconciliation"."platform_refunds" (
        "refund_id" text PRIMARY KEY CHECK ("refund_id" ~ '^ref_[0-9A-HJKMNP-TV-Z]{26}$'),
        "transaction_id" text NOT NULL,
        "payment_id" text NOT NULL,
        "merchant_id" text NOT NULL,
        "kind" text NOT NULL,
        "channel" text NOT NULL CHECK ("channel" IN (${CHANNELS})),
        "channel_account_id" text,
        "channel_trade_no" text NOT NULL,
        "channel_refund_no" text NOT NULL,
        "amount_minor" bigint NOT NULL CHECK ("amount_minor" > 0),
        "currency" char(3) NOT NULL,
        "refunded_at" timestamptz NOT NULL,
        "business_date" date NOT NULL,
        "source_message_id" text NOT NULL,
        "recorded_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX "platform_refunds_by_day" ON "reconciliation"."platform_refunds" ("channel", "business_date")`,
    );
    await queryRunner.query(
      `ALTER TABLE "reconciliation"."recon_runs" ADD COLUMN "channel_account_id" text`,
    );
    await queryRunner.query(
      `ALTER TABLE "reconciliation"."recon_results" ADD COLUMN "refund_id" text`,
    );
    await queryRunner.query(`
      ALTER TABLE "reconciliation"."recon_results"
        DROP CONSTRAINT "recon_results_outcome_check",
        ADD CONSTRAINT "recon_results_outcome_check" CHECK ("outcome" IN (${OUTCOMES}))`);
    await queryRunner.query(`
      ALTER TABLE "reconciliation"."discrepancies"
        DROP CONSTRAINT "discrepancies_type_check",
        ADD CONSTRAINT "discrepancies_type_check" CHECK ("type" IN (${BREAKS}))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "reconciliation"."platform_refunds"`);
    await queryRunner.query(
      `ALTER TABLE "reconciliation"."platform_transactions" DROP COLUMN "channel_account_id"`,
    );
    await queryRunner.query(
      `ALTER TABLE "reconciliation"."recon_runs" DROP COLUMN "channel_account_id"`,
    );
    await queryRunner.query(`ALTER TABLE "reconciliation"."recon_results" DROP COLUMN "refund_id"`);
  }
}
