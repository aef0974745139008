import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * WeChat Pay signs a callback in its headers (Wechatpay-Timestamp, -Nonce, -Signature, -Serial),
 * not in its body: without them a stored callback could never be verified again in an audit.
 */
export class RawCallbackHeaders1732407600000 implements MigrationInterface {
  name = 'RawCallbackHeaders1732407600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "acquiring"."raw_callbacks" ADD COLUMN "headers" jsonb NOT NULL DEFAULT '{}'::jsonb`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "acquiring"."raw_callbacks" DROP COLUMN "headers"`);
  }
}
