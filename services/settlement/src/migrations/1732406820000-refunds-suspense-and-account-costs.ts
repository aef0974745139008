import type { MigrationInterface, QueryRunner } from 'typeorm';

const ID = (prefix: string) => `'^${prefix}_[0-9A-HJKMNP-TV-Z]{26}$'`;

/** The demo channel accounts routing seeds (cha_…): A is the everyday one, B the large-amount one. */
const ALIPAY_ACCOUNT_A = 'cha_01M85DMB00EHTE541GQYE3T4TM';
const ALIPAY_ACCOUNT_B = 'cha_01M85DMB00EHTE541GQYE3T4TQ';

/**
 * Clearing from cashier's verdict, refunds and late payments:
 * - channel_cost_rates per channel account (渠道账户成本费率): a row with channel_account_id
 *   overrides the channel's default (channel_account_id NULL); the clearing records which applied.
 * - refund_fee_policies (退款手续费政策): per merchant, with a channel default, PRO_RATA or KEEP.
 * - late_payment_clearings (迟到支付挂账): one per late channel transaction, held in suspense.
 * - refund_clearings (退款清分): one per refund id, linked to the payment clearing it reverses
 *   (merchant refunds) or the late payment clearing it empties (late payment returns).
 * - parked_refunds: refunds that arrived before their payment was cleared.
 */
