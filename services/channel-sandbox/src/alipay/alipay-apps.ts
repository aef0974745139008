import {
  DEMO_ALIPAY_APP_ID,
  DEMO_ALIPAY_APP_PUBLIC_KEY,
  DEMO_ALIPAY_PID,
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
 * The apps the sandbox knows. Only the demo app for now: a teaching deployment has one demo
 * merchant, and its keys are committed demo constants (demo-keys.ts).
 */
const APPS: ReadonlyMap<string, AlipayApp> = new Map([
  [
    DEMO_ALIPAY_APP_ID,
    { appId: DEMO_ALIPAY_APP_ID, pid: DEMO_ALIPAY_PID, appPublicKey: DEMO_ALIPAY_APP_PUBLIC_KEY },
  ],
]);

export function findAlipayApp(appId: string): AlipayApp | undefined {
  return APPS.get(appId);
}

/** The sandbox platform's signing key (responses, notifications). */
export const ALIPAY_PLATFORM_PRIVATE_KEY = DEMO_ALIPAY_PLATFORM_PRIVATE_KEY;
