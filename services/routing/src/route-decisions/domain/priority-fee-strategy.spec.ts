import { Money } from '@paylab/money';
import { PriorityThenFeeStrategy } from './priority-fee-strategy';
import type {
  ChannelAccountSnapshot,
  ChannelSnapshot,
  RouteRequest,
  RoutingContext,
  RoutingRuleSnapshot,
} from './route-model';
import { NoChannelAvailableError } from './routing-error';

const MERCHANT = 'mch_01M85DMB00EHTE541GQYE3T4TJ';
const OTHER_MERCHANT = 'mch_01M85DMB00EHTE541GQYE3T4ZZ';

const CHANNELS: ChannelSnapshot[] = [
  {
    code: 'ALIPAY',
    name: 'Alipay',
    enabled: true,
    supportedMethods: ['ALIPAY'],
    supportedCurrencies: ['CNY'],
  },
  {
    code: 'WECHAT_PAY',
    name: 'WeChat Pay',
    enabled: true,
    supportedMethods: ['WECHAT_PAY'],
    supportedCurrencies: ['CNY'],
  },
  {
    code: 'UNIONPAY',
    name: 'UnionPay',
    enabled: true,
    supportedMethods: ['UNIONPAY'],
    supportedCurrencies: ['CNY', 'HKD'],
  },
];

function account(
  overrides: Partial<ChannelAccountSnapshot> & { id: string },
): ChannelAccountSnapshot {
  return {
    merchantId: MERCHANT,
    channel: 'ALIPAY',
    channelMerchantNo: '2088000000000001',
    enabled: true,
    currency: 'CNY',
    minAmountMinor: 1,
    maxAmountMinor: 5_000_000,
    merchantFeePpm: 6_000,
    priority: 100,
    ...overrides,
  };
}

const ALIPAY = account({
  id: 'cha_A',
  channel: 'ALIPAY',
  maxAmountMinor: 5_000_000,
  merchantFeePpm: 5_500,
});
const WECHAT = account({
  id: 'cha_W',
  channel: 'WECHAT_PAY',
  channelMerchantNo: '1900000001',
  maxAmountMinor: 2_000_000,
  merchantFeePpm: 6_000,
});
const UNIONPAY = account({
  id: 'cha_U',
  channel: 'UNIONPAY',
  channelMerchantNo: '777290058110048',
  enabled: false,
  merchantFeePpm: 3_800,
});

function request(
  method: RouteRequest['method'],
  amountMinor: number,
  currency: 'CNY' | 'USD' | 'HKD' = 'CNY',
): RouteRequest {
  return { merchantId: MERCHANT, method, amount: Money.of(amountMinor, currency) };
}

function context(
  req: RouteRequest,
  parts: {
    channels?: ChannelSnapshot[];
    accounts?: ChannelAccountSnapshot[];
    rules?: RoutingRuleSnapshot[];
  } = {},
): RoutingContext {
  return {
    request: req,
    channels: parts.channels ?? CHANNELS,
    accounts: parts.accounts ?? [ALIPAY, WECHAT, UNIONPAY],
    rules: parts.rules ?? [],
  };
}

const strategy = new PriorityThenFeeStrategy();

/** The trace reason codes per account, for compact assertions. */
function reasonCodes(
  trace: readonly { channelAccountId: string; reasons: readonly { code: string }[] }[],
) {
  return Object.fromEntries(
    trace.map((entry) => [entry.channelAccountId, entry.reasons.map((r) => r.code)]),
  );
}

function noChannel(ctx: RoutingContext): NoChannelAvailableError {
  try {
    strategy.decide(ctx);
  } catch (error) {
    if (error instanceof NoChannelAvailableError) return error;
    throw error;
  }
  throw new Error('expected NoChannelAvailableError');
}

