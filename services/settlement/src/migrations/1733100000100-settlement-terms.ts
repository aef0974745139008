import type { MigrationInterface, QueryRunner } from 'typeorm';

const MERCHANT_ID = `'^mch_[0-9A-HJKMNP-TV-Z]{26}$'`;

/**
 * Settlement terms (结算条款) per merchant, versioned and audited:
 * - settlement_terms: every version ever saved, never updated. The version in force on business
 *   date D is the merchant's highest version with effective_from <= D; a merchant with no row has
 *   the built-in defaults (T+1, cut-off 00:00, no minimum, no reserve, no payout account).
 * - settlement_terms_changes: who changed what, when and why (操作审计), one row per version an
 *   operator created, with the terms before and after as JSON.
 * The checks repeat the domain's rules so that no path (a hand-written INSERT included) can store
 * terms the batch builder would have to second-guess.
 *
 * Seeded: the two demo merchants' terms and settlement accounts (结算账户) at the sandbox bank.
 * Demo Books settles D+0 without a reserve so that its same-day demo pays the whole net; a
 * rolling reserve (滚动保证金) is added with a change (PUT …/settlement-terms), see docs.
 */
export class SettlementTerms1733100000100 implements MigrationInterface {
  name = 'SettlementTerms1733100000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "settlement"."settlement_terms" (
        "merchant_id" text NOT NULL CHECK ("merchant_id" ~ ${MERCHANT_ID}),
        "version" int NOT NULL CHECK ("version" >= 1),
        "cycle_kind" text NOT NULL CHECK ("cycle_kind" IN ('T_PLUS_N', 'D_PLUS_0')),
        "cycle_days" int,
        "cutoff" text NOT NULL CHECK ("cutoff" ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
        "minimum_payout_minor" bigint NOT NULL
          CHECK ("minimum_payout_minor" BETWEEN 0 AND 10000000000),
        "reserve_percent_bp" int CHECK ("reserve_percent_bp" BETWEEN 1 AND 10000),
        "reserve_hold_days" int CHECK ("reserve_hold_days" BETWEEN 1 AND 365),
        "payout_bank_code" text CHECK ("payout_bank_code" ~ '^[A-Z][A-Z0-9]{1,11}$'),
        "payout_account_no" text CHECK ("payout_account_no" ~ '^[0-9]{8,32}$'),
        "payout_account_name" text CHECK (char_length("payout_account_name") BETWEEN 1 AND 100),
        "effective_from" date NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "created_by" text NOT NULL CHECK ("created_by" <> ''),
        -- Also the reader's index: newest version first per merchant, a few rows per merchant.
        PRIMARY KEY ("merchant_id", "version"),
        -- T+N names its days (1..30); D+0 has none (T+0 is not a T+N cycle).
        CHECK (("cycle_kind" = 'T_PLUS_N' AND "cycle_days" BETWEEN 1 AND 30)
            OR ("cycle_kind" = 'D_PLUS_0' AND "cycle_days" IS NULL)),
        -- A reserve is a share and a holding period, or nothing.
        CHECK (("reserve_percent_bp" IS NULL) = ("reserve_hold_days" IS NULL)),
        -- A payout account is complete or absent.
        CHECK (("payout_bank_code" IS NULL) = ("payout_account_no" IS NULL)
           AND ("payout_bank_code" IS NULL) = ("payout_account_name" IS NULL))
      )`);
    await queryRunner.query(`
      CREATE TABLE "settlement"."settlement_terms_changes" (
        "id" text PRIMARY KEY CHECK ("id" ~ '^stc_[0-9A-HJKMNP-TV-Z]{26}$'),
        "merchant_id" text NOT NULL,
        "version" int NOT NULL,
        "changed_by" text NOT NULL CHECK ("changed_by" <> ''),
        "changed_by_role" text NOT NULL CHECK ("changed_by_role" <> ''),
        "changed_at" timestamptz NOT NULL DEFAULT now(),
        "reason" text NOT NULL CHECK (char_length("reason") BETWEEN 1 AND 500),
        "before" jsonb NOT NULL,
        "after" jsonb NOT NULL,
        "effective_from" date NOT NULL,
        -- Also the history's index (a merchant's changes by version).
        CONSTRAINT "settlement_terms_changes_one_per_version" UNIQUE ("merchant_id", "version"),
        FOREIGN KEY ("merchant_id", "version")
          REFERENCES "settlement"."settlement_terms" ("merchant_id", "version")
      )`);

    // The demo merchants (fixed ids, see services/cashier/src/merchants/demo-merchant.ts).
    await queryRunner.query(`
      INSERT INTO "settlement"."settlement_terms"
        ("merchant_id", "version", "cycle_kind", "cycle_days", "cutoff", "minimum_payout_minor",
         "reserve_percent_bp", "reserve_hold_days",
         "payout_bank_code", "payout_account_no", "payout_account_name",
         "effective_from", "created_by")
      VALUES
        ('mch_01M85DMB00EHTE541GQYE3T4TJ', 1, 'T_PLUS_N', 1, '00:00', 0, NULL, NULL,
         'PLBANK', '6222020000000001', '上海演示咖啡有限公司', '2000-01-01', 'seed'),
        ('mch_01M85DMB00EHTE541GQYE3T4V0', 1, 'D_PLUS_0', NULL, '00:00', 0, NULL, NULL,
         'PLBANK', '6222020000000002', '北京演示书店有限公司', '2000-01-01', 'seed')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS "settlement"."settlement_terms_changes"`);
    await queryRunner.query(`DROP TABLE IF EXISTS "settlement"."settlement_terms"`);
  }
}
