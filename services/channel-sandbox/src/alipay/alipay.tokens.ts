/** The sandbox's settings as the Alipay providers need them (from ChannelSandboxConfig). */
export const ALIPAY_SANDBOX_SETTINGS = Symbol('ALIPAY_SANDBOX_SETTINGS');

export interface AlipaySandboxSettings {
  /** Where payers and bill downloads reach the sandbox, e.g. http://localhost:3005. */
  publicBaseUrl: string;
  callbackTimeScale: number;
  callbackPollIntervalMs: number;
}
