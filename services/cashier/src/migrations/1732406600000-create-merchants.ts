import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateMerchants1732406600000 implements MigrationInterface {
  name = 'CreateMerchants1732406600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "cashier"."merchants" (
        "id" text PRIMARY KEY CHECK ("id" ~ '^mch_[0-9A-HJKMNP-TV-Z]{26}$'),
        "name" text NOT NULL CHECK (length("name") BETWEEN 1 AND 128),
        "status" text NOT NULL CHECK ("status" IN ('ACTIVE', 'SUSPENDED')),
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE "cashier"."merchant_apps" (
        "id" text PRIMARY KEY CHECK ("id" ~ '^app_[0-9A-HJKMNP-TV-Z]{26}$'),
        "merchant_id" text NOT NULL REFERENCES "cashier"."merchants" ("id"),
        "name" text NOT NULL,
        "signing_secret" text NOT NULL CHECK (length("signing_secret") >= 32),
        "webhook_url" text,
        "status" text NOT NULL CHECK ("status" IN ('ACTIVE', 'DISABLED')),
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX "merchant_apps_merchant" ON "cashier"."merchant_apps" ("merchant_id")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "cashier"."merchant_apps"`);
    await queryRunner.query(`DROP TABLE "cashier"."merchants"`);
  }
}
