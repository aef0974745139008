import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Refunds (退款) at the simulated channels: one row per accepted refund request, idempotent per
 * (channel, merchant, out_refund_no / out_request_no); its outcome is decided when the channel
 * accepts it and becomes visible at `completes_at` (a delayed refund is PROCESSING until then).
 * A trade keeps what has been refunded so far, and a notification may carry a refund.
 */
export class Refunds1732408000000 implements MigrationInterface {
  name = 'Refunds1732408000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE "channel_sandbox"."trades"
        ADD COLUMN "refunded_minor" bigint NOT NULL DEFAULT 0 CHECK ("refunded_minor" >= 0)`);
    await queryRunner.query(`
      CREATE TABLE "channel_sandbox"."refunds" (
        "refund_no" text PRIMARY KEY,
        "channel" text NOT NULL CHECK ("channel" IN ('ALIPAY', 'WECHAT_PAY', 'UNIONPAY')),
        "merchant_account" text NOT NULL,
        "trade_no" text NOT NULL REFERENCES "channel_sandbox"."trades" ("trade_no"),
        "out_refund_no" text NOT NULL,
        "amount_minor" bigint NOT NULL CHECK ("amount_minor" > 0),
        "reason" text,
        "outcome" text NOT NULL CHECK ("outcome" IN ('SUCCESS', 'ABNORMAL')),
        "notify_url" text,
        "created_at" timestamptz NOT NULL,
        "completes_at" timestamptz NOT NULL,
        "business_date" date NOT NULL,
        "applied_fault_ids" jsonb NOT NULL DEFAULT '[]'::jsonb,
        UNIQUE ("channel", "merchant_account", "out_refund_no")
      )`);
    await queryRunner.query(`
      CREATE INDEX "refunds_statement" ON "channel_sandbox"."refunds"
        ("channel", "merchant_account", "business_date")`);
    await queryRunner.query(`
      ALTER TABLE "channel_sandbox"."notifications"
        ADD COLUMN "refund_no" text REFERENCES "channel_sandbox"."refunds" ("refund_no")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "channel_sandbox"."notifications" DROP COLUMN "refund_no"`,
    );
    await queryRunner.query(`DROP TABLE "channel_sandbox"."refunds"`);
    await queryRunner.query(`ALTER TABLE "channel_sandbox"."trades" DROP COLUMN "refunded_minor"`);
  }
}
