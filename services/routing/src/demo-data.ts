import type { DataSource } from 'typeorm';
import { ChannelAccountEntity } from './channels/channel-account.entity';

/** The demo merchant of cashier's seed (services/cashier/src/merchants/demo-merchant.ts). */
export const DEMO_ROUTING_MERCHANT_ID = 'mch_01M85DMB00EHTE541GQYE3T4TJ';

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
 * Inserts the demo merchant's channel accounts if missing; safe to run on every seed. Needs the
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
      Object.values(DEMO_CHANNEL_ACCOUNTS).map((account) => ({
        ...account,
        merchantId: DEMO_ROUTING_MERCHANT_ID,
        currency: 'CNY',
        priority: 100,
        createdAt: now,
        updatedAt: now,
      })),
    )
    .orIgnore()
    // Only rows actually inserted come back, which is how a re-run knows it changed nothing.
    .returning(['id'])
    .execute();
  return (inserted.raw as unknown[]).length > 0 ? 'created' : 'already present';
}
