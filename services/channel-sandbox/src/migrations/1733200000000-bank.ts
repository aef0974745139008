import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The simulated bank (银企直连): its accounts, the payouts (代付) enterprise clients send it,
 * idempotent per (client, request_no), their result notifications, and the request nonces it
 * has seen (replay protection). Faults may now be staged for the channel BANK.
 *
 * Seeded accounts: the two demo merchants' settlement accounts, the platform's reserve account
 * (备付金专户, owned by the demo enterprise client, the payer of every payout) and one frozen
 * account to show 账户冻结 without any fault.
 */
export class Bank1733200000000 implements MigrationInterface {
  name = 'Bank1733200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE "channel_sandbox"."faults" DROP CONSTRAINT "faults_channel_check",
        ADD CONSTRAINT "faults_channel_check"
          CHECK ("channel" IN ('ALIPAY', 'WECHAT_PAY', 'UNIONPAY', 'BANK'))`);
    await queryRunner.query(`
      CREATE TABLE "channel_sandbox"."bank_accounts" (
        "account_no" text PRIMARY KEY,
        "bank_code" text NOT NULL,
        "account_name" text NOT NULL,
        "currency" text NOT NULL DEFAULT 'CNY',
        "status" text NOT NULL CHECK ("status" IN ('ACTIVE', 'FROZEN')),
        -- The enterprise client (客户号) that may pay from this account over the direct link.
        "client_id" text
      )`);
    await queryRunner.query(`
      INSERT INTO "channel_sandbox"."bank_accounts"
        ("account_no", "bank_code", "account_name", "status", "client_id") VALUES
        ('6222020000000001', 'PLBANK', '上海演示咖啡有限公司', 'ACTIVE', NULL),
        ('6222020000000002', 'PLBANK', '北京演示书店有限公司', 'ACTIVE', NULL),
        ('6222020000000003', 'PLBANK', '广州冻结示例有限公司', 'FROZEN', NULL),
        ('6222020000009999', 'PLBANK', 'PayLab 支付科技有限公司', 'ACTIVE', 'PAYLAB-SETTLEMENT')`);
    await queryRunner.query(`CREATE SEQUENCE "channel_sandbox"."bank_txn_seq"`);
    await queryRunner.query(`
      CREATE TABLE "channel_sandbox"."bank_payouts" (
        "bank_txn_no" text PRIMARY KEY,
        "client_id" text NOT NULL,
        "request_no" text NOT NULL,
        "fingerprint" text NOT NULL,
        "payer_account_no" text NOT NULL REFERENCES "channel_sandbox"."bank_accounts" ("account_no"),
        "payee_bank_code" text NOT NULL,
        "payee_account_no" text NOT NULL,
        "payee_account_name" text NOT NULL,
        "amount_minor" bigint NOT NULL CHECK ("amount_minor" > 0),
        "currency" text NOT NULL,
        "memo" text NOT NULL,
        "notify_url" text NOT NULL,
        "status" text NOT NULL CHECK ("status" IN ('PROCESSING', 'SUCCEEDED', 'FAILED')),
        -- Decided at acceptance, made visible by the payout worker at completes_at.
        "planned_status" text NOT NULL CHECK ("planned_status" IN ('SUCCEEDED', 'FAILED')),
        "failure_code" text,
        "failure_message" text,
        "notify" boolean NOT NULL,
        "accepted_at" timestamptz NOT NULL,
        "completes_at" timestamptz NOT NULL,
        "finished_at" timestamptz,
        "business_date" date,
        "applied_fault_ids" jsonb NOT NULL DEFAULT '[]'::jsonb,
        UNIQUE ("client_id", "request_no"),
        CHECK (("status" = 'PROCESSING') = ("finished_at" IS NULL)),
        CHECK ("status" = 'PROCESSING' OR "status" = "planned_status")
      )`);
    await queryRunner.query(`
      CREATE INDEX "bank_payouts_due" ON "channel_sandbox"."bank_payouts" ("completes_at")
        WHERE "status" = 'PROCESSING'`);
    await queryRunner.query(`
      CREATE INDEX "bank_payouts_statement" ON "channel_sandbox"."bank_payouts"
        ("payer_account_no", "business_date") WHERE "status" = 'SUCCEEDED'`);
    await queryRunner.query(`
      CREATE TABLE "channel_sandbox"."bank_notifications" (
        "id" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        "bank_txn_no" text NOT NULL REFERENCES "channel_sandbox"."bank_payouts" ("bank_txn_no"),
        "notify_id" text NOT NULL UNIQUE,
        "notify_url" text NOT NULL,
        "status" text NOT NULL CHECK ("status" IN ('PENDING', 'DELIVERED', 'GAVE_UP')),
        "attempts" int NOT NULL DEFAULT 0 CHECK ("attempts" >= 0),
        "next_attempt_at" timestamptz NOT NULL,
        "last_attempt_at" timestamptz,
        "last_result" text,
        "delivered_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE INDEX "bank_notifications_due" ON "channel_sandbox"."bank_notifications"
        ("next_attempt_at") WHERE "status" = 'PENDING'`);
    await queryRunner.query(`
      CREATE TABLE "channel_sandbox"."bank_request_nonces" (
        "client_id" text NOT NULL,
        "nonce" text NOT NULL,
        "seen_at" timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY ("client_id", "nonce")
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "channel_sandbox"."bank_request_nonces"`);
    await queryRunner.query(`DROP TABLE "channel_sandbox"."bank_notifications"`);
    await queryRunner.query(`DROP TABLE "channel_sandbox"."bank_payouts"`);
    await queryRunner.query(`DROP SEQUENCE "channel_sandbox"."bank_txn_seq"`);
    await queryRunner.query(`DROP TABLE "channel_sandbox"."bank_accounts"`);
    await queryRunner.query(`DELETE FROM "channel_sandbox"."faults" WHERE "channel" = 'BANK'`);
    await queryRunner.query(`
      ALTER TABLE "channel_sandbox"."faults" DROP CONSTRAINT "faults_channel_check",
        ADD CONSTRAINT "faults_channel_check"
          CHECK ("channel" IN ('ALIPAY', 'WECHAT_PAY', 'UNIONPAY'))`);
  }
}
