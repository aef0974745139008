import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Routing chooses a channel account per payment; acquiring now signs with that account and
 * remembers it on the transaction, so queries, closes and statements use the same account.
 * channel_accounts holds the credentials of accounts beyond each channel's configured default.
 */
export class ChannelAccounts1732408000000 implements MigrationInterface {
  name = 'ChannelAccounts1732408000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "acquiring"."channel_transactions" ADD COLUMN "channel_account_id" text NULL`,
    );
    await queryRunner.query(`
      CREATE TABLE "acquiring"."channel_accounts" (
        "id" text PRIMARY KEY,
        "channel" text NOT NULL CHECK ("channel" IN ('ALIPAY', 'WECHAT_PAY', 'UNIONPAY')),
        "credentials" jsonb NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "acquiring"."channel_accounts"`);
    await queryRunner.query(
      `ALTER TABLE "acquiring"."channel_transactions" DROP COLUMN "channel_account_id"`,
    );
  }
}
