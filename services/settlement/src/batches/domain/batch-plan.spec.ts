import { defaultTerms, type SettlementTerms } from '../../terms/domain/settlement-terms';
import { planBatch, type BatchPlanInput, type DayTotals } from './batch-plan';

const MERCHANT = 'mch_01M85DMB00EHTE541GQYE3T4TJ';

function day(businessDate: string, netMinor: number, extra: Partial<DayTotals> = {}): DayTotals {
  return {
    businessDate,
    itemCount: 1,
    paymentCount: netMinor >= 0 ? 1 : 0,
    refundCount: netMinor < 0 ? 1 : 0,
    latePaymentReturnCount: 0,
    grossMinor: Math.max(netMinor, 0),
    feeMinor: 0,
    refundMinor: Math.max(-netMinor, 0),
    netMinor,
    ...extra,
  };
}

function input(overrides: Partial<BatchPlanInput> = {}, terms: Partial<SettlementTerms> = {}) {
  return {
    merchantId: MERCHANT,
    currency: 'CNY',
    settlementDate: '2026-03-02',
    terms: { ...defaultTerms(MERCHANT), version: 1, ...terms },
    watermarkSeq: 100,
    previous: { itemsThroughSeq: 0, dueThrough: null },
    days: [],
    availableMinor: 0,
    releasedReserveMinor: 0,
    hasUnpaidBatch: false,
    ...overrides,
  } satisfies BatchPlanInput;
}

describe('planBatch', () => {
  it('settles T+1 items of the day before and leaves the settlement date’s own items', () => {
    const plan = planBatch(
      input({ days: [day('2026-03-01', 9940), day('2026-03-01', -2982), day('2026-03-02', 500)] }),
    );
    expect(plan).toMatchObject({
      cycle: 'T+1',
      dueThrough: '2026-03-01',
      itemsThroughSeq: 100,
      itemCount: 2,
      itemsNetMinor: 6958,
      carriedInMinor: 0,
      netMinor: 6958,
      state: 'CREATED',
    });
  });

  it('settles D+0 items of the settlement date itself', () => {
    const plan = planBatch(
      input({ days: [day('2026-03-02', 500)] }, { cycle: { kind: 'D_PLUS_0' } }),
    );
    expect(plan).toMatchObject({ cycle: 'D+0', dueThrough: '2026-03-02', netMinor: 500 });
  });

  it('returns null when nothing is due, released or waiting after a failure', () => {
    expect(planBatch(input({ days: [day('2026-03-02', 500)] }))).toBeNull();
    expect(planBatch(input({ availableMinor: 300 }))).toBeNull();
  });

  it('deducts a refund after settlement and carries a negative net forward, never paying it', () => {
    const plan = planBatch(input({ days: [day('2026-03-01', -3000)], availableMinor: 0 }));
    expect(plan).toMatchObject({ netMinor: -3000, state: 'CARRIED_FORWARD' });
    expect(plan?.carriedForwardReason).toMatch(/negative/);
    const next = planBatch(
      input({
        settlementDate: '2026-03-03',
        days: [day('2026-03-02', 5000)],
        availableMinor: -3000,
      }),
    );
    expect(next).toMatchObject({ carriedInMinor: -3000, netMinor: 2000, state: 'CREATED' });
  });

  it('carries forward a net below the minimum payout', () => {
    const plan = planBatch(input({ days: [day('2026-03-01', 999)] }, { minimumPayoutMinor: 1000 }));
    expect(plan).toMatchObject({ netMinor: 999, state: 'CARRIED_FORWARD' });
    const exactly = planBatch(
      input({ days: [day('2026-03-01', 1000)] }, { minimumPayoutMinor: 1000 }),
    );
    expect(exactly?.state).toBe('CREATED');
  });

  it('holds a rolling reserve rounded down and reports releases already made', () => {
    const plan = planBatch(
      input(
        { days: [day('2026-03-01', 10_001)], availableMinor: 700, releasedReserveMinor: 700 },
        { reserve: { percentBp: 1000, holdDays: 7 } },
      ),
    );
    expect(plan).toMatchObject({
      reserveHeldMinor: 1000,
      reserveReleasedMinor: 700,
      carriedInMinor: 0,
      netMinor: 10_001 - 1000 + 700,
      reserveReleaseDate: '2026-03-09',
    });
  });

  it('holds no reserve on a negative items net', () => {
    const plan = planBatch(
      input({ days: [day('2026-03-01', -500)] }, { reserve: { percentBp: 1000, holdDays: 7 } }),
    );
    expect(plan?.reserveHeldMinor).toBe(0);
    expect(plan?.reserveReleaseDate).toBeNull();
  });

  it('builds a batch to carry a failed payout even with no new items', () => {
    const plan = planBatch(input({ availableMinor: 4200, hasUnpaidBatch: true }));
    expect(plan).toMatchObject({
      itemCount: 0,
      carriedInMinor: 4200,
      netMinor: 4200,
      state: 'CREATED',
    });
  });

  it('never moves the due bound back when the cycle gets longer', () => {
    const plan = planBatch(
      input(
        {
          previous: { itemsThroughSeq: 50, dueThrough: '2026-03-01' },
          days: [day('2026-02-28', 100), day('2026-03-01', 200)],
        },
        { cycle: { kind: 'T_PLUS_N', days: 3 } },
      ),
    );
    expect(plan).toMatchObject({ dueThrough: '2026-03-01', itemsNetMinor: 300 });
  });
});
