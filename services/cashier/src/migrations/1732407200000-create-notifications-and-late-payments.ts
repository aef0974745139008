import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateNotificationsAndLatePayments1732407200000 implements MigrationInterface {
  name = 'CreateNotificationsAndLatePayments1732407200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // One row per webhook (异步通知) to send; the body is frozen when the order changes, so every
    // retry sends the same bytes and only the signature's timestamp differs.
    await queryRunner.query(`
      CREATE TABLE "cashier"."merchant_notifications" (
        "id" text PRIMARY KEY CHECK ("id" ~ '^ntf_[0-9A-HJKMNP-TV-Z]{26}$'),
        "payment_id" text NOT NULL REFERENCES "cashier"."payment_orders" ("id"),
        "merchant_id" text NOT NULL REFERENCES "cashier"."merchants" ("id"),
        "app_id" text NOT NULL REFERENCES "cashier"."merchant_apps" ("id"),
        "event_type" text NOT NULL CHECK ("event_type" IN ('payment.succeeded', 'payment.closed')),
        "url" text NOT NULL,
        "body" text NOT NULL,
        "status" text NOT NULL CHECK ("status" IN ('PENDING', 'DELIVERED', 'FAILED')),
        "attempt_count" int NOT NULL DEFAULT 0,
        "next_attempt_at" timestamptz,
        "last_response_status" int,
        "last_error" text,
        "created_at" timestamptz NOT NULL,
        "delivered_at" timestamptz,
        CHECK (("status" = 'PENDING') = ("next_attempt_at" IS NOT NULL))
      )`);
    await queryRunner.query(
      `CREATE INDEX "merchant_notifications_due" ON "cashier"."merchant_notifications" ("next_attempt_at") WHERE "status" = 'PENDING'`,
    );
    await queryRunner.query(
      `CREATE INDEX "merchant_notifications_payment" ON "cashier"."merchant_notifications" ("payment_id")`,
    );
    await queryRunner.query(`
      CREATE TABLE "cashier"."merchant_notification_attempts" (
        "notification_id" text NOT NULL REFERENCES "cashier"."merchant_notifications" ("id"),
        "attempt_no" int NOT NULL CHECK ("attempt_no" >= 1),
        "attempted_at" timestamptz NOT NULL,
        "duration_ms" int NOT NULL,
        "response_status" int,
        "error" text,
        "outcome" text NOT NULL CHECK ("outcome" IN ('DELIVERED', 'RETRY_SCHEDULED', 'GAVE_UP')),
        "next_attempt_at" timestamptz,
        PRIMARY KEY ("notification_id", "attempt_no")
      )`);
    // Money that reached a channel for an order that could not take it: to be refunded.
    await queryRunner.query(`
      CREATE TABLE "cashier"."late_payments" (
        "transaction_id" text PRIMARY KEY CHECK ("transaction_id" ~ '^txn_[0-9A-HJKMNP-TV-Z]{26}$'),
        "payment_id" text NOT NULL REFERENCES "cashier"."payment_orders" ("id"),
        "merchant_id" text NOT NULL,
        "channel" text NOT NULL,
        "channel_trade_no" text NOT NULL,
        "amount_minor" bigint NOT NULL CHECK ("amount_minor" > 0),
        "currency" char(3) NOT NULL,
        "paid_at" timestamptz NOT NULL,
        "reason" text NOT NULL CHECK ("reason" IN ('ORDER_CLOSED', 'ORDER_FAILED', 'PAID_TWICE')),
        "order_state" text NOT NULL,
        "message_id" text NOT NULL,
        "status" text NOT NULL CHECK ("status" IN ('REFUND_PENDING', 'REFUNDED')),
        "recorded_at" timestamptz NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "cashier"."late_payments"`);
    await queryRunner.query(`DROP TABLE "cashier"."merchant_notification_attempts"`);
    await queryRunner.query(`DROP TABLE "cashier"."merchant_notifications"`);
  }
}
