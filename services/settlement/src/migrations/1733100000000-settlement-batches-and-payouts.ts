import type { MigrationInterface, QueryRunner } from 'typeorm';

const ID = (prefix: string) => `'^${prefix}_[0-9A-HJKMNP-TV-Z]{26}$'`;
const MONEY = 'bigint NOT NULL';

/**
 * Settlement (结算) after clearing:
 * - settlement_items: every cleared movement of a merchant's money (payment, refund, late-payment
 *   return), append-only, numbered by `seq`, with the business date its merchant's cut-off gave it.
 * - settlement_batches (结算批次): one per merchant, settlement date and currency. A batch owns
 *   the items with seq <= items_through_seq and business_date <= due_through that no earlier batch
 *   of the merchant owned: both bounds only grow, so membership is a predicate, never a write
 *   per item (what lets a million items be batched in seconds).
 * - reserve_holds (滚动保证金): what a batch held back and the date it is released.
 * - payouts (代付): each attempt to pay a batch through the bank, by an idempotent request number.
 * - scheduled_job_runs: one row per end-of-day job and business date, with its outcome.
 */
export class SettlementBatchesAndPayouts1733100000000 implements MigrationInterface {
  name = 'SettlementBatchesAndPayouts1733100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "settlement"."settlement_items" (
        "seq" bigserial PRIMARY KEY,
        "kind" text NOT NULL CHECK ("kind" IN ('PAYMENT', 'REFUND', 'LATE_PAYMENT_RETURN')),
        "source_id" text NOT NULL,
        "merchant_id" text NOT NULL CHECK ("merchant_id" ~ ${ID('mch')}),
        "transaction_id" text NOT NULL,
        "payment_id" text NOT NULL,
        "refund_id" text,
        "currency" char(3) NOT NULL,
        "gross_minor" ${MONEY} CHECK ("gross_minor" >= 0),
        "fee_minor" ${MONEY},
        "refund_minor" ${MONEY} CHECK ("refund_minor" >= 0),
        "net_minor" ${MONEY},
        "occurred_at" timestamptz NOT NULL,
        "business_date" date NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "settlement_items_source" UNIQUE ("kind", "source_id"),
        -- A payment brings money in; a refund or a return takes it out or leaves it alone.
        CHECK (("kind" = 'PAYMENT' AND "refund_id" IS NULL AND "refund_minor" = 0)
            OR ("kind" <> 'PAYMENT' AND "refund_id" IS NOT NULL AND "gross_minor" = 0))
      )`);
    // A database upgraded with history: every clearing before this migration gets its item, in
    // the order it was cleared, dated by its Asia/Shanghai date (the default 00:00 cut-off; no
    // merchant had other terms then). Without it that pending money could never be settled.
    await queryRunner.query(`
      INSERT INTO "settlement"."settlement_items"
        (kind, source_id, merchant_id, transaction_id, payment_id, refund_id, currency,
         gross_minor, fee_minor, refund_minor, net_minor, occurred_at, business_date)
      SELECT kind, source_id, merchant_id, transaction_id, payment_id, refund_id, currency,
             gross_minor, fee_minor, refund_minor, net_minor, occurred_at,
             (occurred_at AT TIME ZONE 'Asia/Shanghai')::date
        FROM (
          SELECT 'PAYMENT' AS kind, id AS source_id, merchant_id, transaction_id, payment_id,
                 NULL::text AS refund_id, currency, gross_minor, merchant_fee_minor AS fee_minor,
                 0::bigint AS refund_minor, merchant_net_minor AS net_minor, paid_at AS occurred_at,
                 cleared_at
            FROM "settlement"."clearings"
          UNION ALL
          SELECT CASE kind WHEN 'MERCHANT_REFUND' THEN 'REFUND' ELSE 'LATE_PAYMENT_RETURN' END,
                 id, merchant_id, transaction_id, payment_id, refund_id, currency, 0,
                 CASE kind WHEN 'MERCHANT_REFUND' THEN -merchant_fee_refund_minor ELSE 0 END,
                 CASE kind WHEN 'MERCHANT_REFUND' THEN refund_minor ELSE 0 END,
                 CASE kind WHEN 'MERCHANT_REFUND' THEN -merchant_net_refund_minor ELSE 0 END,
                 succeeded_at, cleared_at
            FROM "settlement"."refund_clearings"
        ) cleared
       ORDER BY cleared_at, source_id`);
    await queryRunner.query(`
      CREATE INDEX "settlement_items_due" ON "settlement"."settlement_items"
        ("merchant_id", "business_date", "seq")
        INCLUDE ("currency", "kind", "gross_minor", "fee_minor", "refund_minor", "net_minor")`);
    await queryRunner.query(
      `CREATE INDEX "settlement_items_payment" ON "settlement"."settlement_items" ("payment_id")`,
    );

    await queryRunner.query(`
      CREATE TABLE "settlement"."settlement_batches" (
        "id" text PRIMARY KEY CHECK ("id" ~ ${ID('stb')}),
        "merchant_id" text NOT NULL CHECK ("merchant_id" ~ ${ID('mch')}),
        "settlement_date" date NOT NULL,
        "currency" char(3) NOT NULL,
        "state" text NOT NULL CHECK ("state" IN
          ('CREATED', 'PAYING', 'PAID', 'FAILED', 'CARRIED_FORWARD', 'SUPERSEDED')),
        "terms_version" int NOT NULL,
        "cycle" text NOT NULL,
        "items_through_seq" bigint NOT NULL,
        "due_through" date NOT NULL,
        "prev_items_through_seq" bigint NOT NULL,
        "prev_due_through" date,
        "item_count" int NOT NULL,
        "payment_count" int NOT NULL,
        "refund_count" int NOT NULL,
        "late_payment_return_count" int NOT NULL,
        "gross_minor" ${MONEY},
        "fee_minor" ${MONEY},
        "refund_minor" ${MONEY},
        "items_net_minor" ${MONEY},
        "reserve_held_minor" ${MONEY} CHECK ("reserve_held_minor" >= 0),
        "reserve_released_minor" ${MONEY} CHECK ("reserve_released_minor" >= 0),
        "carried_in_minor" ${MONEY},
        "net_minor" ${MONEY},
        "minimum_payout_minor" ${MONEY},
        "journal_entry_id" text,
        "failure_code" text,
        "failure_message" text,
        "paid_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        "version" int NOT NULL DEFAULT 1,
        CONSTRAINT "settlement_batches_one_per_day" UNIQUE ("merchant_id", "settlement_date", "currency"),
        CHECK ("net_minor" = "carried_in_minor" + "items_net_minor" - "reserve_held_minor" + "reserve_released_minor"),
        CHECK ("items_through_seq" >= "prev_items_through_seq"),
        CHECK ("state" NOT IN ('PAYING', 'PAID') OR "net_minor" > 0)
      )`);
    await queryRunner.query(
      `CREATE INDEX "settlement_batches_merchant" ON "settlement"."settlement_batches" ("merchant_id", "settlement_date" DESC)`,
    );
    await queryRunner.query(
      `CREATE INDEX "settlement_batches_state" ON "settlement"."settlement_batches" ("state", "settlement_date")`,
    );

    await queryRunner.query(`
      CREATE TABLE "settlement"."reserve_holds" (
        "id" text PRIMARY KEY CHECK ("id" ~ ${ID('rsv')}),
        "merchant_id" text NOT NULL CHECK ("merchant_id" ~ ${ID('mch')}),
        "currency" char(3) NOT NULL,
        "amount_minor" ${MONEY} CHECK ("amount_minor" > 0),
        "held_in_batch_id" text NOT NULL UNIQUE REFERENCES "settlement"."settlement_batches" ("id"),
        "release_date" date NOT NULL,
        -- Released by the RELEASE_RESERVES job of release_date (back to available), then
        -- reported in the next batch the merchant gets.
        "released_on" date,
        "release_journal_entry_id" text,
        "released_in_batch_id" text REFERENCES "settlement"."settlement_batches" ("id"),
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CHECK ("released_in_batch_id" IS NULL OR "released_on" IS NOT NULL),
        CHECK (("released_on" IS NULL) = ("release_journal_entry_id" IS NULL))
      )`);
    await queryRunner.query(
      `CREATE INDEX "reserve_holds_due" ON "settlement"."reserve_holds" ("release_date") WHERE "released_on" IS NULL`,
    );

    await queryRunner.query(`
      CREATE TABLE "settlement"."payouts" (
        "id" text PRIMARY KEY CHECK ("id" ~ ${ID('po')}),
        "batch_id" text NOT NULL REFERENCES "settlement"."settlement_batches" ("id"),
        "merchant_id" text NOT NULL CHECK ("merchant_id" ~ ${ID('mch')}),
        "attempt" int NOT NULL CHECK ("attempt" >= 1),
        "request_no" text NOT NULL UNIQUE,
        "currency" char(3) NOT NULL,
        "amount_minor" ${MONEY} CHECK ("amount_minor" > 0),
        "payee_bank_code" text NOT NULL,
        "payee_account_no" text NOT NULL,
        "payee_account_name" text NOT NULL,
        "state" text NOT NULL CHECK ("state" IN ('SUBMITTING', 'SENT', 'UNKNOWN', 'PAID', 'FAILED')),
        "bank_txn_no" text,
        "failure_code" text,
        "failure_message" text,
        "submit_attempts" int NOT NULL DEFAULT 0,
        "query_attempts" int NOT NULL DEFAULT 0,
        "next_action_at" timestamptz NOT NULL DEFAULT now(),
        -- Set while a worker talks to the bank about it (its lease), cleared when the step ends.
        "claimed_until" timestamptz,
        "sent_journal_entry_id" text NOT NULL,
        "outcome_journal_entry_id" text,
        "requested_by" text NOT NULL,
        -- Set when an admin settled the payout by hand (人工确认): who, and what they saw.
        "resolved_by" text,
        "resolution_note" text,
        "submitted_at" timestamptz,
        "finished_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        "version" int NOT NULL DEFAULT 1,
        CONSTRAINT "payouts_attempt" UNIQUE ("batch_id", "attempt")
      )`);
    // At most one payout of a batch is ever in flight: paid at most once.
    await queryRunner.query(
      `CREATE UNIQUE INDEX "payouts_one_in_flight" ON "settlement"."payouts" ("batch_id") WHERE "state" IN ('SUBMITTING', 'SENT', 'UNKNOWN')`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "payouts_one_paid" ON "settlement"."payouts" ("batch_id") WHERE "state" = 'PAID'`,
    );
    await queryRunner.query(
      `CREATE INDEX "payouts_due" ON "settlement"."payouts" ("next_action_at") WHERE "state" IN ('SUBMITTING', 'SENT', 'UNKNOWN')`,
    );

    // Items no batch owns yet: what MERCHANT_PAYABLE_PENDING must add up to.
    await queryRunner.query(`
      CREATE VIEW "settlement"."unbatched_settlement_items" AS
        SELECT i.* FROM "settlement"."settlement_items" i
         WHERE NOT EXISTS (
           SELECT 1 FROM "settlement"."settlement_batches" b
            WHERE b."merchant_id" = i."merchant_id" AND b."currency" = i."currency"
              AND i."seq" <= b."items_through_seq" AND i."business_date" <= b."due_through")`);

    await queryRunner.query(`
      CREATE TABLE "settlement"."scheduled_job_runs" (
        "job" text NOT NULL,
        "business_date" date NOT NULL,
        "status" text NOT NULL CHECK ("status" IN ('RUNNING', 'SUCCEEDED', 'FAILED')),
        "trigger" text NOT NULL CHECK ("trigger" IN ('SCHEDULE', 'INSTRUCTOR')),
        "requested_by" text,
        "replica" text NOT NULL,
        "attempts" int NOT NULL DEFAULT 1,
        "started_at" timestamptz NOT NULL DEFAULT now(),
        "finished_at" timestamptz,
        "outcome" jsonb,
        "error" text,
        PRIMARY KEY ("job", "business_date")
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP VIEW IF EXISTS "settlement"."unbatched_settlement_items"`);
    for (const table of [
      'scheduled_job_runs',
      'payouts',
      'reserve_holds',
      'settlement_batches',
      'settlement_items',
    ]) {
      await queryRunner.query(`DROP TABLE IF EXISTS "settlement"."${table}"`);
    }
  }
}
