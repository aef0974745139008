import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Channels, channel accounts, routing rules and route decisions. The three simulated channels
 * are reference data every installation needs, so they are inserted here; merchants' accounts
 * are not (the demo ones come from seedRoutingDemoData in demo-data.ts).
 */
export class CreateRoutingTables1732406800000 implements MigrationInterface {
  name = 'CreateRoutingTables1732406800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "routing"."channels" (
        "code" text PRIMARY KEY CHECK ("code" IN ('ALIPAY', 'WECHAT_PAY', 'UNIONPAY')),
        "name" text NOT NULL,
        "enabled" boolean NOT NULL,
        "supported_methods" text[] NOT NULL
          CHECK ("supported_methods" <@ ARRAY['ALIPAY', 'WECHAT_PAY', 'UNIONPAY']::text[]),
        "supported_currencies" text[] NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      INSERT INTO "routing"."channels" ("code", "name", "enabled", "supported_methods", "supported_currencies")
      VALUES
        ('ALIPAY', '支付宝 Alipay (sandbox)', true, ARRAY['ALIPAY'], ARRAY['CNY']),
        ('WECHAT_PAY', '微信支付 WeChat Pay (sandbox)', true, ARRAY['WECHAT_PAY'], ARRAY['CNY']),
        ('UNIONPAY', '银联 UnionPay (sandbox)', true, ARRAY['UNIONPAY'], ARRAY['CNY'])`);
    await queryRunner.query(`
      CREATE TABLE "routing"."channel_accounts" (
        "id" text PRIMARY KEY CHECK ("id" ~ '^cha_[0-9A-HJKMNP-TV-Z]{26}$'),
        "merchant_id" text NOT NULL CHECK ("merchant_id" ~ '^mch_[0-9A-HJKMNP-TV-Z]{26}$'),
        "channel" text NOT NULL REFERENCES "routing"."channels" ("code"),
        "channel_merchant_no" text NOT NULL CHECK ("channel_merchant_no" <> ''),
        "enabled" boolean NOT NULL,
        "currency" char(3) NOT NULL CHECK ("currency" ~ '^[A-Z]{3}$'),
        "min_amount_minor" bigint NOT NULL CHECK ("min_amount_minor" >= 1),
        "max_amount_minor" bigint NOT NULL,
        "merchant_fee_ppm" int NOT NULL CHECK ("merchant_fee_ppm" BETWEEN 0 AND 1000000),
        "priority" int NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "channel_accounts_limits" CHECK ("max_amount_minor" >= "min_amount_minor"),
        -- A channel merchant number belongs to one PayLab merchant.
        CONSTRAINT "channel_accounts_channel_merchant_no" UNIQUE ("channel", "channel_merchant_no")
      )`);
    await queryRunner.query(
      `CREATE INDEX "channel_accounts_by_merchant" ON "routing"."channel_accounts" ("merchant_id")`,
    );
    await queryRunner.query(`
      CREATE TABLE "routing"."routing_rules" (
        "id" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        "merchant_id" text CHECK ("merchant_id" ~ '^mch_[0-9A-HJKMNP-TV-Z]{26}$'),
        "method" text NOT NULL CHECK ("method" IN ('ALIPAY', 'WECHAT_PAY', 'UNIONPAY')),
        "preferred_channel" text NOT NULL REFERENCES "routing"."channels" ("code"),
        "priority" int NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX "routing_rules_by_method" ON "routing"."routing_rules" ("method", "merchant_id")`,
    );
    await queryRunner.query(`
      CREATE TABLE "routing"."route_decisions" (
        "id" text PRIMARY KEY CHECK ("id" ~ '^rtd_[0-9A-HJKMNP-TV-Z]{26}$'),
        "merchant_id" text NOT NULL,
        "method" text NOT NULL CHECK ("method" IN ('ALIPAY', 'WECHAT_PAY', 'UNIONPAY')),
        "amount_minor" bigint NOT NULL CHECK ("amount_minor" > 0),
        "currency" char(3) NOT NULL,
        "device" text CHECK ("device" IN ('MOBILE', 'DESKTOP')),
        "strategy" text NOT NULL,
        "outcome" text NOT NULL CHECK ("outcome" IN ('ROUTED', 'NO_CHANNEL_AVAILABLE')),
        "chosen_channel_account_id" text REFERENCES "routing"."channel_accounts" ("id"),
        "chosen" jsonb,
        "fallbacks" jsonb NOT NULL,
        "trace" jsonb NOT NULL,
        "created_at" timestamptz NOT NULL,
        -- Routed means something was chosen; no channel means nothing was.
        CONSTRAINT "route_decisions_outcome_chosen" CHECK (
          ("outcome" = 'ROUTED') = ("chosen_channel_account_id" IS NOT NULL AND "chosen" IS NOT NULL)
          AND ("outcome" = 'ROUTED' OR ("chosen" IS NULL AND "fallbacks" = '[]'::jsonb))
        )
      )`);
    await queryRunner.query(
      `CREATE INDEX "route_decisions_by_merchant" ON "routing"."route_decisions" ("merchant_id", "created_at")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "routing"."route_decisions"`);
    await queryRunner.query(`DROP TABLE "routing"."routing_rules"`);
    await queryRunner.query(`DROP TABLE "routing"."channel_accounts"`);
    await queryRunner.query(`DROP TABLE "routing"."channels"`);
  }
}
