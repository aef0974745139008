import { isId, newId } from '@paylab/ids';
import { Money, Rate } from '@paylab/money';
import {
  assertClearingInvariants,
  clearPayment,
  clearRefund,
  ClearingResult,
  RefundClearing,
} from './clearing';
import { FeeSchedule } from './fee-schedule';

const cny = (fen: number) => Money.of(fen, 'CNY');
const withCode = (code: string) => expect.objectContaining({ code });

const STANDARD: FeeSchedule = {
  merchantFeeRate: Rate.percentString('0.60%'),
  channelCostRate: Rate.percentString('0.38%'),
};

const clear = (grossFen: number, schedule: FeeSchedule = STANDARD) =>
  clearPayment({ gross: cny(grossFen), schedule });

/** Refunds `parts` (in fen) of `original` one after the other, each seeing the ones before. */
function refundInParts(original: ClearingResult, parts: number[]): RefundClearing[] {
  const done: RefundClearing[] = [];
  for (const part of parts) {
    done.push(clearRefund(cny(part), original, done));
  }
  return done;
}

const sum = (amounts: Money[]) => amounts.reduce((total, amount) => total.add(amount), cny(0));

describe('clearPayment', () => {
  it('clears ¥100.00 at 0.60 % / 0.38 %: fee 60, cost 38, margin 22, net 9 940 fen', () => {
    const result = clear(10_000);
    expect(result).toMatchObject({
      gross: cny(10_000),
      merchantFee: cny(60),
      channelCost: cny(38),
      platformMargin: cny(22),
      merchantNet: cny(9_940),
      marginNegative: false,
      minimumFeeApplied: false,
      feeCappedAtGross: false,
      rounding: { merchantFee: 'HALF_UP', channelCost: 'HALF_UP' },
    });
    expect(result.merchantFeeRate.toPpm()).toBe(6000);
    expect(result.channelCostRate.toPpm()).toBe(3800);
  });

  it('clears ¥0.01 with no fee at all', () => {
    expect(clear(1)).toMatchObject({
      merchantFee: cny(0),
      channelCost: cny(0),
      platformMargin: cny(0),
      merchantNet: cny(1),
      marginNegative: false,
    });
  });

  it('clears ¥1.00 with a 1 fen fee and no channel cost', () => {
    expect(clear(100)).toMatchObject({
      merchantFee: cny(1),
      channelCost: cny(0),
      platformMargin: cny(1),
      merchantNet: cny(99),
    });
  });

  it('flags a negative margin when the platform subsidises the merchant', () => {
    const subsidised = { merchantFeeRate: Rate.ZERO, channelCostRate: STANDARD.channelCostRate };
    const result = clear(10_000, subsidised);
    expect(result).toMatchObject({
      merchantFee: cny(0),
      channelCost: cny(38),
      platformMargin: cny(-38),
      merchantNet: cny(10_000),
      marginNegative: true,
    });
  });

  it('does not flag a zero margin as negative', () => {
    const atCost = { merchantFeeRate: Rate.bps(38), channelCostRate: Rate.bps(38) };
    expect(clear(10_000, atCost)).toMatchObject({
      platformMargin: cny(0),
      marginNegative: false,
    });
  });

  it('applies the minimum fee and caps it at the gross amount', () => {
    const schedule = { ...STANDARD, minimumMerchantFee: cny(10) };
    expect(clear(1_000, schedule)).toMatchObject({
      merchantFee: cny(10),
      merchantNet: cny(990),
      platformMargin: cny(6), // cost 3.8 → 4 fen
      minimumFeeApplied: true,
      feeCappedAtGross: false,
    });
    expect(clear(7, schedule)).toMatchObject({
      merchantFee: cny(7),
      merchantNet: cny(0),
      minimumFeeApplied: true,
      feeCappedAtGross: true,
    });
  });

  it('uses a rounding policy it is given and records it', () => {
    const result = clearPayment({
      gross: cny(100),
      schedule: STANDARD,
      rounding: { merchantFee: 'DOWN', channelCost: 'UP' },
    });
    expect(result).toMatchObject({
      merchantFee: cny(0),
      channelCost: cny(1),
      platformMargin: cny(-1),
      rounding: { merchantFee: 'DOWN', channelCost: 'UP' },
    });
  });

  it('gives each clearing a new clr_ id, or the one it is given', () => {
    const first = clear(100);
    const second = clear(100);
    expect(isId(first.clearingId, 'clr')).toBe(true);
    expect(second.clearingId).not.toBe(first.clearingId);
    const reserved = newId('clr');
    expect(
      clearPayment({ gross: cny(100), schedule: STANDARD, clearingId: reserved }).clearingId,
    ).toBe(reserved);
  });

  it.each(['pay_01J9Z8Q4V6X2K7M3N5P8R0S1T2', 'clr_123', '', 'clr_01j9z8q4v6x2k7m3n5p8r0s1t2'])(
    'rejects the clearing id %p',
    (clearingId) => {
      expect(() => clearPayment({ gross: cny(100), schedule: STANDARD, clearingId })).toThrow(
        withCode('CLEARING.INVALID_ID'),
      );
    },
  );

  it('returns a frozen result', () => {
    const result = clear(10_000);
    expect(Object.isFrozen(result)).toBe(true);
    expect(Object.isFrozen(result.rounding)).toBe(true);
  });

  it('does not keep a reference to a caller-owned rounding policy', () => {
    const policy = { merchantFee: 'HALF_UP' as const, channelCost: 'HALF_UP' as const };
    const result = clearPayment({ gross: cny(100), schedule: STANDARD, rounding: policy });
    expect(result.rounding).not.toBe(policy);
  });

  it.each([0, -1, -10_000])('rejects a gross of %i fen', (gross) => {
    expect(() => clear(gross)).toThrow(withCode('CLEARING.NON_POSITIVE_GROSS'));
  });

  it('rejects a gross that is not Money', () => {
    expect(() => clearPayment({ gross: 10_000 as unknown as Money, schedule: STANDARD })).toThrow(
      withCode('CLEARING.INVALID_AMOUNT'),
    );
  });

  it('rejects a missing input', () => {
    expect(() => clearPayment(undefined as never)).toThrow(withCode('CLEARING.INVALID_AMOUNT'));
  });

  it('rejects a minimum fee in another currency than the payment', () => {
    expect(() =>
      clearPayment({
        gross: Money.of(10_000, 'USD'),
        schedule: { ...STANDARD, minimumMerchantFee: cny(10) },
      }),
    ).toThrow(withCode('CLEARING.CURRENCY_MISMATCH'));
  });

  it('rejects an invalid schedule or policy', () => {
    expect(() =>
      clearPayment({ gross: cny(100), schedule: { ...STANDARD, merchantFeeRate: 0.006 as never } }),
    ).toThrow(withCode('CLEARING.INVALID_FEE_SCHEDULE'));
    expect(() =>
      clearPayment({
        gross: cny(100),
        schedule: STANDARD,
        rounding: { merchantFee: 'HALF_UP', channelCost: 'BANKERS' as never },
      }),
    ).toThrow(withCode('CLEARING.INVALID_ROUNDING_POLICY'));
  });
});

