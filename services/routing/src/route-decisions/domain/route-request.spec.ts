import { PriorityThenFeeStrategy } from './priority-fee-strategy';
import { decideRoute, toRouteRequest, type RouteRequestInput } from './route-request';
import { RoutingError } from './routing-error';

const MERCHANT = 'mch_01M85DMB00EHTE541GQYE3T4TJ';
const input = (amountMinor: number, currency = 'CNY'): RouteRequestInput => ({
  merchantId: MERCHANT,
  method: 'ALIPAY',
  amount: { amountMinor, currency },
});

function errorOf(work: () => unknown): RoutingError {
  try {
    work();
  } catch (error) {
    if (error instanceof RoutingError) return error;
    throw error;
  }
  throw new Error('expected a RoutingError');
}

describe('toRouteRequest', () => {
  it('turns a valid input into a Money amount, keeping the device when given', () => {
    const request = toRouteRequest({ ...input(1), device: 'MOBILE' });
    expect(request.amount.toJSON()).toEqual({ amountMinor: 1, currency: 'CNY' });
    expect(request.device).toBe('MOBILE');
    expect('device' in toRouteRequest(input(1))).toBe(false);
  });

  it.each([0, -1, -0, 1.5, Number.MAX_SAFE_INTEGER + 1, Number.NaN])(
    'rejects amountMinor %p as ROUTING.INVALID_AMOUNT on amount.amountMinor',
    (amountMinor) => {
      const error = errorOf(() => toRouteRequest(input(amountMinor)));
      expect({ code: error.code, param: error.param }).toEqual({
        code: 'ROUTING.INVALID_AMOUNT',
        param: 'amount.amountMinor',
      });
    },
  );

  it.each(['XYZ', 'cny', '', 'toString'])(
    'rejects currency %p as ROUTING.UNKNOWN_CURRENCY on amount.currency',
    (currency) => {
      const error = errorOf(() => toRouteRequest(input(100, currency)));
      expect({ code: error.code, param: error.param }).toEqual({
        code: 'ROUTING.UNKNOWN_CURRENCY',
        param: 'amount.currency',
      });
    },
  );

  it('accepts a known currency no channel takes: refusing it is the trace’s job, not validation’s', () => {
    expect(toRouteRequest(input(100, 'USD')).amount.currency).toBe('USD');
  });
});

describe('decideRoute', () => {
  it('refuses a merchant without channel accounts with its own code, before any strategy runs', () => {
    const decide = jest.fn();
    const error = errorOf(() =>
      decideRoute(
        { name: 'SPY', decide },
        {
          request: toRouteRequest(input(100)),
          channels: [],
          accounts: [
            {
              id: 'cha_foreign',
              merchantId: 'mch_01M85DMB00EHTE541GQYE3T4ZZ',
              channel: 'ALIPAY',
              channelMerchantNo: '2088',
              enabled: true,
              currency: 'CNY',
              minAmountMinor: 1,
              maxAmountMinor: 100,
              merchantFeePpm: 0,
              priority: 1,
            },
          ],
          rules: [],
        },
      ),
    );
    expect({ code: error.code, param: error.param }).toEqual({
      code: 'ROUTING.MERCHANT_HAS_NO_CHANNEL_ACCOUNTS',
      param: 'merchantId',
    });
    expect(decide).not.toHaveBeenCalled();
  });

  it('otherwise hands the context to the strategy', () => {
    const result = decideRoute(new PriorityThenFeeStrategy(), {
      request: toRouteRequest(input(100)),
      channels: [
        {
          code: 'ALIPAY',
          name: 'Alipay',
          enabled: true,
          supportedMethods: ['ALIPAY'],
          supportedCurrencies: ['CNY'],
        },
      ],
      accounts: [
        {
          id: 'cha_1',
          merchantId: MERCHANT,
          channel: 'ALIPAY',
          channelMerchantNo: '2088',
          enabled: true,
          currency: 'CNY',
          minAmountMinor: 1,
          maxAmountMinor: 100,
          merchantFeePpm: 0,
          priority: 1,
        },
      ],
      rules: [],
    });
    expect(result.chosen.channelAccountId).toBe('cha_1');
  });
});
