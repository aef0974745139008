import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Settlement webhooks (settlement.paid, settlement.failed) are about a merchant's settlement
 * batch, not a payment: a notification names either its payment or its settlement, never both.
 */
export class SettlementWebhooks1733100000100 implements MigrationInterface {
  name = 'SettlementWebhooks1733100000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE "cashier"."merchant_notifications"
        ALTER COLUMN "payment_id" DROP NOT NULL,
        ADD COLUMN "settlement_id" text CHECK ("settlement_id" ~ '^stb_[0-9A-HJKMNP-TV-Z]{26}$'),
        DROP CONSTRAINT "merchant_notifications_event_type_check",
        ADD CONSTRAINT "merchant_notifications_event_type_check" CHECK ("event_type" IN
          ('payment.succeeded', 'payment.closed', 'refund.succeeded', 'refund.failed',
           'payment.late_payment_returned', 'settlement.paid', 'settlement.failed')),
        ADD CONSTRAINT "merchant_notifications_subject" CHECK (
          CASE WHEN "event_type" LIKE 'settlement.%'
               THEN "settlement_id" IS NOT NULL AND "payment_id" IS NULL
               ELSE "payment_id" IS NOT NULL AND "settlement_id" IS NULL END)`);
    await queryRunner.query(
      `CREATE INDEX "merchant_notifications_settlement" ON "cashier"."merchant_notifications" ("settlement_id") WHERE "settlement_id" IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DELETE FROM "cashier"."merchant_notification_attempts" WHERE "notification_id" IN (SELECT "id" FROM "cashier"."merchant_notifications" WHERE "settlement_id" IS NOT NULL)`,
    );
    await queryRunner.query(
      `DELETE FROM "cashier"."merchant_notifications" WHERE "settlement_id" IS NOT NULL`,
    );
    await queryRunner.query(`DROP INDEX "cashier"."merchant_notifications_settlement"`);
    await queryRunner.query(`
      ALTER TABLE "cashier"."merchant_notifications"
        DROP CONSTRAINT "merchant_notifications_subject",
        DROP CONSTRAINT "merchant_notifications_event_type_check",
        ADD CONSTRAINT "merchant_notifications_event_type_check" CHECK ("event_type" IN
          ('payment.succeeded', 'payment.closed', 'refund.succeeded', 'refund.failed',
           'payment.late_payment_returned')),
        DROP COLUMN "settlement_id",
        ALTER COLUMN "payment_id" SET NOT NULL`);
  }
}
