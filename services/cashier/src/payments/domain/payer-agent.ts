/**
 * The aggregated QR (一码付): one printed code that every wallet can scan. When the payer scans
 * it, the wallet opens our URL in its built-in browser, and that browser announces itself in the
 * User-Agent. Knowing the wallet lets us skip the method picker and go straight to the payment
 * method that wallet can complete.
 */
export const PAYER_APPS = ['WECHAT', 'ALIPAY', 'UNIONPAY', 'OTHER'] as const;
export type PayerApp = (typeof PAYER_APPS)[number];

export const PAYMENT_METHODS = ['WECHAT_PAY', 'ALIPAY', 'UNIONPAY'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/**
 * The product token each wallet's in-app browser puts in its User-Agent:
 * WeChat (微信) `MicroMessenger/8.0.47`, Alipay (支付宝) `AlipayClient/10.5.26`, UnionPay
 * QuickPass (云闪付) `(UnionPay/1.0 CloudPay)` and its bundle id `(com.unionpay.chsp)`.
 * Case-sensitive on purpose: these are fixed product tokens, and a looser match would pick up
 * unrelated text.
 */
const SIGNATURES: ReadonlyArray<readonly [Exclude<PayerApp, 'OTHER'>, readonly string[]]> = [
  ['WECHAT', ['MicroMessenger']],
  ['ALIPAY', ['AlipayClient']],
  ['UNIONPAY', ['UnionPay', 'com.unionpay']],
];

/**
 * Which wallet the scan came from. A User-Agent that matches more than one wallet is answered
 * with OTHER: guessing wrong would send the payer to a method their wallet cannot open, while
 * the method picker always works. So does anything missing or unrecognised (a phone camera,
 * a desktop browser, QQ, DingTalk, Taobao).
 *
 * This is a convenience for the payer, not a security check — anyone can send any User-Agent.
 * The channel itself decides whether the payment can be made.
 */
export function detectPayerApp(userAgent: string | null | undefined): PayerApp {
  if (typeof userAgent !== 'string' || userAgent === '') return 'OTHER';
  const matches = SIGNATURES.filter(([, tokens]) =>
    tokens.some((token) => userAgent.includes(token)),
  );
  return matches.length === 1 ? matches[0][0] : 'OTHER';
}

export const PAYMENT_METHOD_BY_PAYER_APP: Readonly<Record<PayerApp, PaymentMethod | undefined>> =
  Object.freeze({
    WECHAT: 'WECHAT_PAY',
    ALIPAY: 'ALIPAY',
    UNIONPAY: 'UNIONPAY',
    OTHER: undefined,
  });

/** The method to go straight to, or undefined when the payer should pick one. */
export function paymentMethodForPayerApp(app: PayerApp): PaymentMethod | undefined {
  return Object.hasOwn(PAYMENT_METHOD_BY_PAYER_APP, app)
    ? PAYMENT_METHOD_BY_PAYER_APP[app]
    : undefined;
}

/** Both steps in one: the method a scan with this User-Agent should go straight to, if any. */
export function paymentMethodForUserAgent(
  userAgent: string | null | undefined,
): PaymentMethod | undefined {
  return paymentMethodForPayerApp(detectPayerApp(userAgent));
}
