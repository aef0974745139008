import {
  DEMO_ALIPAY_APP_B_ID,
  DEMO_ALIPAY_APP_B_PUBLIC_KEY,
  DEMO_ALIPAY_APP_ID,
  DEMO_ALIPAY_APP_PUBLIC_KEY,
  DEMO_ALIPAY_BOOKS_APP_ID,
  DEMO_ALIPAY_BOOKS_APP_PUBLIC_KEY,
  DEMO_ALIPAY_BOOKS_PID,
  DEMO_ALIPAY_PID,
  DEMO_ALIPAY_PID_B,
  DEMO_ALIPAY_PLATFORM_PRIVATE_KEY,
} from './demo-keys';

/** A merchant app registered at the simulated Alipay open platform (开放平台应用). */
export interface AlipayApp {
  appId: string;
  /** The merchant's partner id (PID). */
  pid: string;
  /** The app public key the merchant uploaded; request signatures are checked with it. */
  appPublicKey: string;
}

/**
 * The apps the sandbox knows: Demo Coffee's two apps (the everyday one and the "large amounts"
 * one) and Demo Books' one, each with its own key pair; their keys are committed demo constants
 * (demo-keys.ts). Trades, bills and notifications are per app, so one app's statement never
 * shows another app's trades.
 */
const APPS: ReadonlyMap<string, AlipayApp> = new Map([
  [
    DEMO_ALIPAY_APP_ID,
    { appId: DEMO_ALIPAY_APP_ID, pid: DEMO_ALIPAY_PID, appPublicKey: DEMO_ALIPAY_APP_PUBLIC_KEY },
  ],
  [
    DEMO_ALIPAY_APP_B_ID,
    {
      appId: DEMO_ALIPAY_APP_B_ID,
      pid: DEMO_ALIPAY_PID_B,
      appPublicKey: DEMO_ALIPAY_APP_B_PUBLIC_KEY,
    },
  ],
  [
    DEMO_ALIPAY_BOOKS_APP_ID,
    {
      appId: DEMO_ALIPAY_BOOKS_APP_ID,
      pid: DEMO_ALIPAY_BOOKS_PID,
      appPublicKey: DEMO_ALIPAY_BOOKS_APP_PUBLIC_KEY,
    },
  ],
]);

export function findAlipayApp(appId: string): AlipayApp | undefined {
  return APPS.get(appId);
}

/** The sandbox platform's signing key (responses, notifications). */
export const ALIPAY_PLATFORM_PRIVATE_KEY = DEMO_ALIPAY_PLATFORM_PRIVATE_KEY;
