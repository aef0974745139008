import type { MigrationInterface, QueryRunner } from 'typeorm';

const ID = (prefix: string) => `'^${prefix}_[0-9A-HJKMNP-TV-Z]{26}$'`;

/**
 * The double-entry ledger (复式记账) and the clearing records (清分记录) posted to it.
 *
 * The application only ever posts entries built by postJournal (which refuses an unbalanced one),
 * but money tables deserve a second lock: a deferred constraint trigger re-checks each entry at
 * COMMIT (every line of the entry is in by then), so no code path, migration or hand-written SQL
 * can leave an unbalanced entry behind. The ledger is also append-only: a mistake is corrected by
 * posting a reversing entry (红字冲销), never by editing history.
 */
export class CreateClearingsAndLedger1732406810000 implements MigrationInterface {
  name = 'CreateClearingsAndLedger1732406810000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "settlement"."journal_entries" (
        "id" text PRIMARY KEY CHECK ("id" ~ ${ID('jnl')}),
        "posted_at" timestamptz NOT NULL,
        "description" text NOT NULL CHECK ("description" <> ''),
        "refs" jsonb NOT NULL DEFAULT '{}'::jsonb
      )`);
    await queryRunner.query(`
      CREATE TABLE "settlement"."journal_lines" (
        "id" text PRIMARY KEY CHECK ("id" ~ ${ID('led')}),
        "entry_id" text NOT NULL REFERENCES "settlement"."journal_entries" ("id"),
        "line_no" int NOT NULL CHECK ("line_no" >= 1),
        "account" text NOT NULL CHECK ("account" ~ '^[A-Z][A-Z_]*(:[A-Za-z0-9_]+)?$'),
        "side" text NOT NULL CHECK ("side" IN ('DEBIT', 'CREDIT')),
        "amount_minor" bigint NOT NULL CHECK ("amount_minor" > 0),
        "currency" char(3) NOT NULL,
        CONSTRAINT "journal_lines_entry_line_no" UNIQUE ("entry_id", "line_no")
      )`);
    // Balances are read per account (a merchant's pending payable).
    await queryRunner.query(
      `CREATE INDEX "journal_lines_account" ON "settlement"."journal_lines" ("account", "currency")`,
    );

    await queryRunner.query(`
      CREATE FUNCTION "settlement"."journal_entry_must_balance"() RETURNS trigger
      LANGUAGE plpgsql AS $$
      DECLARE
        v_entry_id text;
        v_lines int;
        v_currencies int;
        v_debits numeric;
        v_credits numeric;
      BEGIN
        -- Two statements, not one CASE: NEW of journal_entries has no entry_id field.
        IF TG_TABLE_NAME = 'journal_entries' THEN
          v_entry_id := NEW.id;
        ELSE
          v_entry_id := NEW.entry_id;
        END IF;
        SELECT count(*), count(DISTINCT l.currency),
               COALESCE(sum(l.amount_minor) FILTER (WHERE l.side = 'DEBIT'), 0),
               COALESCE(sum(l.amount_minor) FILTER (WHERE l.side = 'CREDIT'), 0)
          INTO v_lines, v_currencies, v_debits, v_credits
          FROM "settlement"."journal_lines" l
         WHERE l.entry_id = v_entry_id;
        IF v_lines < 2 THEN
          RAISE EXCEPTION 'journal entry % has % line(s); a double entry needs at least two',
            v_entry_id, v_lines USING ERRCODE = 'check_violation';
        END IF;
        IF v_currencies <> 1 THEN
          RAISE EXCEPTION 'journal entry % mixes currencies', v_entry_id
            USING ERRCODE = 'check_violation';
        END IF;
        IF v_debits <> v_credits THEN
          RAISE EXCEPTION 'journal entry % is unbalanced: debits % <> credits %',
            v_entry_id, v_debits, v_credits USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE CONSTRAINT TRIGGER "journal_entries_balanced"
        AFTER INSERT ON "settlement"."journal_entries"
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
        EXECUTE FUNCTION "settlement"."journal_entry_must_balance"()`);
    await queryRunner.query(`
      CREATE CONSTRAINT TRIGGER "journal_lines_balanced"
        AFTER INSERT ON "settlement"."journal_lines"
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
        EXECUTE FUNCTION "settlement"."journal_entry_must_balance"()`);

    await queryRunner.query(`
      CREATE FUNCTION "settlement"."ledger_is_append_only"() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'the ledger is append-only (% on %): post a reversing entry instead',
          TG_OP, TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
      END $$`);
    for (const table of ['journal_entries', 'journal_lines']) {
      await queryRunner.query(`
        CREATE TRIGGER "${table}_append_only"
          BEFORE UPDATE OR DELETE ON "settlement"."${table}"
          FOR EACH ROW EXECUTE FUNCTION "settlement"."ledger_is_append_only"()`);
    }

    await queryRunner.query(`
      CREATE TABLE "settlement"."clearings" (
        "id" text PRIMARY KEY CHECK ("id" ~ ${ID('clr')}),
        "transaction_id" text NOT NULL CHECK ("transaction_id" ~ ${ID('txn')}),
        "payment_id" text NOT NULL CHECK ("payment_id" ~ ${ID('pay')}),
        "merchant_id" text NOT NULL CHECK ("merchant_id" ~ ${ID('mch')}),
        "channel" text NOT NULL,
        "channel_trade_no" text NOT NULL,
        "currency" char(3) NOT NULL,
        "gross_minor" bigint NOT NULL CHECK ("gross_minor" > 0),
        "merchant_fee_minor" bigint NOT NULL CHECK ("merchant_fee_minor" >= 0),
        "channel_cost_minor" bigint NOT NULL CHECK ("channel_cost_minor" >= 0),
        "platform_margin_minor" bigint NOT NULL,
        "merchant_net_minor" bigint NOT NULL CHECK ("merchant_net_minor" >= 0),
        "merchant_fee_rate_ppm" int NOT NULL,
        "channel_cost_rate_ppm" int NOT NULL,
        "fee_rate_source" text NOT NULL CHECK ("fee_rate_source" IN ('MERCHANT', 'CHANNEL_DEFAULT')),
        "merchant_fee_rounding" text NOT NULL,
        "channel_cost_rounding" text NOT NULL,
        "journal_entry_id" text NOT NULL UNIQUE REFERENCES "settlement"."journal_entries" ("id")
          DEFERRABLE INITIALLY DEFERRED,
        "source_message_id" text NOT NULL,
        "paid_at" timestamptz NOT NULL,
        "business_date" date NOT NULL,
        "cleared_at" timestamptz NOT NULL,
        -- One clearing per channel transaction, whatever the inbox saw: a re-published event
        -- (a new message id for the same transaction) cannot clear the money twice.
        CONSTRAINT "clearings_transaction_id" UNIQUE ("transaction_id"),
        CONSTRAINT "clearings_net_plus_fee_is_gross"
          CHECK ("merchant_net_minor" + "merchant_fee_minor" = "gross_minor"),
        CONSTRAINT "clearings_margin_is_fee_less_cost"
          CHECK ("merchant_fee_minor" - "channel_cost_minor" = "platform_margin_minor")
      )`);
    await queryRunner.query(
      `CREATE INDEX "clearings_merchant" ON "settlement"."clearings" ("merchant_id", "cleared_at")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "settlement"."clearings"`);
    await queryRunner.query(`DROP TABLE "settlement"."journal_lines"`);
    await queryRunner.query(`DROP TABLE "settlement"."journal_entries"`);
    await queryRunner.query(`DROP FUNCTION "settlement"."ledger_is_append_only"()`);
    await queryRunner.query(`DROP FUNCTION "settlement"."journal_entry_must_balance"()`);
  }
}
