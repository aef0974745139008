import {
  DEMO_WECHAT_PAY_APIV3_KEY,
  DEMO_WECHAT_PAY_APPID,
  DEMO_WECHAT_PAY_BOOKS_APIV3_KEY,
  DEMO_WECHAT_PAY_BOOKS_APPID,
  DEMO_WECHAT_PAY_BOOKS_MCHID,
  DEMO_WECHAT_PAY_BOOKS_MERCHANT_PUBLIC_KEY,
  DEMO_WECHAT_PAY_BOOKS_MERCHANT_SERIAL,
  DEMO_WECHAT_PAY_MCHID,
  DEMO_WECHAT_PAY_MERCHANT_PUBLIC_KEY,
  DEMO_WECHAT_PAY_MERCHANT_SERIAL,
  DEMO_WECHAT_PAY_PLATFORM_PRIVATE_KEY,
  DEMO_WECHAT_PAY_PLATFORM_SERIAL,
} from './demo-keys';

/** A merchant registered at the simulated WeChat Pay (商户号 and what belongs to it). */
export interface WechatPayMerchant {
  mchid: string;
  /** The app ids bound to the merchant (APPID与商户号绑定). */
  appids: readonly string[];
  /** The merchant API certificate's serial and public key; requests are checked with them. */
  serial: string;
  publicKey: string;
  /** The APIv3 key the merchant set; notification resources are encrypted with it. */
  apiV3Key: string;
}

/**
 * The merchants the sandbox knows: Demo Coffee's and Demo Books' 商户号, each with its own app id,
 * certificate and APIv3 key; their keys are committed demo constants (demo-keys.ts). Orders and
 * bills are per merchant id.
 */
const MERCHANTS: ReadonlyMap<string, WechatPayMerchant> = new Map([
  [
    DEMO_WECHAT_PAY_MCHID,
    {
      mchid: DEMO_WECHAT_PAY_MCHID,
      appids: [DEMO_WECHAT_PAY_APPID],
      serial: DEMO_WECHAT_PAY_MERCHANT_SERIAL,
      publicKey: DEMO_WECHAT_PAY_MERCHANT_PUBLIC_KEY,
      apiV3Key: DEMO_WECHAT_PAY_APIV3_KEY,
    },
  ],
  [
    DEMO_WECHAT_PAY_BOOKS_MCHID,
    {
      mchid: DEMO_WECHAT_PAY_BOOKS_MCHID,
      appids: [DEMO_WECHAT_PAY_BOOKS_APPID],
      serial: DEMO_WECHAT_PAY_BOOKS_MERCHANT_SERIAL,
      publicKey: DEMO_WECHAT_PAY_BOOKS_MERCHANT_PUBLIC_KEY,
      apiV3Key: DEMO_WECHAT_PAY_BOOKS_APIV3_KEY,
    },
  ],
]);

export function findWechatPayMerchant(mchid: string): WechatPayMerchant | undefined {
  return MERCHANTS.get(mchid);
}

/** The sandbox platform's signing key and its certificate serial (Wechatpay-Serial). */
export const WECHAT_PAY_PLATFORM = {
  privateKey: DEMO_WECHAT_PAY_PLATFORM_PRIVATE_KEY,
  serial: DEMO_WECHAT_PAY_PLATFORM_SERIAL,
} as const;
