import type { DataSource } from 'typeorm';
import { MerchantAppEntity } from './merchant-app.entity';
import { MerchantEntity } from './merchant.entity';

/**
 * The demo merchant every student uses. Its ids and secret are fixed and published in the
 * README so that the curl examples work on any fresh installation.
 * Never use these values outside a local teaching setup.
 */
export const DEMO_MERCHANT = {
  merchantId: 'mch_01M85DMB00EHTE541GQYE3T4TJ',
  merchantName: 'PayLab Demo Coffee (演示咖啡店)',
  appId: 'app_01M85DMB00EHTE541GQYE3T4TK',
  appName: 'Demo web shop',
  signingSecret: 'sk_demo_paylab_do_not_use_in_production_4f1c2e9a',
} as const;

/** Inserts the demo merchant and app if missing; safe to run on every start or seed. */
export async function seedDemoMerchant(
  dataSource: DataSource,
): Promise<'created' | 'already present'> {
  return dataSource.transaction(async (manager) => {
    const inserted = await manager
      .createQueryBuilder()
      .insert()
      .into(MerchantEntity)
      .values({ id: DEMO_MERCHANT.merchantId, name: DEMO_MERCHANT.merchantName, status: 'ACTIVE' })
      .orIgnore()
      .execute();
    await manager
      .createQueryBuilder()
      .insert()
      .into(MerchantAppEntity)
      .values({
        id: DEMO_MERCHANT.appId,
        merchantId: DEMO_MERCHANT.merchantId,
        name: DEMO_MERCHANT.appName,
        signingSecret: DEMO_MERCHANT.signingSecret,
        webhookUrl: null,
        status: 'ACTIVE',
      })
      .orIgnore()
      .execute();
    return (inserted.raw as unknown[]).length > 0 ? 'created' : 'already present';
  });
}
