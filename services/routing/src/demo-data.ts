import type { DataSource } from 'typeorm';
import { ChannelAccountEntity } from './channels/channel-account.entity';

/** The demo merchant of cashier's seed (services/cashier/src/merchants/demo-merchant.ts). */
export const DEMO_ROUTING_MERCHANT_ID = 'mch_01M85DMB00EHTE541GQYE3T4TJ';

/** The second demo merchant of cashier's seed, Demo Books (演示书店, D+0). */
export const DEMO_BOOKS_ROUTING_MERCHANT_ID = 'mch_01M85DMB00EHTE541GQYE3T4V0';

/**
 * The demo merchant's channel accounts (渠道商户号). Ids, numbers, limits and fees are fixed so
 * that the README's curl examples and the class exercises give the same answer everywhere.
 * Merchant numbers follow each channel's format (Alipay PID 2088…, WeChat Pay 10-digit mchid,
 * UnionPay 15-digit merId) and exist only in the sandbox.
 */
export const DEMO_CHANNEL_ACCOUNTS = {
  alipay: {
    id: 'cha_01M85DMB00EHTE541GQYE3T4TM',
    channel: 'ALIPAY',
    channelMerchantNo: '2088000000000001',
    enabled: true,
    minAmountMinor: 1,
    maxAmountMinor: 500_000, // ¥5,000 per transaction; larger amounts go to alipayLarge
    merchantFeePpm: 5_500, // 0.55 %
  },
  /** The second Alipay app (大额账户, "large amounts"), at a lower negotiated fee. */
  alipayLarge: {
    id: 'cha_01M85DMB00EHTE541GQYE3T4TQ',
    channel: 'ALIPAY',
    channelMerchantNo: '2088000000000002',
    enabled: true,
    minAmountMinor: 500_001,
    maxAmountMinor: 5_000_000, // ¥50,000 per transaction
    merchantFeePpm: 5_000, // 0.50 %
  },
  wechatPay: {
    id: 'cha_01M85DMB00EHTE541GQYE3T4TN',
    channel: 'WECHAT_PAY',
    channelMerchantNo: '1900000001',
    enabled: true,
    minAmountMinor: 1,
    maxAmountMinor: 2_000_000, // ¥20,000 per transaction
    merchantFeePpm: 6_000, // 0.60 %
  },
  unionPay: {
    id: 'cha_01M85DMB00EHTE541GQYE3T4TP',
    channel: 'UNIONPAY',
    channelMerchantNo: '777000000000001',
    // Disabled on purpose: students see a disabled account dropped in every trace.
    enabled: false,
    minAmountMinor: 100,
    maxAmountMinor: 10_000_000, // ¥100,000 per transaction
    merchantFeePpm: 3_800, // 0.38 %
  },
} as const;

/**
 * Demo Books' channel accounts: its own Alipay app (2021000000000003, PID 2088000000000003) and
 * its own WeChat Pay merchant number. A channel merchant number belongs to one merchant only
 * (routing's unique (channel, channel_merchant_no)), so Books never shares Coffee's accounts and
 * each channel statement holds one merchant's trades. Fees and limits match Coffee's everyday
 * accounts, so the two merchants differ only in their settlement cycle.
 */
export const DEMO_BOOKS_CHANNEL_ACCOUNTS = {
  alipay: {
    id: 'cha_01M85DMB00EHTE541GQYE3T4V2',
    channel: 'ALIPAY',
    channelMerchantNo: '2088000000000003',
    enabled: true,
    minAmountMinor: 1,
    maxAmountMinor: 5_000_000, // ¥50,000 per transaction (Books has no large-amounts account)
    merchantFeePpm: 5_500, // 0.55 %, as Coffee's everyday Alipay account
  },
  wechatPay: {
    id: 'cha_01M85DMB00EHTE541GQYE3T4V3',
    channel: 'WECHAT_PAY',
    channelMerchantNo: '1900000002',
    enabled: true,
    minAmountMinor: 1,
    maxAmountMinor: 2_000_000, // ¥20,000 per transaction
    merchantFeePpm: 6_000, // 0.60 %
  },
} as const;

/** Every demo merchant with its channel accounts, in the order the seed inserts them. */
const DEMO_ACCOUNTS_BY_MERCHANT = [
  { merchantId: DEMO_ROUTING_MERCHANT_ID, accounts: DEMO_CHANNEL_ACCOUNTS },
  { merchantId: DEMO_BOOKS_ROUTING_MERCHANT_ID, accounts: DEMO_BOOKS_CHANNEL_ACCOUNTS },
] as const;

/**
 * Inserts the demo merchants' channel accounts if missing; safe to run on every seed. Needs the
 * routing schema migrated (it holds the channels). Existing rows are left alone, so a class
 * that switched an account on or off keeps its change.
 */
export async function seedRoutingDemoData(
  dataSource: DataSource,
): Promise<'created' | 'already present'> {
  const now = new Date();
  const inserted = await dataSource
    .createQueryBuilder()
    .insert()
    .into(ChannelAccountEntity)
    .values(
      DEMO_ACCOUNTS_BY_MERCHANT.flatMap(({ merchantId, accounts }) =>
        Object.values(accounts).map((account) => ({
          ...account,
          merchantId,
          currency: 'CNY',
          priority: 100,
          createdAt: now,
          updatedAt: now,
        })),
      ),
    )
    .orIgnore()
    // Only rows actually inserted come back, which is how a re-run knows it changed nothing.
    .returning(['id'])
    .execute();
  return (inserted.raw as unknown[]).length > 0 ? 'created' : 'already present';
}
