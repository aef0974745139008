import { Money, Rate } from '@paylab/money';
import {
  assertRoundingPolicy,
  CLEARING_ROUNDING_POLICY,
  ClearingRoundingPolicy,
  FeeSchedule,
  feeSchedule,
  quoteChannelCost,
  quoteMerchantFee,
} from './fee-schedule';

const cny = (fen: number) => Money.of(fen, 'CNY');
const withCode = (code: string) => expect.objectContaining({ code });

/** 0.60 % merchant rate, 0.38 % channel cost: a typical 聚合支付 scan-to-pay schedule. */
const STANDARD: FeeSchedule = {
  merchantFeeRate: Rate.percentString('0.60%'),
  channelCostRate: Rate.percentString('0.38%'),
};

describe('CLEARING_ROUNDING_POLICY', () => {
  it('rounds both the merchant fee and the channel cost half-up (四舍五入)', () => {
    expect(CLEARING_ROUNDING_POLICY).toEqual({ merchantFee: 'HALF_UP', channelCost: 'HALF_UP' });
  });

  it('cannot be changed at runtime', () => {
    expect(Object.isFrozen(CLEARING_ROUNDING_POLICY)).toBe(true);
  });
});

describe('quoteMerchantFee', () => {
  it.each([
    [1, 0], // ¥0.01 × 0.60 % = 0.006 fen
    [83, 0], // 0.498 fen
    [84, 1], // 0.504 fen
    [100, 1], // ¥1.00: 0.6 fen
    [250, 2], // 1.5 fen: an exact half goes up
    [10_000, 60], // ¥100.00
    [12_345, 74], // 74.07 fen
  ])('%i fen at 0.60%% is %i fen', (gross, fee) => {
    expect(quoteMerchantFee(cny(gross), STANDARD).fee).toEqual(cny(fee));
  });

  it('uses the rounding mode it is given', () => {
    const up: ClearingRoundingPolicy = { merchantFee: 'UP', channelCost: 'HALF_UP' };
    const down: ClearingRoundingPolicy = { merchantFee: 'DOWN', channelCost: 'HALF_UP' };
    const even: ClearingRoundingPolicy = { merchantFee: 'HALF_EVEN', channelCost: 'HALF_UP' };
    expect(quoteMerchantFee(cny(1), STANDARD, up).fee).toEqual(cny(1));
    expect(quoteMerchantFee(cny(100), STANDARD, down).fee).toEqual(cny(0));
    expect(quoteMerchantFee(cny(250), STANDARD, even).fee).toEqual(cny(2));
    expect(quoteMerchantFee(cny(250), STANDARD, up).fee).toEqual(cny(2));
    expect(quoteMerchantFee(cny(417), STANDARD, even).fee).toEqual(cny(3)); // 2.502 → 3
  });

  it('charges the minimum fee when the rate-based fee is below it', () => {
    const schedule = { ...STANDARD, minimumMerchantFee: cny(10) };
    expect(quoteMerchantFee(cny(1_000), schedule)).toEqual({
      fee: cny(10),
      minimumFeeApplied: true,
      cappedAtGross: false,
    });
  });

  it('applies the minimum after rounding, and not when the rounded fee reaches it', () => {
    const schedule = { ...STANDARD, minimumMerchantFee: cny(10) };
    // 1 584 × 0.6 % = 9.504 → 10 fen: equal to the minimum, so the minimum did not apply.
    expect(quoteMerchantFee(cny(1_584), schedule)).toEqual({
      fee: cny(10),
      minimumFeeApplied: false,
      cappedAtGross: false,
    });
    expect(quoteMerchantFee(cny(1_583), schedule).minimumFeeApplied).toBe(true); // 9.498 → 9
    expect(quoteMerchantFee(cny(10_000), schedule).fee).toEqual(cny(60));
  });

  it('caps the fee at the gross amount when the minimum exceeds the payment', () => {
    const schedule = { ...STANDARD, minimumMerchantFee: cny(10) };
    expect(quoteMerchantFee(cny(7), schedule)).toEqual({
      fee: cny(7),
      minimumFeeApplied: true,
      cappedAtGross: true,
    });
  });

  it('treats a zero minimum as no minimum', () => {
    const quote = quoteMerchantFee(cny(1), { ...STANDARD, minimumMerchantFee: cny(0) });
    expect(quote).toEqual({ fee: cny(0), minimumFeeApplied: false, cappedAtGross: false });
  });

  it('takes the whole amount at a 100 % rate and nothing at 0 %', () => {
    const all = { merchantFeeRate: Rate.ONE, channelCostRate: Rate.ZERO };
    expect(quoteMerchantFee(cny(999), all).fee).toEqual(cny(999));
    expect(quoteMerchantFee(cny(999), { ...all, merchantFeeRate: Rate.ZERO }).fee).toEqual(cny(0));
  });

  it('works in a currency without minor units', () => {
    // ¥83 (JPY) × 0.60 % = 0.498 yen → 0; ¥84 → 0.504 → 1.
    expect(quoteMerchantFee(Money.of(83, 'JPY'), STANDARD).fee).toEqual(Money.of(0, 'JPY'));
    expect(quoteMerchantFee(Money.of(84, 'JPY'), STANDARD).fee).toEqual(Money.of(1, 'JPY'));
  });

  it('is exact for amounts where amount × ppm exceeds 2^53', () => {
    // 9 007 199 254 740 991 × 6 000 / 10^6 = 54 043 195 528 445.946 → …446
    const gross = cny(Number.MAX_SAFE_INTEGER);
    expect(quoteMerchantFee(gross, STANDARD).fee).toEqual(cny(54_043_195_528_446));
  });

  it.each([0, -1, -10_000])('rejects a gross of %i fen', (gross) => {
    expect(() => quoteMerchantFee(cny(gross), STANDARD)).toThrow(
      withCode('CLEARING.NON_POSITIVE_GROSS'),
    );
  });

  it.each([
    ['a number', 100],
    ['a plain object', { amountMinor: 100, currency: 'CNY' }],
    ['null', null],
    ['undefined', undefined],
  ])('rejects a gross that is %s', (_label, gross) => {
    expect(() => quoteMerchantFee(gross as unknown as Money, STANDARD)).toThrow(
      withCode('CLEARING.INVALID_AMOUNT'),
    );
  });

  it('rejects a minimum fee in another currency', () => {
    const schedule = { ...STANDARD, minimumMerchantFee: Money.of(10, 'USD') };
    expect(() => quoteMerchantFee(cny(100), schedule)).toThrow(
      withCode('CLEARING.CURRENCY_MISMATCH'),
    );
  });

  it.each<[string, unknown]>([
    ['missing', undefined],
    ['null', null],
    ['a rate given as a float', { ...STANDARD, merchantFeeRate: 0.006 }],
    ['a rate given as ppm', { ...STANDARD, merchantFeeRate: 6000 }],
    ['a channel rate given as a string', { ...STANDARD, channelCostRate: '0.38%' }],
    ['a missing channel rate', { merchantFeeRate: STANDARD.merchantFeeRate }],
    ['a negative minimum', { ...STANDARD, minimumMerchantFee: cny(-1) }],
    ['a minimum given as a number', { ...STANDARD, minimumMerchantFee: 10 }],
  ])('rejects a fee schedule that is %s', (_label, schedule) => {
    expect(() => quoteMerchantFee(cny(100), schedule as FeeSchedule)).toThrow(
      withCode('CLEARING.INVALID_FEE_SCHEDULE'),
    );
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['a string', 'HALF_UP'],
    ['missing a mode', { merchantFee: 'HALF_UP' }],
    ['lower-case', { merchantFee: 'half_up', channelCost: 'HALF_UP' }],
    ['unknown', { merchantFee: 'HALF_UP', channelCost: 'ROUND' }],
  ])('rejects a rounding policy that is %s', (_label, policy) => {
    expect(() => quoteMerchantFee(cny(100), STANDARD, policy as ClearingRoundingPolicy)).toThrow(
      withCode('CLEARING.INVALID_ROUNDING_POLICY'),
    );
  });
});

