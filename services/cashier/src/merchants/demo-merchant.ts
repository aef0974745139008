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

/**
 * The second demo merchant: settles D+0 (same day) where Demo Coffee settles T+1, so a class can
 * compare the two settlement cycles side by side. Same rules as DEMO_MERCHANT.
 */
export const DEMO_BOOKS_MERCHANT = {
  merchantId: 'mch_01M85DMB00EHTE541GQYE3T4V0',
  merchantName: 'PayLab Demo Books (演示书店)',
  appId: 'app_01M85DMB00EHTE541GQYE3T4V1',
  appName: 'Demo bookshop',
  signingSecret: 'sk_demo_books_paylab_do_not_use_in_production_7d3a1b5c',
} as const;

export type DemoMerchant = typeof DEMO_MERCHANT | typeof DEMO_BOOKS_MERCHANT;

/** Every demo merchant, in the order the seed creates and lists them. */
export const DEMO_MERCHANTS: readonly DemoMerchant[] = [DEMO_MERCHANT, DEMO_BOOKS_MERCHANT];

/** Inserts a demo merchant and its app if missing; safe to run on every start or seed. */
export async function seedDemoMerchant(
  dataSource: DataSource,
  merchant: DemoMerchant = DEMO_MERCHANT,
): Promise<'created' | 'already present'> {
  return dataSource.transaction(async (manager) => {
    const inserted = await manager
      .createQueryBuilder()
      .insert()
      .into(MerchantEntity)
      .values({ id: merchant.merchantId, name: merchant.merchantName, status: 'ACTIVE' })
      .orIgnore()
      .execute();
    await manager
      .createQueryBuilder()
      .insert()
      .into(MerchantAppEntity)
      .values({
        id: merchant.appId,
        merchantId: merchant.merchantId,
        name: merchant.appName,
        signingSecret: merchant.signingSecret,
        webhookUrl: null,
        status: 'ACTIVE',
      })
      .orIgnore()
      .execute();
    return (inserted.raw as unknown[]).length > 0 ? 'created' : 'already present';
  });
}
