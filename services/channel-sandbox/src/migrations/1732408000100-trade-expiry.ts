import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A trade's time_expire: past it an unpaid trade cannot be paid and reads as closed. */
export class TradeExpiry1732408000100 implements MigrationInterface {
  name = 'TradeExpiry1732408000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "channel_sandbox"."trades" ADD COLUMN "expires_at" timestamptz NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "channel_sandbox"."trades" DROP COLUMN "expires_at"`);
  }
}