describe('quoteChannelCost', () => {
  it.each([
    [1, 0], // 0.0038 fen
    [100, 0], // 0.38 fen
    [132, 1], // 0.5016 fen
    [131, 0], // 0.4978 fen
    [10_000, 38], // ¥100.00
  ])('%i fen at 0.38%% is %i fen', (gross, cost) => {
    expect(quoteChannelCost(cny(gross), STANDARD)).toEqual(cny(cost));
  });

  it('uses the channel-cost mode, not the merchant-fee mode', () => {
    const policy: ClearingRoundingPolicy = { merchantFee: 'HALF_UP', channelCost: 'UP' };
    expect(quoteChannelCost(cny(1), STANDARD, policy)).toEqual(cny(1));
    expect(quoteMerchantFee(cny(1), STANDARD, policy).fee).toEqual(cny(0));
  });

  it('ignores the minimum merchant fee', () => {
    expect(quoteChannelCost(cny(100), { ...STANDARD, minimumMerchantFee: cny(50) })).toEqual(
      cny(0),
    );
  });

  it('validates its inputs like the merchant fee', () => {
    expect(() => quoteChannelCost(cny(0), STANDARD)).toThrow(
      withCode('CLEARING.NON_POSITIVE_GROSS'),
    );
    expect(() =>
      quoteChannelCost(cny(1), { ...STANDARD, channelCostRate: 0.0038 as unknown as Rate }),
    ).toThrow(withCode('CLEARING.INVALID_FEE_SCHEDULE'));
    expect(() =>
      quoteChannelCost(cny(1), STANDARD, {
        merchantFee: 'HALF_UP',
        channelCost: 'NEAREST' as never,
      }),
    ).toThrow(withCode('CLEARING.INVALID_ROUNDING_POLICY'));
  });
});

describe('feeSchedule', () => {
  it('returns a frozen copy with the same rates', () => {
    const schedule = feeSchedule({ ...STANDARD, minimumMerchantFee: cny(10) });
    expect(Object.isFrozen(schedule)).toBe(true);
    expect(schedule.merchantFeeRate.toPpm()).toBe(6000);
    expect(schedule.channelCostRate.toPpm()).toBe(3800);
    expect(schedule.minimumMerchantFee).toEqual(cny(10));
  });

  it('leaves out an absent minimum rather than storing undefined', () => {
    expect(Object.keys(feeSchedule(STANDARD)).sort()).toEqual([
      'channelCostRate',
      'merchantFeeRate',
    ]);
  });

  it('rejects an invalid schedule', () => {
    expect(() => feeSchedule({ ...STANDARD, minimumMerchantFee: cny(-5) })).toThrow(
      withCode('CLEARING.INVALID_FEE_SCHEDULE'),
    );
  });
});

describe('assertRoundingPolicy', () => {
  it('accepts every supported mode', () => {
    for (const mode of ['HALF_UP', 'HALF_EVEN', 'DOWN', 'UP', 'FLOOR', 'CEILING'] as const) {
      expect(() => assertRoundingPolicy({ merchantFee: mode, channelCost: mode })).not.toThrow();
    }
  });
});
