/** The sandbox's settings as the Alipay providers need them (from ChannelSandboxConfig). */
export const ALIPAY_SANDBOX_SETTINGS = Symbol('ALIPAY_SANDBOX_SETTINGS');

export interface AlipaySandboxSettings {
  /** Where payers' browsers reach the sandbox (QR pages), e.g. http://localhost:3005. */
  publicBaseUrl: string;
  /** Where servers reach it (bill download links), e.g. http://channel-sandbox:3005 in compose. */
  apiBaseUrl: string;
  callbackTimeScale: number;
  callbackPollIntervalMs: number;
}
