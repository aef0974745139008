import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A webhook attempt may be REFUSED: its destination failed the address check, nothing was sent. */
export class WebhookRefusedOutcome1733000000000 implements MigrationInterface {
  name = 'WebhookRefusedOutcome1733000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE "cashier"."merchant_notification_attempts"
        DROP CONSTRAINT "merchant_notification_attempts_outcome_check",
        ADD CONSTRAINT "merchant_notification_attempts_outcome_check"
          CHECK ("outcome" IN ('DELIVERED', 'RETRY_SCHEDULED', 'GAVE_UP', 'REFUSED'))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE "cashier"."merchant_notification_attempts"
        DROP CONSTRAINT "merchant_notification_attempts_outcome_check",
        ADD CONSTRAINT "merchant_notification_attempts_outcome_check"
          CHECK ("outcome" IN ('DELIVERED', 'RETRY_SCHEDULED', 'GAVE_UP'))`);
  }
}
