import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The books (账务): an accounting date (账务日期) on every journal entry, and what closing a
 * business date (日终关账) keeps.
 *
 * - journal_entries.business_date: the date an entry counts for. A BEFORE INSERT row trigger
 *   assigns it, so every way of posting (the Ledger service, the batch builder's bulk INSERTs,
 *   hand-written SQL) gets the same rule: the date the poster gave if that date is still open,
 *   else the Asia/Shanghai date of posted_at, and never a closed date: an entry posted into a
 *   closed day lands in the first open day after the last close, as in paper books.
 * - business_days: one row per closed date, with the close report. Dates close in order, so the
 *   books are closed through max(business_date).
 * - daily_balance_snapshots: each account's debits, credits and balance (on its normal side)
 *   over every line with business_date <= the closed date.
 * - accounting_checks: the accounting identities checked at the close, one row per check and
 *   currency, failing ones included.
 *
 * Closing races with posting unless the close waits for in-flight posters: the closer takes
 * LOCK TABLE journal_entries IN SHARE ROW EXCLUSIVE MODE, which waits for every transaction that
 * has inserted an entry (ROW EXCLUSIVE) to finish and holds new inserts until the close commits;
 * their trigger then sees the close. Posting transactions must run in READ COMMITTED (the
 * default) so that the trigger's read of business_days is current.
 */
export class Books1733100000200 implements MigrationInterface {
  name = 'Books1733100000200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "settlement"."journal_entries" ADD COLUMN "business_date" date`,
    );
    // The ledger refuses updates; this one-off backfill of a new column is the only exception.
    await queryRunner.query(
      `ALTER TABLE "settlement"."journal_entries" DISABLE TRIGGER "journal_entries_append_only"`,
    );
    await queryRunner.query(`
      UPDATE "settlement"."journal_entries"
         SET "business_date" = ("posted_at" AT TIME ZONE 'Asia/Shanghai')::date`);
    await queryRunner.query(
      `ALTER TABLE "settlement"."journal_entries" ENABLE TRIGGER "journal_entries_append_only"`,
    );
    await queryRunner.query(
      `ALTER TABLE "settlement"."journal_entries" ALTER COLUMN "business_date" SET NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "journal_entries_business_date" ON "settlement"."journal_entries" ("business_date")`,
    );
    // A payment's ledger story, and a batch's entries, are looked up by their references.
    await queryRunner.query(
      `CREATE INDEX "journal_entries_payment_id" ON "settlement"."journal_entries" (("refs" ->> 'paymentId'))`,
    );
    await queryRunner.query(
      `CREATE INDEX "journal_entries_batch_id" ON "settlement"."journal_entries" (("refs" ->> 'batchId'))`,
    );

    await queryRunner.query(`
      CREATE TABLE "settlement"."business_days" (
        "business_date" date PRIMARY KEY,
        "closed_at" timestamptz NOT NULL DEFAULT now(),
        "report" jsonb NOT NULL
      )`);

    await queryRunner.query(`
      CREATE FUNCTION "settlement"."journal_entry_business_date"() RETURNS trigger
      LANGUAGE plpgsql AS $$
      DECLARE
        v_closed_through date;
        v_date date;
      BEGIN
        SELECT max("business_date") INTO v_closed_through FROM "settlement"."business_days";
        v_date := NEW.business_date;
        IF v_date IS NULL OR v_date <= v_closed_through THEN
          v_date := (NEW.posted_at AT TIME ZONE 'Asia/Shanghai')::date;
        END IF;
        -- GREATEST ignores NULL: before the first close any date is open.
        NEW.business_date := GREATEST(v_date, v_closed_through + 1);
        RETURN NEW;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER "journal_entries_business_date"
        BEFORE INSERT ON "settlement"."journal_entries"
        FOR EACH ROW EXECUTE FUNCTION "settlement"."journal_entry_business_date"()`);

    await queryRunner.query(`
      CREATE TABLE "settlement"."daily_balance_snapshots" (
        "business_date" date NOT NULL REFERENCES "settlement"."business_days" ("business_date"),
        "account" text NOT NULL,
        "currency" char(3) NOT NULL,
        "debits_minor" bigint NOT NULL CHECK ("debits_minor" >= 0),
        "credits_minor" bigint NOT NULL CHECK ("credits_minor" >= 0),
        -- Signed on the account's normal side: negative has gone over to the other side.
        "balance_minor" bigint NOT NULL,
        PRIMARY KEY ("business_date", "account", "currency")
      )`);

    await queryRunner.query(`
      CREATE TABLE "settlement"."accounting_checks" (
        "business_date" date NOT NULL REFERENCES "settlement"."business_days" ("business_date"),
        "name" text NOT NULL,
        "currency" char(3) NOT NULL,
        "statement" text NOT NULL,
        "left_minor" bigint NOT NULL,
        "right_minor" bigint NOT NULL,
        "difference_minor" bigint NOT NULL,
        "holds" boolean NOT NULL,
        PRIMARY KEY ("business_date", "name", "currency"),
        CHECK ("difference_minor" = "left_minor" - "right_minor"),
        CHECK ("holds" = ("difference_minor" = 0))
      )`);

    // What the books keep is history too: a closed day is never rewritten.
    for (const table of ['business_days', 'daily_balance_snapshots', 'accounting_checks']) {
      await queryRunner.query(`
        CREATE TRIGGER "${table}_append_only"
          BEFORE UPDATE OR DELETE ON "settlement"."${table}"
          FOR EACH ROW EXECUTE FUNCTION "settlement"."ledger_is_append_only"()`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "settlement"."accounting_checks"`);
    await queryRunner.query(`DROP TABLE "settlement"."daily_balance_snapshots"`);
    await queryRunner.query(
      `DROP TRIGGER "journal_entries_business_date" ON "settlement"."journal_entries"`,
    );
    await queryRunner.query(`DROP FUNCTION "settlement"."journal_entry_business_date"()`);
    await queryRunner.query(`DROP TABLE "settlement"."business_days"`);
    await queryRunner.query(`DROP INDEX "settlement"."journal_entries_batch_id"`);
    await queryRunner.query(`DROP INDEX "settlement"."journal_entries_payment_id"`);
    await queryRunner.query(`DROP INDEX "settlement"."journal_entries_business_date"`);
    await queryRunner.query(
      `ALTER TABLE "settlement"."journal_entries" DROP COLUMN "business_date"`,
    );
  }
}
