import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a WeChat Pay order carries beyond the shared trade: the APPID it was placed under (one
 * merchant may have several) and the merchant's `attach` (附加数据), both echoed back on
 * query, notification and bill.
 */
export class WechatPay1732407300000 implements MigrationInterface {
  name = 'WechatPay1732407300000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE "channel_sandbox"."trades"
        ADD COLUMN "app_id" text,
        ADD COLUMN "attach" text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE "channel_sandbox"."trades" DROP COLUMN "app_id", DROP COLUMN "attach"`);
  }
}
