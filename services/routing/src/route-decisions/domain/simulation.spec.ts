import { Money } from '@paylab/money';
import { PriorityThenFeeStrategy } from './priority-fee-strategy';
import type { ChannelAccountSnapshot, RoutingContext } from './route-model';
import { RoutingError } from './routing-error';
import { applyOverrides, simulateRoute, type RoutingOverrides } from './simulation';

const MERCHANT = 'mch_01M85DMB00EHTE541GQYE3T4TJ';
const base: Omit<ChannelAccountSnapshot, 'id' | 'channel'> = {
  merchantId: MERCHANT,
  channelMerchantNo: 'n',
  enabled: true,
  currency: 'CNY',
  minAmountMinor: 1,
  maxAmountMinor: 5_000_000,
  merchantFeePpm: 6_000,
  priority: 100,
};
const context: RoutingContext = {
  request: { merchantId: MERCHANT, method: 'ALIPAY', amount: Money.of(100, 'CNY') },
  channels: [
    {
      code: 'ALIPAY',
      name: 'Alipay',
      enabled: true,
      supportedMethods: ['ALIPAY'],
      supportedCurrencies: ['CNY'],
    },
    {
      code: 'UNIONPAY',
      name: 'UnionPay',
      enabled: false,
      supportedMethods: ['UNIONPAY', 'ALIPAY'],
      supportedCurrencies: ['CNY'],
    },
  ],
  accounts: [
    { ...base, id: 'cha_A', channel: 'ALIPAY', merchantFeePpm: 5_500 },
    { ...base, id: 'cha_A2', channel: 'ALIPAY', merchantFeePpm: 6_000 },
    { ...base, id: 'cha_U', channel: 'UNIONPAY', merchantFeePpm: 3_800, enabled: false },
    { ...base, id: 'cha_foreign', channel: 'ALIPAY', merchantId: 'mch_01M85DMB00EHTE541GQYE3T4ZZ' },
  ],
  rules: [],
};
const strategy = new PriorityThenFeeStrategy();
const simulate = (overrides: RoutingOverrides) => simulateRoute(strategy, context, overrides);

function errorOf(work: () => unknown): RoutingError {
  try {
    work();
  } catch (error) {
    if (error instanceof RoutingError) return error;
    throw error;
  }
  throw new Error('expected a RoutingError');
}

describe('simulateRoute (what-if, 模拟)', () => {
  it('without overrides it answers exactly like the real decision', () => {
    const real = strategy.decide(context);
    expect(simulate({})).toEqual({ outcome: 'ROUTED', ...real });
  });

  it('disabling the chosen account promotes its fallback, and the trace notes the override', () => {
    const result = simulate({ disabledChannelAccounts: ['cha_A'] });
    expect(result.chosen?.channelAccountId).toBe('cha_A2');
    const traced = result.trace.find((entry) => entry.channelAccountId === 'cha_A')!;
    expect(traced.outcome).toBe('DROPPED');
    expect(traced.reasons.map((reason) => reason.code)).toEqual([
      'ACCOUNT_DISABLED',
      'SIMULATED_OVERRIDE',
    ]);
    expect(traced.reasons[1].message).toBe(
      'Simulation: account cha_A treated as disabled (actually enabled).',
    );
  });

  it('enabling a disabled channel and account makes the cheaper UnionPay account win', () => {
    const result = simulate({ enabledChannels: ['UNIONPAY'], enabledChannelAccounts: ['cha_U'] });
    expect(result.chosen?.channelAccountId).toBe('cha_U');
    expect(result.trace[0].reasons.map((reason) => reason.code)).toEqual([
      'ELIGIBLE',
      'DEFAULT_PRIORITY',
      'CHOSEN',
      'SIMULATED_OVERRIDE',
      'SIMULATED_OVERRIDE',
    ]);
  });

  it('reports "no channel" as an outcome, with the trace, instead of throwing', () => {
    const result = simulate({ disabledChannels: ['ALIPAY'] });
    expect(result).toMatchObject({ outcome: 'NO_CHANNEL_AVAILABLE', chosen: null, fallbacks: [] });
    expect(result.trace.map((entry) => entry.outcome)).toEqual(['DROPPED', 'DROPPED', 'DROPPED']);
  });

  it('never changes the context it was given', () => {
    const snapshot = JSON.stringify(context);
    simulate({ disabledChannels: ['ALIPAY'], enabledChannelAccounts: ['cha_U'] });
    expect(JSON.stringify(context)).toBe(snapshot);
  });

  it.each<[string, RoutingOverrides, string, string]>([
    [
      'enables and disables one channel',
      { disabledChannels: ['ALIPAY'], enabledChannels: ['ALIPAY'] },
      'ROUTING.CONFLICTING_OVERRIDES',
      'overrides.enabledChannels',
    ],
    [
      'enables and disables one account',
      { disabledChannelAccounts: ['cha_A'], enabledChannelAccounts: ['cha_A'] },
      'ROUTING.CONFLICTING_OVERRIDES',
      'overrides.enabledChannelAccounts',
    ],
    [
      'names a channel outside the catalogue',
      { disabledChannels: ['WECHAT_PAY'] },
      'ROUTING.UNKNOWN_CHANNEL',
      'overrides.disabledChannels',
    ],
    [
      'names an account that does not exist',
      { enabledChannelAccounts: ['cha_nope'] },
      'ROUTING.UNKNOWN_CHANNEL_ACCOUNT',
      'overrides.enabledChannelAccounts',
    ],
    [
      "names another merchant's account",
      { disabledChannelAccounts: ['cha_foreign'] },
      'ROUTING.UNKNOWN_CHANNEL_ACCOUNT',
      'overrides.disabledChannelAccounts',
    ],
  ])('refuses overrides that %s', (_name, overrides, code, param) => {
    const error = errorOf(() => applyOverrides(context, overrides));
    expect({ code: error.code, param: error.param }).toEqual({ code, param });
  });
});
