import {
  detectPayerApp,
  PAYER_APPS,
  PAYMENT_METHOD_BY_PAYER_APP,
  PAYMENT_METHODS,
  PayerApp,
  paymentMethodForPayerApp,
  paymentMethodForUserAgent,
} from './payer-agent';
import { CHANNEL_CODES } from './payment-order';

// Real-world shapes of in-app browser User-Agents, as the wallets send them.
const UA = {
  wechatIos:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN',
  wechatAndroid:
    'Mozilla/5.0 (Linux; Android 13; V2154A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/111.0.5563.116 Mobile Safari/537.36 XWEB/1110005 MMWEBSDK/20231202 MMWEBID/2247 MicroMessenger/8.0.47.2560(0x28002F30) WeChat/arm64 Weixin NetType/5G Language/zh_CN ABI/arm64',
  wechatMac:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) MicroMessenger/6.8.0(0x16080000) MacWechat/3.8.6(0x13080610) XWEB/1156 Flue',
  alipayAndroid:
    'Mozilla/5.0 (Linux; U; Android 13; zh-CN; 22081212C Build/TKQ1.220829.002) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/69.0.3497.100 UWS/3.22.2.59 Mobile Safari/537.36 UCBS/3.22.2.59_230817173232 ChannelId(0) NebulaSDK/1.8.100112 Nebula AlipayDefined(nt:WIFI,ws:393|0|2.75) AliApp(AP/10.5.26.8000) AlipayClient/10.5.26.8000 Language/zh-Hans useStatusBar/true isConcaveScreen/true Region/CNAriver/1.0.0',
  alipayIos:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Ariver/1.1.0 AliApp(AP/10.5.30.6000) Nebula WK RVKType(0) AlipayDefined(nt:WIFI,ws:390|780|3.0) AlipayClient/10.5.30.6000 Language/zh-Hans Region/CN NebulaX/1.0.0',
  unionpayIos:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 15_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 (com.unionpay.chsp) (cordova 4.5.4) (updebug 0) (version 1010) (UnionPay/1.0 CloudPay) (clientVersion 310) (language zh_CN) (upHtml)',
  unionpayAndroid:
    'Mozilla/5.0 (Linux; Android 12; M2102J2SC Build/SKQ1.211006.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/95.0.4638.74 Mobile Safari/537.36 (com.unionpay.mobilepay) (cordova 7.0.0) (updebug 0) (version 929) (clientVersion 189) (language zh_CN) (upHtml) (walletMode 00)',
  unionpayTokenOnly:
    'Mozilla/5.0 (Linux; Android 11; PDEM10) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (UnionPay/1.0 CloudPay)',
  safariIphone:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1',
  chromeDesktop:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Safari/537.36',
  qq: 'Mozilla/5.0 (iPhone; CPU iPhone OS 16_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 QQ/8.9.68.635 V1_IPH_SQ_8.9.68_1_APP_A Pixel/1170 MiniAppEnable SimpleUISwitch/0 StudyMode/0 QQTheme/1000 Core/WKWebView Device/Apple(iPhone 13) NetType/WIFI QBWebViewType/1 WKType/1',
  dingTalk:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 16_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 AliApp(DingTalk/7.0.40) com.laiwang.DingTalk/31125584 Channel/201200 language/zh-Hans-CN UT4Aplus/0.0.6 WK',
  taobao:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 16_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 AliApp(TB/10.25.10) WindVane/8.7.2 1170x2532 WK',
  curl: 'curl/8.5.0',
};

