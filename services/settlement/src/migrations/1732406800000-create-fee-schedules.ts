import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Fee schedules (费率表) that clearing (清分) reads:
 * - merchant_fee_rates: what we charge a merchant per channel, in ppm of the payment. A row with
 *   merchant_id NULL is the channel's default; a row for a merchant overrides it (a negotiated rate).
 * - channel_cost_rates: what each channel charges us, in ppm.
 *
 * The seeded rates are DEMO VALUES for the sandboxed channels, not anyone's real contract:
 * merchants pay 0.60 % on every channel; Alipay and WeChat Pay cost us 0.38 %, UnionPay 0.30 %.
 */
export class CreateFeeSchedules1732406800000 implements MigrationInterface {
  name = 'CreateFeeSchedules1732406800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "settlement"."merchant_fee_rates" (
        "id" bigserial PRIMARY KEY,
        "merchant_id" text CHECK ("merchant_id" IS NULL OR "merchant_id" ~ '^mch_[0-9A-HJKMNP-TV-Z]{26}$'),
        "channel" text NOT NULL CHECK ("channel" ~ '^[A-Z][A-Z0-9_]{0,31}$'),
        "fee_rate_ppm" int NOT NULL CHECK ("fee_rate_ppm" BETWEEN 0 AND 1000000),
        "note" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    // One default per channel and one override per merchant and channel. Two partial indexes,
    // because a plain UNIQUE treats NULL merchant ids as all different.
    await queryRunner.query(
      `CREATE UNIQUE INDEX "merchant_fee_rates_channel_default" ON "settlement"."merchant_fee_rates" ("channel") WHERE "merchant_id" IS NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "merchant_fee_rates_merchant_channel" ON "settlement"."merchant_fee_rates" ("merchant_id", "channel") WHERE "merchant_id" IS NOT NULL`,
    );
    await queryRunner.query(`
      CREATE TABLE "settlement"."channel_cost_rates" (
        "channel" text PRIMARY KEY CHECK ("channel" ~ '^[A-Z][A-Z0-9_]{0,31}$'),
        "cost_rate_ppm" int NOT NULL CHECK ("cost_rate_ppm" BETWEEN 0 AND 1000000),
        "note" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);

    // Demo values (演示费率), see the class comment.
    await queryRunner.query(`
      INSERT INTO "settlement"."merchant_fee_rates" ("merchant_id", "channel", "fee_rate_ppm", "note") VALUES
        (NULL, 'ALIPAY', 6000, 'demo default: 0.60 %'),
        (NULL, 'WECHAT_PAY', 6000, 'demo default: 0.60 %'),
        (NULL, 'UNIONPAY', 6000, 'demo default: 0.60 %')`);
    await queryRunner.query(`
      INSERT INTO "settlement"."channel_cost_rates" ("channel", "cost_rate_ppm", "note") VALUES
        ('ALIPAY', 3800, 'demo value: 0.38 %'),
        ('WECHAT_PAY', 3800, 'demo value: 0.38 %'),
        ('UNIONPAY', 3000, 'demo value: 0.30 %')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "settlement"."channel_cost_rates"`);
    await queryRunner.query(`DROP TABLE "settlement"."merchant_fee_rates"`);
  }
}
