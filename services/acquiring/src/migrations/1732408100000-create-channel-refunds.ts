import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Channel refunds (渠道退款): one row per cashier refund (refund_id = the ref_ id, also our
 * out_request_no / out_refund_no at the channel), PENDING until the channel's answer, a verified
 * notification or an active query settles it. `stage` says what the worker does next when
 * `next_attempt_at` is due: SUBMIT (send it, idempotent at the channel) or QUERY (ask about it).
 * Raw callbacks may now be about a refund.
 */
export class CreateChannelRefunds1732408100000 implements MigrationInterface {
  name = 'CreateChannelRefunds1732408100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "acquiring"."channel_refunds" (
        "refund_id" text PRIMARY KEY,
        "transaction_id" text NOT NULL,
        "payment_id" text NOT NULL,
        "merchant_id" text NOT NULL,
        "channel" text NOT NULL,
        "channel_account_id" text,
        "kind" text NOT NULL CHECK ("kind" IN ('MERCHANT_REFUND', 'LATE_PAYMENT_RETURN')),
        "amount_minor" bigint NOT NULL CHECK ("amount_minor" > 0),
        "currency" char(3) NOT NULL,
        "reason" text,
        "status" text NOT NULL CHECK ("status" IN ('PENDING', 'SUCCEEDED', 'FAILED')),
        "stage" text NOT NULL CHECK ("stage" IN ('SUBMIT', 'QUERY')),
        "attempts" int NOT NULL DEFAULT 0 CHECK ("attempts" >= 0),
        "next_attempt_at" timestamptz NOT NULL,
        "last_error" text,
        "channel_refund_no" text,
        "channel_trade_no" text,
        "confirmed_by" text CHECK ("confirmed_by" IN ('SYNC_RESPONSE', 'CALLBACK', 'ACTIVE_QUERY')),
        "failure_code" text,
        "failure_message" text,
        "refunded_at" timestamptz,
        "business_date" date,
        "requested_at" timestamptz NOT NULL,
        "created_at" timestamptz NOT NULL,
        "updated_at" timestamptz NOT NULL,
        CHECK ("status" <> 'SUCCEEDED' OR ("channel_refund_no" IS NOT NULL AND "refunded_at" IS NOT NULL)),
        CHECK ("status" <> 'FAILED' OR "failure_code" IS NOT NULL)
      )`);
    await queryRunner.query(`
      CREATE INDEX "channel_refunds_transaction" ON "acquiring"."channel_refunds" ("transaction_id")`);
    await queryRunner.query(`
      CREATE INDEX "channel_refunds_due" ON "acquiring"."channel_refunds" ("next_attempt_at")
        WHERE "status" = 'PENDING'`);
    await queryRunner.query(`
      ALTER TABLE "acquiring"."raw_callbacks"
        ADD COLUMN "refund_id" text,
        DROP CONSTRAINT IF EXISTS "raw_callbacks_outcome_check",
        ADD CONSTRAINT "raw_callbacks_outcome_check" CHECK ("outcome" IN ('SETTLED', 'DUPLICATE',
          'IGNORED', 'UNKNOWN_TRANSACTION', 'UNKNOWN_REFUND', 'MISMATCH', 'REJECTED'))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE "acquiring"."raw_callbacks"
        DROP COLUMN "refund_id",
        DROP CONSTRAINT IF EXISTS "raw_callbacks_outcome_check",
        ADD CONSTRAINT "raw_callbacks_outcome_check" CHECK ("outcome" IN ('SETTLED', 'DUPLICATE',
          'IGNORED', 'UNKNOWN_TRANSACTION', 'MISMATCH', 'REJECTED'))`);
    await queryRunner.query(`DROP TABLE "acquiring"."channel_refunds"`);
  }
}