describe('detectPayerApp', () => {
  it.each<[keyof typeof UA, PayerApp]>([
    ['wechatIos', 'WECHAT'],
    ['wechatAndroid', 'WECHAT'],
    ['wechatMac', 'WECHAT'],
    ['alipayAndroid', 'ALIPAY'],
    ['alipayIos', 'ALIPAY'],
    ['unionpayIos', 'UNIONPAY'],
    ['unionpayAndroid', 'UNIONPAY'],
    ['unionpayTokenOnly', 'UNIONPAY'],
    ['safariIphone', 'OTHER'],
    ['chromeDesktop', 'OTHER'],
    ['qq', 'OTHER'],
    ['dingTalk', 'OTHER'],
    ['taobao', 'OTHER'],
    ['curl', 'OTHER'],
  ])('classifies %s as %s', (name, expected) => {
    expect(detectPayerApp(UA[name])).toBe(expected);
  });

  it.each([undefined, null, '', '   '])('answers OTHER for %p', (userAgent) => {
    expect(detectPayerApp(userAgent)).toBe('OTHER');
  });

  it('answers OTHER for a non-string from an untyped caller', () => {
    expect(detectPayerApp(['MicroMessenger'] as unknown as string)).toBe('OTHER');
    expect(detectPayerApp(42 as unknown as string)).toBe('OTHER');
  });

  it('answers OTHER when the User-Agent claims two wallets', () => {
    expect(detectPayerApp(`${UA.wechatIos} AlipayClient/10.5.30`)).toBe('OTHER');
    expect(detectPayerApp('MicroMessenger/8.0 (UnionPay/1.0 CloudPay)')).toBe('OTHER');
    expect(detectPayerApp('AlipayClient/10 com.unionpay.chsp')).toBe('OTHER');
  });

  it('counts both UnionPay tokens as one wallet', () => {
    expect(detectPayerApp('(com.unionpay.chsp) (UnionPay/1.0 CloudPay)')).toBe('UNIONPAY');
  });

  it('matches the product tokens case-sensitively', () => {
    expect(detectPayerApp('micromessenger/8.0')).toBe('OTHER');
    expect(detectPayerApp('alipayclient/10.5')).toBe('OTHER');
    expect(detectPayerApp('unionpay/1.0')).toBe('OTHER');
  });

  it('does not mistake other Alibaba apps for Alipay', () => {
    expect(detectPayerApp('AliApp(AP/10.5.26) Nebula')).toBe('OTHER');
    expect(detectPayerApp('Mozilla/5.0 Alipay')).toBe('OTHER');
  });
});

describe('payment method mapping', () => {
  it('maps each wallet to its own method and OTHER to the picker', () => {
    expect(PAYMENT_METHOD_BY_PAYER_APP).toEqual({
      WECHAT: 'WECHAT_PAY',
      ALIPAY: 'ALIPAY',
      UNIONPAY: 'UNIONPAY',
      OTHER: undefined,
    });
    expect(paymentMethodForPayerApp('WECHAT')).toBe('WECHAT_PAY');
    expect(paymentMethodForPayerApp('ALIPAY')).toBe('ALIPAY');
    expect(paymentMethodForPayerApp('UNIONPAY')).toBe('UNIONPAY');
    expect(paymentMethodForPayerApp('OTHER')).toBeUndefined();
  });

  it('covers every payer app and reaches every method exactly once', () => {
    expect(Object.keys(PAYMENT_METHOD_BY_PAYER_APP).sort()).toEqual([...PAYER_APPS].sort());
    const methods = Object.values(PAYMENT_METHOD_BY_PAYER_APP).filter((m) => m !== undefined);
    expect([...methods].sort()).toEqual([...PAYMENT_METHODS].sort());
  });

  it('only offers methods a payment order can be processed with', () => {
    for (const method of PAYMENT_METHODS) {
      expect(CHANNEL_CODES).toContain(method);
    }
  });

  it('answers undefined for an unknown app, including inherited property names', () => {
    expect(paymentMethodForPayerApp('PAYPAL' as PayerApp)).toBeUndefined();
    expect(paymentMethodForPayerApp('toString' as PayerApp)).toBeUndefined();
    expect(paymentMethodForPayerApp('__proto__' as PayerApp)).toBeUndefined();
  });

  it('cannot be edited at run time', () => {
    expect(Object.isFrozen(PAYMENT_METHOD_BY_PAYER_APP)).toBe(true);
  });

  it('goes from User-Agent to method in one step', () => {
    expect(paymentMethodForUserAgent(UA.wechatAndroid)).toBe('WECHAT_PAY');
    expect(paymentMethodForUserAgent(UA.alipayIos)).toBe('ALIPAY');
    expect(paymentMethodForUserAgent(UA.unionpayIos)).toBe('UNIONPAY');
    expect(paymentMethodForUserAgent(UA.safariIphone)).toBeUndefined();
    expect(paymentMethodForUserAgent(undefined)).toBeUndefined();
  });
});