describe('assertClearingInvariants', () => {
  const valid = clear(10_000);
  const broken = (patch: Partial<Record<keyof ClearingResult, unknown>>) =>
    ({ ...valid, ...patch }) as ClearingResult;

  it('accepts a result built by clearPayment', () => {
    expect(() => assertClearingInvariants(valid)).not.toThrow();
  });

  it.each<[string, Partial<Record<keyof ClearingResult, unknown>>]>([
    [
      'a fee above gross',
      { merchantFee: cny(10_001), merchantNet: cny(-1), platformMargin: cny(9_963) },
    ],
    [
      'a negative fee',
      { merchantFee: cny(-1), merchantNet: cny(10_001), platformMargin: cny(-39) },
    ],
    ['a zero gross', { gross: cny(0) }],
    ['a negative gross', { gross: cny(-10_000) }],
    ['a net that does not add up', { merchantNet: cny(9_941) }],
    ['a margin that does not add up', { platformMargin: cny(21) }],
    ['a wrong negative-margin flag', { marginNegative: true }],
    ['a negative channel cost', { channelCost: cny(-1), platformMargin: cny(61) }],
    ['a channel cost above gross', { channelCost: cny(10_001), platformMargin: cny(-9_941) }],
    ['a fee in another currency', { merchantFee: Money.of(60, 'USD') }],
    ['a net in another currency', { merchantNet: Money.of(9_940, 'USD') }],
    ['an amount that is not Money', { channelCost: 38 }],
    ['a missing amount', { platformMargin: undefined }],
    ['a clearing id of another kind', { clearingId: newId('pay') }],
    ['an invalid rounding policy', { rounding: { merchantFee: 'HALF_UP', channelCost: 'X' } }],
    ['a missing rounding policy', { rounding: undefined }],
  ])('rejects %s', (_label, patch) => {
    expect(() => assertClearingInvariants(broken(patch))).toThrow(
      withCode('CLEARING.INVARIANT_VIOLATED'),
    );
  });

  it('rejects a missing result', () => {
    expect(() => assertClearingInvariants(null as never)).toThrow(
      withCode('CLEARING.INVARIANT_VIOLATED'),
    );
  });
});

