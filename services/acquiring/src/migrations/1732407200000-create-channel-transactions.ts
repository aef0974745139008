import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateChannelTransactions1732407200000 implements MigrationInterface {
  name = 'CreateChannelTransactions1732407200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "acquiring"."channel_transactions" (
        "id" text PRIMARY KEY CHECK ("id" ~ '^txn_[0-9A-HJKMNP-TV-Z]{26}$'),
        "payment_id" text NOT NULL,
        "merchant_id" text NOT NULL,
        "channel" text NOT NULL CHECK ("channel" IN ('ALIPAY', 'WECHAT_PAY', 'UNIONPAY')),
        "out_trade_no" text NOT NULL,
        "channel_trade_no" text,
        "amount_minor" bigint NOT NULL CHECK ("amount_minor" > 0),
        "currency" char(3) NOT NULL,
        "subject" text NOT NULL,
        "qr_payload" text NOT NULL,
        "status" text NOT NULL CHECK ("status" IN ('PENDING', 'SUCCEEDED', 'CLOSED')),
        "confirmed_by" text CHECK ("confirmed_by" IN ('CALLBACK', 'ACTIVE_QUERY')),
        "paid_at" timestamptz,
        "business_date" date,
        "expires_at" timestamptz NOT NULL,
        "next_query_at" timestamptz NOT NULL,
        "closed_at" timestamptz,
        "created_at" timestamptz NOT NULL,
        "updated_at" timestamptz NOT NULL,
        CONSTRAINT "channel_transactions_payment_id" UNIQUE ("payment_id"),
        CONSTRAINT "channel_transactions_channel_trade_no" UNIQUE ("channel", "channel_trade_no"),
        CONSTRAINT "channel_transactions_out_trade_no" UNIQUE ("channel", "out_trade_no"),
        -- A paid transaction always says who confirmed it, when, and under which trade number.
        CONSTRAINT "channel_transactions_paid_facts" CHECK (
          ("status" = 'SUCCEEDED') = ("confirmed_by" IS NOT NULL AND "paid_at" IS NOT NULL
            AND "channel_trade_no" IS NOT NULL AND "business_date" IS NOT NULL))
      )`);
    // The active-query worker looks for unconfirmed transactions that are due.
    await queryRunner.query(
      `CREATE INDEX "channel_transactions_due_queries" ON "acquiring"."channel_transactions" ("next_query_at") WHERE "status" = 'PENDING'`,
    );
    await queryRunner.query(`
      CREATE TABLE "acquiring"."raw_callbacks" (
        "id" bigserial PRIMARY KEY,
        "channel" text NOT NULL,
        "received_at" timestamptz NOT NULL DEFAULT now(),
        "content_type" text NOT NULL,
        "body" text NOT NULL,
        "verification" text NOT NULL CHECK ("verification" IN ('VERIFIED', 'REJECTED')),
        "error_code" text,
        "outcome" text NOT NULL CHECK ("outcome" IN ('SETTLED', 'DUPLICATE', 'IGNORED', 'UNKNOWN_TRANSACTION', 'MISMATCH', 'REJECTED')),
        "notify_id" text,
        "out_trade_no" text,
        "channel_trade_no" text,
        "transaction_id" text
      )`);
    await queryRunner.query(
      `CREATE INDEX "raw_callbacks_by_transaction" ON "acquiring"."raw_callbacks" ("transaction_id")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "acquiring"."raw_callbacks"`);
    await queryRunner.query(`DROP TABLE "acquiring"."channel_transactions"`);
  }
}
