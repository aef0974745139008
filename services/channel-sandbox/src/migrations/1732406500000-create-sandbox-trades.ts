import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The sandbox's record of trades as a channel would keep them: its own trade numbers, its own
 * statuses and the business date its statements are cut by (Asia/Shanghai).
 */
export class CreateSandboxTrades1732406500000 implements MigrationInterface {
  name = 'CreateSandboxTrades1732406500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "channel_sandbox"."trades" (
        "trade_no" text PRIMARY KEY,
        "channel" text NOT NULL CHECK ("channel" IN ('ALIPAY', 'WECHAT_PAY', 'UNIONPAY')),
        "merchant_account" text NOT NULL,
        "out_trade_no" text NOT NULL,
        "amount_minor" bigint NOT NULL CHECK ("amount_minor" > 0),
        "currency" char(3) NOT NULL,
        "status" text NOT NULL,
        "notify_url" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "paid_at" timestamptz,
        "business_date" date,
        UNIQUE ("channel", "merchant_account", "out_trade_no")
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "channel_sandbox"."trades"`);
  }
}
