import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreatePaymentOrders1732406700000 implements MigrationInterface {
  name = 'CreatePaymentOrders1732406700000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "cashier"."payment_orders" (
        "id" text PRIMARY KEY CHECK ("id" ~ '^pay_[0-9A-HJKMNP-TV-Z]{26}$'),
        "merchant_id" text NOT NULL REFERENCES "cashier"."merchants" ("id"),
        "app_id" text NOT NULL REFERENCES "cashier"."merchant_apps" ("id"),
        "merchant_order_no" text NOT NULL,
        "amount_minor" bigint NOT NULL CHECK ("amount_minor" > 0),
        "currency" char(3) NOT NULL,
        "subject" text NOT NULL,
        "description" text,
        "notify_url" text,
        "return_url" text,
        "state" text NOT NULL CHECK ("state" IN ('CREATED', 'PROCESSING', 'SUCCEEDED', 'FAILED', 'CLOSED')),
        "channel" text,
        "transaction_id" text,
        "failure_code" text,
        "close_reason" text,
        "expires_at" timestamptz NOT NULL,
        "created_at" timestamptz NOT NULL,
        "updated_at" timestamptz NOT NULL,
        "succeeded_at" timestamptz,
        "failed_at" timestamptz,
        "closed_at" timestamptz,
        "version" int NOT NULL,
        CONSTRAINT "payment_orders_merchant_order_no" UNIQUE ("merchant_id", "merchant_order_no")
      )`);
    // The expiry sweep looks for open orders past their deadline.
    await queryRunner.query(
      `CREATE INDEX "payment_orders_open_by_expiry" ON "cashier"."payment_orders" ("expires_at") WHERE "state" IN ('CREATED', 'PROCESSING')`,
    );
    await queryRunner.query(`
      CREATE TABLE "cashier"."idempotency_keys" (
        "app_id" text NOT NULL,
        "idempotency_key" text NOT NULL,
        "fingerprint" text NOT NULL,
        "state" text NOT NULL CHECK ("state" IN ('IN_PROGRESS', 'COMPLETED')),
        "response_status" int,
        "response_body" jsonb,
        "locked_until" timestamptz NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY ("app_id", "idempotency_key")
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "cashier"."idempotency_keys"`);
    await queryRunner.query(`DROP TABLE "cashier"."payment_orders"`);
  }
}
