import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the simulated Alipay gateway needs beyond the bare trade: the order's subject and QR
 * token, the buyer, the faults recorded on each payment, the async notifications with their
 * delivery state (kept here, not in memory, so a restart loses no pending callback), and the
 * instructor's fault queue.
 */
export class AlipayGateway1732407100000 implements MigrationInterface {
  name = 'AlipayGateway1732407100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE "channel_sandbox"."trades"
        ADD COLUMN "subject" text,
        ADD COLUMN "qr_token" text UNIQUE,
        ADD COLUMN "buyer_user_id" text,
        ADD COLUMN "buyer_logon_id" text,
        ADD COLUMN "closed_at" timestamptz,
        ADD COLUMN "statement_faults" jsonb NOT NULL DEFAULT '{}'::jsonb,
        ADD COLUMN "applied_fault_ids" jsonb NOT NULL DEFAULT '[]'::jsonb`);
    await queryRunner.query(`
      CREATE INDEX "trades_statement" ON "channel_sandbox"."trades"
        ("channel", "merchant_account", "business_date")`);
    await queryRunner.query(`
      CREATE TABLE "channel_sandbox"."notifications" (
        "id" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        "trade_no" text NOT NULL REFERENCES "channel_sandbox"."trades" ("trade_no"),
        "notify_url" text NOT NULL,
        "notify_id" text NOT NULL,
        "status" text NOT NULL CHECK ("status" IN ('PENDING', 'DELIVERED', 'GAVE_UP')),
        "attempts" int NOT NULL DEFAULT 0 CHECK ("attempts" >= 0),
        "next_attempt_at" timestamptz NOT NULL,
        "last_attempt_at" timestamptz,
        "last_result" text,
        "delivered_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE INDEX "notifications_due" ON "channel_sandbox"."notifications" ("next_attempt_at")
        WHERE "status" = 'PENDING'`);
    await queryRunner.query(`
      CREATE TABLE "channel_sandbox"."faults" (
        "id" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        "channel" text NOT NULL CHECK ("channel" IN ('ALIPAY', 'WECHAT_PAY', 'UNIONPAY')),
        "kind" text NOT NULL,
        "params" jsonb NOT NULL,
        "remaining" int NOT NULL CHECK ("remaining" >= 0),
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "channel_sandbox"."faults"`);
    await queryRunner.query(`DROP TABLE "channel_sandbox"."notifications"`);
    await queryRunner.query(`DROP INDEX "channel_sandbox"."trades_statement"`);
    await queryRunner.query(`
      ALTER TABLE "channel_sandbox"."trades"
        DROP COLUMN "subject", DROP COLUMN "qr_token", DROP COLUMN "buyer_user_id",
        DROP COLUMN "buyer_logon_id", DROP COLUMN "closed_at", DROP COLUMN "statement_faults",
        DROP COLUMN "applied_fault_ids"`);
  }
}
