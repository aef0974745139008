import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The idempotency lease's fence: the random token of the request holding an IN_PROGRESS key.
 * Keys in progress during the upgrade get none, so their (old-code) holders can no longer
 * complete them; their lease runs out and a retry takes over, as after a crash.
 */
export class IdempotencyOwnerToken1733000000100 implements MigrationInterface {
  name = 'IdempotencyOwnerToken1733000000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE "cashier"."idempotency_keys"
        ADD COLUMN "owner_token" text,
        ADD CONSTRAINT "idempotency_keys_owner_token_only_in_progress"
          CHECK ("state" = 'IN_PROGRESS' OR "owner_token" IS NULL)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "cashier"."idempotency_keys" DROP COLUMN "owner_token"`);
  }
}
