import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Refunds (退款单): merchant refunds and the platform's returns of late payments. Late payments
 * point at the refund that returns them; payment orders remember the channel account they were
 * paid on, which a channel refund must use again.
 */
export class CreateRefunds1732407600000 implements MigrationInterface {
  name = 'CreateRefunds1732407600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "cashier"."refunds" (
        "id" text PRIMARY KEY CHECK ("id" ~ '^ref_[0-9A-HJKMNP-TV-Z]{26}$'),
        "payment_id" text NOT NULL REFERENCES "cashier"."payment_orders" ("id"),
        "merchant_id" text NOT NULL REFERENCES "cashier"."merchants" ("id"),
        "app_id" text NOT NULL REFERENCES "cashier"."merchant_apps" ("id"),
        "transaction_id" text NOT NULL CHECK ("transaction_id" ~ '^txn_[0-9A-HJKMNP-TV-Z]{26}$'),
        "kind" text NOT NULL CHECK ("kind" IN ('MERCHANT_REFUND', 'LATE_PAYMENT_RETURN')),
        "amount_minor" bigint NOT NULL CHECK ("amount_minor" > 0),
        "currency" char(3) NOT NULL,
        "state" text NOT NULL CHECK ("state" IN ('PENDING', 'SUCCEEDED', 'FAILED')),
        "reason" text,
        "merchant_refund_no" text,
        "channel" text NOT NULL,
        "channel_account_id" text,
        "channel_refund_no" text,
        "business_date" date,
        "failure_code" text,
        "failure_message" text,
        "created_at" timestamptz NOT NULL,
        "updated_at" timestamptz NOT NULL,
        "succeeded_at" timestamptz,
        "failed_at" timestamptz,
        "version" int NOT NULL,
        CONSTRAINT "refunds_merchant_refund_no" UNIQUE ("merchant_id", "merchant_refund_no"),
        CHECK (("state" = 'SUCCEEDED') = ("channel_refund_no" IS NOT NULL)),
        CHECK (("state" = 'FAILED') = ("failure_code" IS NOT NULL)),
        CHECK ("kind" = 'MERCHANT_REFUND' OR "merchant_refund_no" IS NULL)
      )`);
    // The refundable-amount check and the payment's refund list read a payment's refunds.
    await queryRunner.query(
      `CREATE INDEX "refunds_by_payment" ON "cashier"."refunds" ("payment_id", "created_at", "id")`,
    );
    // One platform return per late transaction, however often its event is re-published.
    await queryRunner.query(
      `CREATE UNIQUE INDEX "refunds_one_late_return_per_transaction" ON "cashier"."refunds" ("transaction_id") WHERE "kind" = 'LATE_PAYMENT_RETURN'`,
    );
    await queryRunner.query(
      `ALTER TABLE "cashier"."late_payments" ADD COLUMN "refund_id" text REFERENCES "cashier"."refunds" ("id")`,
    );
    await queryRunner.query(
      `ALTER TABLE "cashier"."payment_orders" ADD COLUMN "channel_account_id" text`,
    );
    await queryRunner.query(
      `ALTER TABLE "cashier"."merchant_notifications" DROP CONSTRAINT "merchant_notifications_event_type_check"`,
    );
    await queryRunner.query(
      `ALTER TABLE "cashier"."merchant_notifications" ADD CONSTRAINT "merchant_notifications_event_type_check"
       CHECK ("event_type" IN ('payment.succeeded', 'payment.closed', 'refund.succeeded', 'refund.failed', 'payment.late_payment_returned'))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DELETE FROM "cashier"."merchant_notification_attempts" WHERE "notification_id" IN (SELECT "id" FROM "cashier"."merchant_notifications" WHERE "event_type" NOT IN ('payment.succeeded', 'payment.closed'))`,
    );
    await queryRunner.query(
      `DELETE FROM "cashier"."merchant_notifications" WHERE "event_type" NOT IN ('payment.succeeded', 'payment.closed')`,
    );
    await queryRunner.query(
      `ALTER TABLE "cashier"."merchant_notifications" DROP CONSTRAINT "merchant_notifications_event_type_check"`,
    );
    await queryRunner.query(
      `ALTER TABLE "cashier"."merchant_notifications" ADD CONSTRAINT "merchant_notifications_event_type_check" CHECK ("event_type" IN ('payment.succeeded', 'payment.closed'))`,
    );
    await queryRunner.query(
      `ALTER TABLE "cashier"."payment_orders" DROP COLUMN "channel_account_id"`,
    );
    await queryRunner.query(`ALTER TABLE "cashier"."late_payments" DROP COLUMN "refund_id"`);
    await queryRunner.query(`DROP TABLE "cashier"."refunds"`);
  }
}