export class RefundsSuspenseAndAccountCosts1732406820000 implements MigrationInterface {
  name = 'RefundsSuspenseAndAccountCosts1732406820000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE "settlement"."channel_cost_rates"
        DROP CONSTRAINT "channel_cost_rates_pkey",
        ADD COLUMN "id" bigserial PRIMARY KEY,
        ADD COLUMN "channel_account_id" text CHECK ("channel_account_id" ~ ${ID('cha')})`);
    // One default per channel and one override per channel account (NULLs are all different to
    // a plain UNIQUE, hence two partial indexes).
    await queryRunner.query(
      `CREATE UNIQUE INDEX "channel_cost_rates_channel_default" ON "settlement"."channel_cost_rates" ("channel") WHERE "channel_account_id" IS NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "channel_cost_rates_channel_account" ON "settlement"."channel_cost_rates" ("channel", "channel_account_id") WHERE "channel_account_id" IS NOT NULL`,
    );
    // Demo values: account B's lower rate was negotiated for large amounts.
    await queryRunner.query(`
      INSERT INTO "settlement"."channel_cost_rates" ("channel", "channel_account_id", "cost_rate_ppm", "note") VALUES
        ('ALIPAY', '${ALIPAY_ACCOUNT_A}', 3800, 'demo value: account A (everyday), 0.38 %'),
        ('ALIPAY', '${ALIPAY_ACCOUNT_B}', 3000, 'demo value: account B (大额账户), negotiated 0.30 %')`);

    await queryRunner.query(`
      ALTER TABLE "settlement"."clearings"
        ADD COLUMN "channel_account_id" text,
        ADD COLUMN "channel_cost_rate_source" text NOT NULL DEFAULT 'CHANNEL_DEFAULT'
          CHECK ("channel_cost_rate_source" IN ('CHANNEL_ACCOUNT', 'CHANNEL_DEFAULT'))`);

    await queryRunner.query(`
      CREATE TABLE "settlement"."refund_fee_policies" (
        "id" bigserial PRIMARY KEY,
        "merchant_id" text CHECK ("merchant_id" IS NULL OR "merchant_id" ~ ${ID('mch')}),
        "channel" text NOT NULL CHECK ("channel" ~ '^[A-Z][A-Z0-9_]{0,31}$'),
        "policy" text NOT NULL CHECK ("policy" IN ('PRO_RATA', 'KEEP')),
        "note" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "refund_fee_policies_channel_default" ON "settlement"."refund_fee_policies" ("channel") WHERE "merchant_id" IS NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "refund_fee_policies_merchant_channel" ON "settlement"."refund_fee_policies" ("merchant_id", "channel") WHERE "merchant_id" IS NOT NULL`,
    );
    await queryRunner.query(`
      INSERT INTO "settlement"."refund_fee_policies" ("merchant_id", "channel", "policy", "note") VALUES
        (NULL, 'ALIPAY', 'PRO_RATA', 'demo default: the fee share goes back'),
        (NULL, 'WECHAT_PAY', 'PRO_RATA', 'demo default: the fee share goes back'),
        (NULL, 'UNIONPAY', 'PRO_RATA', 'demo default: the fee share goes back')`);

    await queryRunner.query(`
      CREATE TABLE "settlement"."late_payment_clearings" (
        "id" text PRIMARY KEY CHECK ("id" ~ ${ID('clr')}),
        "transaction_id" text NOT NULL CHECK ("transaction_id" ~ ${ID('txn')}),
        "payment_id" text NOT NULL CHECK ("payment_id" ~ ${ID('pay')}),
        "merchant_id" text NOT NULL CHECK ("merchant_id" ~ ${ID('mch')}),
        "refund_id" text NOT NULL CHECK ("refund_id" ~ ${ID('ref')}),
        "reason" text NOT NULL,
        "channel" text NOT NULL,
        "channel_account_id" text,
        "channel_trade_no" text NOT NULL,
        "currency" char(3) NOT NULL,
        "gross_minor" bigint NOT NULL CHECK ("gross_minor" > 0),
        "journal_entry_id" text NOT NULL UNIQUE REFERENCES "settlement"."journal_entries" ("id")
          DEFERRABLE INITIALLY DEFERRED,
        "source_message_id" text NOT NULL,
        "paid_at" timestamptz NOT NULL,
        "business_date" date NOT NULL,
        "cleared_at" timestamptz NOT NULL,
        CONSTRAINT "late_payment_clearings_transaction_id" UNIQUE ("transaction_id"),
        CONSTRAINT "late_payment_clearings_refund_id" UNIQUE ("refund_id")
      )`);

    await queryRunner.query(`
      CREATE TABLE "settlement"."refund_clearings" (
        "id" text PRIMARY KEY CHECK ("id" ~ ${ID('clr')}),
        "refund_id" text NOT NULL CHECK ("refund_id" ~ ${ID('ref')}),
        "kind" text NOT NULL CHECK ("kind" IN ('MERCHANT_REFUND', 'LATE_PAYMENT_RETURN')),
        "payment_clearing_id" text REFERENCES "settlement"."clearings" ("id"),
        "late_payment_clearing_id" text REFERENCES "settlement"."late_payment_clearings" ("id"),
        "transaction_id" text NOT NULL CHECK ("transaction_id" ~ ${ID('txn')}),
        "payment_id" text NOT NULL CHECK ("payment_id" ~ ${ID('pay')}),
        "merchant_id" text NOT NULL CHECK ("merchant_id" ~ ${ID('mch')}),
        "channel" text NOT NULL,
        "channel_refund_no" text NOT NULL,
        "currency" char(3) NOT NULL,
        "refund_minor" bigint NOT NULL CHECK ("refund_minor" > 0),
        -- The cumulative pro-rata fee share, whatever the policy: the refund history is built from it.
        "pro_rata_fee_refund_minor" bigint NOT NULL CHECK ("pro_rata_fee_refund_minor" >= 0),
        -- What the books say was given back: the pro-rata share under PRO_RATA, 0 under KEEP.
        "merchant_fee_refund_minor" bigint NOT NULL CHECK ("merchant_fee_refund_minor" >= 0),
        "channel_cost_refund_minor" bigint NOT NULL CHECK ("channel_cost_refund_minor" >= 0),
        "platform_margin_refund_minor" bigint NOT NULL,
        "merchant_net_refund_minor" bigint NOT NULL CHECK ("merchant_net_refund_minor" >= 0),
        "fee_policy" text CHECK ("fee_policy" IN ('PRO_RATA', 'KEEP')),
        "journal_entry_id" text NOT NULL UNIQUE REFERENCES "settlement"."journal_entries" ("id")
          DEFERRABLE INITIALLY DEFERRED,
        "source_message_id" text NOT NULL,
        "succeeded_at" timestamptz NOT NULL,
        "business_date" date NOT NULL,
        "cleared_at" timestamptz NOT NULL,
        -- A refund is cleared exactly once, however often its event arrives.
        CONSTRAINT "refund_clearings_refund_id" UNIQUE ("refund_id"),
        CONSTRAINT "refund_clearings_links_its_origin" CHECK (
          ("kind" = 'MERCHANT_REFUND' AND "payment_clearing_id" IS NOT NULL AND "late_payment_clearing_id" IS NULL
             AND "fee_policy" IS NOT NULL)
          OR ("kind" = 'LATE_PAYMENT_RETURN' AND "late_payment_clearing_id" IS NOT NULL AND "payment_clearing_id" IS NULL)),
        CONSTRAINT "refund_clearings_net_plus_fee_is_refund"
          CHECK ("merchant_net_refund_minor" + "merchant_fee_refund_minor" = "refund_minor"),
        CONSTRAINT "refund_clearings_margin_is_fee_less_cost"
          CHECK ("merchant_fee_refund_minor" - "channel_cost_refund_minor" = "platform_margin_refund_minor")
      )`);
    await queryRunner.query(
      `CREATE INDEX "refund_clearings_payment_clearing" ON "settlement"."refund_clearings" ("payment_clearing_id")`,
    );

    // A refund whose payment is not cleared yet (cashier's verdict on the payment travels on
    // another topic and may come later) waits here, and is cleared in the transaction that clears
    // its payment. failure_reason is set when it then cannot be cleared, for an operator.
    await queryRunner.query(`
      CREATE TABLE "settlement"."parked_refunds" (
        "refund_id" text PRIMARY KEY CHECK ("refund_id" ~ ${ID('ref')}),
        "transaction_id" text NOT NULL CHECK ("transaction_id" ~ ${ID('txn')}),
        "kind" text NOT NULL CHECK ("kind" IN ('MERCHANT_REFUND', 'LATE_PAYMENT_RETURN')),
        "payload" jsonb NOT NULL,
        "source_message_id" text NOT NULL,
        "parked_at" timestamptz NOT NULL DEFAULT now(),
        "failure_reason" text
      )`);
    await queryRunner.query(
      `CREATE INDEX "parked_refunds_transaction" ON "settlement"."parked_refunds" ("transaction_id")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "settlement"."parked_refunds"`);
    await queryRunner.query(`DROP TABLE "settlement"."refund_clearings"`);
    await queryRunner.query(`DROP TABLE "settlement"."late_payment_clearings"`);
    await queryRunner.query(`DROP TABLE "settlement"."refund_fee_policies"`);
    await queryRunner.query(
      `ALTER TABLE "settlement"."clearings" DROP COLUMN "channel_cost_rate_source", DROP COLUMN "channel_account_id"`,
    );
    await queryRunner.query(
      `DELETE FROM "settlement"."channel_cost_rates" WHERE "channel_account_id" IS NOT NULL`,
    );
    await queryRunner.query(`
      ALTER TABLE "settlement"."channel_cost_rates"
        DROP COLUMN "channel_account_id",
        DROP COLUMN "id",
        ADD PRIMARY KEY ("channel")`);
  }
}
