import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Demo Books' channel accounts as routing seeds them (services/routing/src/demo-data.ts). */
const BOOKS_ALIPAY_ACCOUNT = 'cha_01M85DMB00EHTE541GQYE3T4V2';
const BOOKS_WECHAT_PAY_ACCOUNT = 'cha_01M85DMB00EHTE541GQYE3T4V3';

/**
 * What the channels charge us for Demo Books' own accounts (渠道账户成本费率). Demo values, the
 * same 0.38 % as Demo Coffee's everyday accounts, written per account so that each clearing
 * records CHANNEL_ACCOUNT as the rate's source, like Coffee's Alipay accounts. A class that has
 * already changed a rate keeps its change (ON CONFLICT DO NOTHING).
 */
export class DemoBooksChannelCosts1733100000500 implements MigrationInterface {
  name = 'DemoBooksChannelCosts1733100000500';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      INSERT INTO "settlement"."channel_cost_rates" ("channel", "channel_account_id", "cost_rate_ppm", "note") VALUES
        ('ALIPAY', '${BOOKS_ALIPAY_ACCOUNT}', 3800, 'demo value: Demo Books'' Alipay app, 0.38 %'),
        ('WECHAT_PAY', '${BOOKS_WECHAT_PAY_ACCOUNT}', 3800, 'demo value: Demo Books'' WeChat Pay merchant, 0.38 %')
      ON CONFLICT DO NOTHING`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DELETE FROM "settlement"."channel_cost_rates" WHERE "channel_account_id" IN ('${BOOKS_ALIPAY_ACCOUNT}', '${BOOKS_WECHAT_PAY_ACCOUNT}')`,
    );
  }
}