describe('PriorityThenFeeStrategy (规则优先 + 费率最低)', () => {
  it('chooses the only account whose channel offers the method, and traces why the others were dropped', () => {
    const result = strategy.decide(context(request('WECHAT_PAY', 10_000)));
    expect(result.strategy).toBe('PRIORITY_THEN_FEE');
    expect(result.chosen).toEqual({
      channelAccountId: 'cha_W',
      channel: 'WECHAT_PAY',
      channelMerchantNo: '1900000001',
      merchantFeePpm: 6_000,
      estimatedMerchantFee: { amountMinor: 60, currency: 'CNY' },
      priority: 100,
      prioritySource: 'ACCOUNT',
      ruleId: null,
    });
    expect(result.fallbacks).toEqual([]);
    expect(
      result.trace.map((entry) => [entry.channelAccountId, entry.outcome, entry.rank]),
    ).toEqual([
      ['cha_W', 'KEPT', 1],
      ['cha_A', 'DROPPED', null],
      ['cha_U', 'DROPPED', null],
    ]);
    expect(reasonCodes(result.trace)).toEqual({
      cha_W: ['ELIGIBLE', 'DEFAULT_PRIORITY', 'CHOSEN'],
      cha_A: ['METHOD_UNSUPPORTED'],
      cha_U: ['ACCOUNT_DISABLED', 'METHOD_UNSUPPORTED'],
    });
    for (const entry of result.trace) {
      for (const reason of entry.reasons) expect(reason.message).toMatch(/\S/);
    }
  });

  it('drops every candidate above its maximum and throws NO_CHANNEL_AVAILABLE with the trace', () => {
    const error = noChannel(context(request('WECHAT_PAY', 3_000_000)));
    expect(error.code).toBe('ROUTING.NO_CHANNEL_AVAILABLE');
    expect(error.strategy).toBe('PRIORITY_THEN_FEE');
    expect(reasonCodes(error.trace)).toEqual({
      cha_A: ['METHOD_UNSUPPORTED'],
      cha_U: ['ACCOUNT_DISABLED', 'METHOD_UNSUPPORTED'],
      cha_W: ['AMOUNT_ABOVE_MAX'],
    });
    expect(error.trace.every((entry) => entry.outcome === 'DROPPED' && entry.rank === null)).toBe(
      true,
    );
    expect(
      error.trace.find((entry) => entry.channelAccountId === 'cha_W')!.reasons[0].message,
    ).toBe("30000.00 CNY is above the account's per-transaction maximum of 20000.00 CNY.");
  });

  it('treats the limits as inclusive: exactly the minimum and exactly the maximum are kept', () => {
    const limited = account({ id: 'cha_L', minAmountMinor: 100, maxAmountMinor: 500 });
    const ctx = (minor: number) => context(request('ALIPAY', minor), { accounts: [limited] });
    expect(strategy.decide(ctx(100)).chosen.channelAccountId).toBe('cha_L');
    expect(strategy.decide(ctx(500)).chosen.channelAccountId).toBe('cha_L');
    expect(reasonCodes(noChannel(ctx(99)).trace)).toEqual({ cha_L: ['AMOUNT_BELOW_MIN'] });
    expect(reasonCodes(noChannel(ctx(501)).trace)).toEqual({ cha_L: ['AMOUNT_ABOVE_MAX'] });
  });

  it('drops an account whose channel is switched off, even when the account itself is enabled', () => {
    const channels = CHANNELS.map((channel) =>
      channel.code === 'ALIPAY' ? { ...channel, enabled: false } : channel,
    );
    const error = noChannel(context(request('ALIPAY', 100), { channels, accounts: [ALIPAY] }));
    expect(reasonCodes(error.trace)).toEqual({ cha_A: ['CHANNEL_DISABLED'] });
  });

  it('drops an account of a channel missing from the catalogue', () => {
    const error = noChannel(
      context(request('ALIPAY', 100), { channels: CHANNELS.slice(1), accounts: [ALIPAY] }),
    );
    expect(reasonCodes(error.trace)).toEqual({ cha_A: ['CHANNEL_UNKNOWN'] });
  });

  it('drops on currency: the channel does not accept it, or the account settles in another one', () => {
    expect(
      reasonCodes(noChannel(context(request('ALIPAY', 100, 'USD'), { accounts: [ALIPAY] })).trace),
    ).toEqual({
      cha_A: ['CURRENCY_UNSUPPORTED'],
    });
    // UnionPay takes HKD, but this account settles in CNY; its CNY limits are not compared with HKD.
    const unionPay = account({ id: 'cha_U2', channel: 'UNIONPAY', maxAmountMinor: 1 });
    const error = noChannel(context(request('UNIONPAY', 10_000, 'HKD'), { accounts: [unionPay] }));
    expect(reasonCodes(error.trace)).toEqual({ cha_U2: ['CURRENCY_UNSUPPORTED'] });
    expect(error.trace[0].reasons[0].message).toContain('settles in CNY, not HKD');
  });

  it('lists every reason a candidate fails, not just the first', () => {
    const channels = CHANNELS.map((channel) => ({ ...channel, enabled: false }));
    const broken = account({ id: 'cha_X', enabled: false, maxAmountMinor: 10 });
    const error = noChannel(
      context(request('WECHAT_PAY', 100_000), { channels, accounts: [broken] }),
    );
    expect(reasonCodes(error.trace)).toEqual({
      cha_X: ['ACCOUNT_DISABLED', 'CHANNEL_DISABLED', 'METHOD_UNSUPPORTED', 'AMOUNT_ABOVE_MAX'],
    });
  });

  it('ranks the kept accounts by lowest merchant fee when priorities tie, and the rest are fallbacks in order', () => {
    const accounts = [
      account({ id: 'cha_3', merchantFeePpm: 6_000 }),
      account({ id: 'cha_1', merchantFeePpm: 3_800 }),
      account({ id: 'cha_2', merchantFeePpm: 5_500 }),
    ];
    const result = strategy.decide(context(request('ALIPAY', 10_001), { accounts }));
    expect([result.chosen, ...result.fallbacks].map((c) => c.channelAccountId)).toEqual([
      'cha_1',
      'cha_2',
      'cha_3',
    ]);
    expect(
      result.trace.map((entry) => [entry.channelAccountId, entry.rank, entry.reasons.at(-1)!.code]),
    ).toEqual([
      ['cha_1', 1, 'CHOSEN'],
      ['cha_2', 2, 'FALLBACK'],
      ['cha_3', 3, 'FALLBACK'],
    ]);
    // 10 001 fen × 0.38 % = 38.0038 fen → 38 (HALF_UP).
    expect(result.chosen.estimatedMerchantFee).toEqual({ amountMinor: 38, currency: 'CNY' });
  });

  it("ranks by the account's own priority before fee, and by id when priority and fee tie", () => {
    const accounts = [
      account({ id: 'cha_cheap', merchantFeePpm: 1_000, priority: 200 }),
      account({ id: 'cha_b', merchantFeePpm: 6_000, priority: 50 }),
      account({ id: 'cha_a', merchantFeePpm: 6_000, priority: 50 }),
    ];
    const result = strategy.decide(context(request('ALIPAY', 100), { accounts }));
    expect([result.chosen, ...result.fallbacks].map((c) => c.channelAccountId)).toEqual([
      'cha_a',
      'cha_b',
      'cha_cheap',
    ]);
  });

  describe('routing rules', () => {
    const unionQr: ChannelSnapshot = {
      code: 'UNIONPAY',
      name: 'UnionPay QR',
      enabled: true,
      // A UnionPay QR code can also be scanned from the Alipay app (云闪付互通).
      supportedMethods: ['UNIONPAY', 'ALIPAY'],
      supportedCurrencies: ['CNY'],
    };
    const channels = [CHANNELS[0], CHANNELS[1], unionQr];
    const alipay = account({ id: 'cha_A', channel: 'ALIPAY', merchantFeePpm: 5_500 });
    const union = account({ id: 'cha_U', channel: 'UNIONPAY', merchantFeePpm: 6_000 });
    const rule = (r: Partial<RoutingRuleSnapshot> & { id: string }): RoutingRuleSnapshot => ({
      merchantId: null,
      method: 'ALIPAY',
      preferredChannel: 'UNIONPAY',
      priority: 10,
      ...r,
    });
    const decide = (rules: RoutingRuleSnapshot[], method: RouteRequest['method'] = 'ALIPAY') =>
      strategy.decide(
        context(request(method, 100), { channels, accounts: [alipay, union], rules }),
      );

    it('without rules, the cheaper account wins', () => {
      expect(decide([]).chosen.channelAccountId).toBe('cha_A');
    });

    it('a global rule preferring a channel moves it ahead of a cheaper one, and the trace names the rule', () => {
      const result = decide([rule({ id: '1' })]);
      expect(result.chosen).toMatchObject({
        channelAccountId: 'cha_U',
        priority: 10,
        prioritySource: 'RULE',
        ruleId: '1',
      });
      expect(result.fallbacks.map((c) => c.channelAccountId)).toEqual(['cha_A']);
      expect(reasonCodes(result.trace)).toEqual({
        cha_U: ['ELIGIBLE', 'RULE_PRIORITY', 'CHOSEN'],
        cha_A: ['ELIGIBLE', 'DEFAULT_PRIORITY', 'FALLBACK'],
      });
      expect(result.trace[0].reasons[1].message).toContain('Global rule 1');
    });

    it("a rule for another method, or another merchant's rule, changes nothing", () => {
      expect(decide([rule({ id: '1', method: 'UNIONPAY' })]).chosen.channelAccountId).toBe('cha_A');
      expect(decide([rule({ id: '1', merchantId: OTHER_MERCHANT })]).chosen.channelAccountId).toBe(
        'cha_A',
      );
    });

    it("the merchant's own rules for a method replace the global ones for it", () => {
      const result = decide([
        rule({ id: '1', priority: 1 }),
        rule({ id: '2', merchantId: MERCHANT, preferredChannel: 'ALIPAY', priority: 20 }),
      ]);
      expect(result.chosen).toMatchObject({ channelAccountId: 'cha_A', ruleId: '2', priority: 20 });
      // The global rule is not in force, so UNIONPAY falls back to its account priority 100.
      expect(result.fallbacks[0]).toMatchObject({
        channelAccountId: 'cha_U',
        prioritySource: 'ACCOUNT',
        priority: 100,
      });
    });

    it('of several matching rules the lowest priority applies', () => {
      const result = decide([rule({ id: '1', priority: 30 }), rule({ id: '2', priority: 5 })]);
      expect(result.chosen).toMatchObject({ channelAccountId: 'cha_U', ruleId: '2', priority: 5 });
    });

    it('a rule cannot rescue a dropped candidate', () => {
      const result = decide([rule({ id: '1', preferredChannel: 'WECHAT_PAY', method: 'ALIPAY' })]);
      expect(result.chosen.channelAccountId).toBe('cha_A');
      expect(result.trace.map((entry) => entry.channelAccountId)).not.toContain('cha_W');
    });
  });

  it("never considers or traces another merchant's accounts", () => {
    const foreign = account({ id: 'cha_0foreign', merchantId: OTHER_MERCHANT, merchantFeePpm: 1 });
    const result = strategy.decide(
      context(request('ALIPAY', 100), { accounts: [foreign, ALIPAY] }),
    );
    expect(result.chosen.channelAccountId).toBe('cha_A');
    expect(result.trace.map((entry) => entry.channelAccountId)).toEqual(['cha_A']);
  });

  it('is deterministic: the order the accounts arrive in does not matter', () => {
    const accounts = [ALIPAY, WECHAT, UNIONPAY, account({ id: 'cha_A2', merchantFeePpm: 5_500 })];
    const forward = strategy.decide(context(request('ALIPAY', 100), { accounts }));
    const backward = strategy.decide(
      context(request('ALIPAY', 100), { accounts: [...accounts].reverse() }),
    );
    expect(backward).toEqual(forward);
    expect(forward.trace.map((entry) => entry.channelAccountId)).toEqual([
      'cha_A',
      'cha_A2',
      'cha_U',
      'cha_W',
    ]);
  });
});
