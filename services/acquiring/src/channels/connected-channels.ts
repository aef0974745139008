import type { PaylabLogger } from '@paylab/platform';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import type { AcquiringConfig } from '../config';
import { AlipayAdapter } from './alipay/alipay.adapter';
import { ChannelAccountCredentialsEntity } from './channel-account.entity';
import { ChannelAdapters, type ConnectedAccount } from './channel-adapters';
import { WechatPayAdapter } from './wechat-pay/wechat-pay.adapter';

const alipayCredentials = z.object({
  appId: z.string().regex(/^\d{16}$/),
  appPrivateKey: z.string().min(1),
  platformPublicKey: z.string().min(1),
});

const wechatPayCredentials = z.object({
  mchid: z.string().regex(/^\d{8,10}$/),
  appid: z.string().regex(/^wx[0-9a-f]{16}$/),
  merchantSerial: z.string().min(1),
  merchantPrivateKey: z.string().min(1),
  platformSerial: z.string().min(1),
  platformPublicKey: z.string().min(1),
  apiV3Key: z.string().refine((value) => Buffer.byteLength(value, 'utf8') === 32),
});

/**
 * The channel accounts acquiring can sign for: each channel's default account from the
 * environment (going live stays a change of configuration), plus the rows of channel_accounts
 * (the demo seed adds the second Alipay app there). The gateway URLs are the channel's, shared
 * by all of its accounts.
 */
export function connectChannels(
  config: AcquiringConfig,
  dataSource: DataSource,
  logger: PaylabLogger,
): ChannelAdapters {
  const publicBaseUrl = config.PUBLIC_BASE_URL.replace(/\/+$/, '');
  const alipay = (credentials: z.infer<typeof alipayCredentials>) =>
    new AlipayAdapter({
      gatewayUrl: config.ALIPAY_GATEWAY_URL,
      ...credentials,
      notifyUrl: `${publicBaseUrl}/callbacks/alipay`,
    });
  const wechatPay = (credentials: z.infer<typeof wechatPayCredentials>) =>
    new WechatPayAdapter({
      baseUrl: config.WECHATPAY_BASE_URL,
      ...credentials,
      notifyUrl: `${publicBaseUrl}/callbacks/wechat-pay`,
    });
  const defaults: ConnectedAccount[] = [
    {
      accountId: config.ALIPAY_CHANNEL_ACCOUNT_ID,
      adapter: alipay({
        appId: config.ALIPAY_APP_ID,
        appPrivateKey: config.ALIPAY_APP_PRIVATE_KEY,
        platformPublicKey: config.ALIPAY_PLATFORM_PUBLIC_KEY,
      }),
    },
    {
      accountId: config.WECHATPAY_CHANNEL_ACCOUNT_ID,
      adapter: wechatPay({
        mchid: config.WECHATPAY_MCHID,
        appid: config.WECHATPAY_APPID,
        merchantSerial: config.WECHATPAY_MERCHANT_SERIAL,
        merchantPrivateKey: config.WECHATPAY_MERCHANT_PRIVATE_KEY,
        platformSerial: config.WECHATPAY_PLATFORM_SERIAL,
        platformPublicKey: config.WECHATPAY_PLATFORM_PUBLIC_KEY,
        apiV3Key: config.WECHATPAY_APIV3_KEY,
      }),
    },
  ];
  const load = async (): Promise<ConnectedAccount[]> => {
    const rows = await dataSource.getRepository(ChannelAccountCredentialsEntity).find();
    const accounts: ConnectedAccount[] = [];
    for (const row of rows) {
      const parsed =
        row.channel === 'ALIPAY'
          ? alipayCredentials.safeParse(row.credentials)
          : row.channel === 'WECHAT_PAY'
            ? wechatPayCredentials.safeParse(row.credentials)
            : undefined;
      if (!parsed?.success) {
        // One bad row must not disconnect the others; its transactions fail with UNKNOWN_ACCOUNT.
        logger.error(
          { accountId: row.id, channel: row.channel },
          'unusable channel account credentials',
        );
        continue;
      }
      accounts.push({
        accountId: row.id,
        adapter:
          row.channel === 'ALIPAY'
            ? alipay(parsed.data as z.infer<typeof alipayCredentials>)
            : wechatPay(parsed.data as z.infer<typeof wechatPayCredentials>),
      });
    }
    return accounts;
  };
  return new ChannelAdapters(defaults, load);
}