describe('clearRefund', () => {
  it('refunds the whole fee and cost when the whole payment is refunded at once', () => {
    const original = clear(10_000);
    const refund = clearRefund(cny(10_000), original);
    expect(refund).toMatchObject({
      originalClearingId: original.clearingId,
      refundAmount: cny(10_000),
      merchantFeeRefund: cny(60),
      channelCostRefund: cny(38),
      platformMarginRefund: cny(22),
      merchantNetRefund: cny(9_940),
      refundedToDate: cny(10_000),
      finalRefund: true,
    });
    expect(isId(refund.clearingId, 'clr')).toBe(true);
    expect(refund.clearingId).not.toBe(original.clearingId);
    expect(Object.isFrozen(refund)).toBe(true);
  });

  it('refunds a proportional, half-up share of the fee for a partial refund', () => {
    const original = clear(10_000); // fee 60, cost 38
    // 2 500 / 10 000 of 60 = 15; of 38 = 9.5 → 10
    expect(clearRefund(cny(2_500), original)).toMatchObject({
      merchantFeeRefund: cny(15),
      channelCostRefund: cny(10),
      platformMarginRefund: cny(5),
      merchantNetRefund: cny(2_485),
      finalRefund: false,
    });
  });

  it('over three partial refunds returns exactly the original fee and cost', () => {
    const original = clear(10_000); // fee 60, cost 38
    const refunds = refundInParts(original, [3_333, 3_333, 3_334]);

    // Cumulative shares of the fee: 3 333 → 19.998 → 20; 6 666 → 39.996 → 40; 10 000 → 60.
    expect(refunds.map((refund) => refund.merchantFeeRefund)).toEqual([cny(20), cny(20), cny(20)]);
    // Of the cost: 12.6654 → 13; 25.3308 → 25; 38 → 38.
    expect(refunds.map((refund) => refund.channelCostRefund)).toEqual([cny(13), cny(12), cny(13)]);
    expect(refunds.map((refund) => refund.finalRefund)).toEqual([false, false, true]);
    expect(refunds.map((refund) => refund.refundedToDate)).toEqual([
      cny(3_333),
      cny(6_666),
      cny(10_000),
    ]);

    expect(sum(refunds.map((refund) => refund.merchantFeeRefund))).toEqual(original.merchantFee);
    expect(sum(refunds.map((refund) => refund.channelCostRefund))).toEqual(original.channelCost);
    expect(sum(refunds.map((refund) => refund.platformMarginRefund))).toEqual(
      original.platformMargin,
    );
    expect(sum(refunds.map((refund) => refund.merchantNetRefund))).toEqual(original.merchantNet);
  });

  it('lets the last of three refunds take the remainder where rounding each part would not add up', () => {
    // Fee 1 fen on ¥1.00. Each third is 0.333… fen, 0 on its own: rounding each refund alone
    // would return 0 + 0 + 0 = 0 of the 1 fen fee. The last refund takes the remainder instead.
    const original = clear(100);
    expect(original.merchantFee).toEqual(cny(1));
    const refunds = refundInParts(original, [33, 33, 34]);
    expect(refunds.map((refund) => refund.merchantFeeRefund)).toEqual([cny(0), cny(1), cny(0)]);
    // 33 → 0.33 → 0; 66 → 0.66 → 1 (cumulative, so the second already owes it); 100 → 1.
    expect(sum(refunds.map((refund) => refund.merchantFeeRefund))).toEqual(cny(1));
  });

  it('never refunds a negative fee, where "round each, last takes the rest" would', () => {
    // Fee 2 fen on ¥4.00 (0.50 %). Four ¥1.00 refunds are 0.5 fen each: rounding each half-up
    // gives 1 + 1 + 1, leaving 2 − 3 = −1 for the last. Cumulative rounding gives 1, 0, 1, 0.
    const original = clear(400, { merchantFeeRate: Rate.bps(50), channelCostRate: Rate.ZERO });
    expect(original.merchantFee).toEqual(cny(2));
    const refunds = refundInParts(original, [100, 100, 100, 100]);
    expect(refunds.map((refund) => refund.merchantFeeRefund)).toEqual([
      cny(1),
      cny(0),
      cny(1),
      cny(0),
    ]);
  });

  it('refunds the minimum fee proportionally, as charged', () => {
    const original = clear(1_000, { ...STANDARD, minimumMerchantFee: cny(10) });
    const refunds = refundInParts(original, [500, 500]);
    expect(refunds.map((refund) => refund.merchantFeeRefund)).toEqual([cny(5), cny(5)]);
  });

  it('uses the rounding policy recorded on the original clearing', () => {
    const original = clearPayment({
      gross: cny(10_000),
      schedule: STANDARD,
      rounding: { merchantFee: 'DOWN', channelCost: 'DOWN' },
    });
    // 2 500 / 10 000 of 38 = 9.5: DOWN gives 9 where the default HALF_UP would give 10.
    expect(clearRefund(cny(2_500), original).channelCostRefund).toEqual(cny(9));
  });

  it('accepts previous refunds in any order', () => {
    const original = clear(10_000);
    const [a, b] = refundInParts(original, [1_111, 2_222]);
    const inOrder = clearRefund(cny(6_667), original, [a, b]);
    const reversed = clearRefund(cny(6_667), original, [b, a]);
    expect(reversed.merchantFeeRefund).toEqual(inOrder.merchantFeeRefund);
    expect(reversed.finalRefund).toBe(true);
  });

  it('is exact for amounts whose product exceeds 2^53', () => {
    const original = clear(1_000_000_000_000); // ¥10 000 000 000.00, fee 6 000 000 000
    const refund = clearRefund(cny(333_333_333_333), original);
    // 333 333 333 333 × 6 000 000 000 / 10^12 = 1 999 999 999.998 → 2 000 000 000
    expect(refund.merchantFeeRefund).toEqual(cny(2_000_000_000));
  });

  it('rejects a refund that would exceed the amount paid', () => {
    const original = clear(10_000);
    expect(() => clearRefund(cny(10_001), original)).toThrow(
      withCode('CLEARING.REFUND_EXCEEDS_GROSS'),
    );
    const [first] = refundInParts(original, [6_000]);
    expect(() => clearRefund(cny(4_001), original, [first])).toThrow(
      withCode('CLEARING.REFUND_EXCEEDS_GROSS'),
    );
    expect(() => clearRefund(cny(4_000), original, [first])).not.toThrow();
  });

  it('rejects any refund after a full refund', () => {
    const original = clear(10_000);
    const full = refundInParts(original, [10_000]);
    expect(() => clearRefund(cny(1), original, full)).toThrow(
      withCode('CLEARING.REFUND_EXCEEDS_GROSS'),
    );
  });

  it.each([0, -1])('rejects a refund of %i fen', (fen) => {
    expect(() => clearRefund(cny(fen), clear(10_000))).toThrow(
      withCode('CLEARING.NON_POSITIVE_REFUND'),
    );
  });

  it('rejects a refund that is not Money or is in another currency', () => {
    const original = clear(10_000);
    expect(() => clearRefund(100 as unknown as Money, original)).toThrow(
      withCode('CLEARING.INVALID_AMOUNT'),
    );
    expect(() => clearRefund(Money.of(100, 'USD'), original)).toThrow(
      withCode('CLEARING.CURRENCY_MISMATCH'),
    );
  });

  it('rejects a previous refund of another payment', () => {
    const original = clear(10_000);
    const other = clear(10_000);
    const foreign = clearRefund(cny(1_000), other);
    expect(() => clearRefund(cny(1_000), original, [foreign])).toThrow(
      withCode('CLEARING.FOREIGN_REFUND'),
    );
  });

  it('rejects the same previous refund passed twice', () => {
    const original = clear(10_000);
    const [first] = refundInParts(original, [1_000]);
    expect(() => clearRefund(cny(1_000), original, [first, first])).toThrow(
      withCode('CLEARING.DUPLICATE_REFUND'),
    );
  });

  it('rejects reusing a previous refund id for the new refund', () => {
    const original = clear(10_000);
    const [first] = refundInParts(original, [1_000]);
    expect(() =>
      clearRefund(cny(1_000), original, [first], { clearingId: first.clearingId }),
    ).toThrow(withCode('CLEARING.DUPLICATE_REFUND'));
  });

  it('rejects using the original clearing id for a refund', () => {
    const original = clear(10_000);
    expect(() =>
      clearRefund(cny(1_000), original, [], { clearingId: original.clearingId }),
    ).toThrow(withCode('CLEARING.DUPLICATE_REFUND'));
  });

  it('uses a refund clearing id it is given, and rejects a malformed one', () => {
    const original = clear(10_000);
    const reserved = newId('clr');
    expect(clearRefund(cny(1), original, [], { clearingId: reserved }).clearingId).toBe(reserved);
    expect(() => clearRefund(cny(1), original, [], { clearingId: 'ref_1' })).toThrow(
      withCode('CLEARING.INVALID_ID'),
    );
  });

  it('rejects a refund history whose fee refunds were not produced by this method', () => {
    const original = clear(10_000);
    const [first] = refundInParts(original, [2_500]);
    const tamperedFee = { ...first, merchantFeeRefund: cny(16) };
    const tamperedCost = { ...first, channelCostRefund: cny(9) };
    expect(() => clearRefund(cny(1_000), original, [tamperedFee])).toThrow(
      withCode('CLEARING.INCONSISTENT_REFUND_HISTORY'),
    );
    expect(() => clearRefund(cny(1_000), original, [tamperedCost])).toThrow(
      withCode('CLEARING.INCONSISTENT_REFUND_HISTORY'),
    );
  });

  it('rejects a refund history that already exceeds the amount paid', () => {
    const original = clear(10_000);
    const [first] = refundInParts(original, [10_000]);
    const inflated = { ...first, refundAmount: cny(10_001) };
    expect(() => clearRefund(cny(1), original, [inflated])).toThrow(
      withCode('CLEARING.INCONSISTENT_REFUND_HISTORY'),
    );
  });

  it('rejects a refund history with amounts in another currency or not Money', () => {
    const original = clear(10_000);
    const [first] = refundInParts(original, [1_000]);
    expect(() =>
      clearRefund(cny(1), original, [{ ...first, refundAmount: Money.of(1_000, 'USD') }]),
    ).toThrow(withCode('CLEARING.INCONSISTENT_REFUND_HISTORY'));
    expect(() =>
      clearRefund(cny(1), original, [{ ...first, merchantFeeRefund: 6 as unknown as Money }]),
    ).toThrow(withCode('CLEARING.INCONSISTENT_REFUND_HISTORY'));
    expect(() => clearRefund(cny(1), original, 'none' as never)).toThrow(
      withCode('CLEARING.INCONSISTENT_REFUND_HISTORY'),
    );
  });

  it('rejects an original clearing that breaks the invariants', () => {
    const original = { ...clear(10_000), merchantNet: cny(1) };
    expect(() => clearRefund(cny(1), original)).toThrow(withCode('CLEARING.INVARIANT_VIOLATED'));
  });

  it('always sums to the original fee and cost, whatever the split (exhaustive for small amounts)', () => {
    // Every way to split gross ∈ [1, 10] fen into ordered parts, at rates where rounding bites.
    const schedules: FeeSchedule[] = [
      {
        merchantFeeRate: Rate.percentString('50%'),
        channelCostRate: Rate.percentString('33.3333%'),
      },
      { merchantFeeRate: Rate.percentString('12.5%'), channelCostRate: Rate.percentString('7%') },
      { merchantFeeRate: Rate.ONE, channelCostRate: Rate.percentString('99.9999%') },
    ];
    const compositions = (n: number): number[][] =>
      n === 0
        ? [[]]
        : Array.from({ length: n }, (_, i) => i + 1).flatMap((first) =>
            compositions(n - first).map((rest) => [first, ...rest]),
          );
    let checked = 0;
    const failures: string[] = [];
    for (const schedule of schedules) {
      for (let gross = 1; gross <= 10; gross++) {
        const original = clear(gross, schedule);
        for (const parts of compositions(gross)) {
          const refunds = refundInParts(original, parts);
          const negative = refunds.some(
            (refund) =>
              refund.merchantFeeRefund.isNegative() ||
              refund.channelCostRefund.isNegative() ||
              refund.merchantNetRefund.isNegative(),
          );
          const feeTotal = sum(refunds.map((refund) => refund.merchantFeeRefund));
          const costTotal = sum(refunds.map((refund) => refund.channelCostRefund));
          // Collected rather than asserted one by one: 3 000 compositions × a dozen expect calls
          // would dominate the run time, and one list of failures is easier to read anyway.
          if (
            negative ||
            !feeTotal.equals(original.merchantFee) ||
            !costTotal.equals(original.channelCost)
          ) {
            failures.push(`${schedule.merchantFeeRate.toString()} of ${gross}: ${parts.join('+')}`);
          }
          checked++;
        }
      }
    }
    expect(failures).toEqual([]);
    // 2^(n−1) compositions of n, summed over n = 1..10, for each of the three schedules.
    expect(checked).toBe(3 * (2 ** 10 - 1));
  });
});
