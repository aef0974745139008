import { Money } from '@paylab/money';
import { PAYMENT_ORDER_STATES } from '../../payments/domain/payment-order';
import { DomainError } from '../../shared/domain-error';
import type { RefundKind, RefundState } from './refund';
import {
  assertRefundable,
  refundBalance,
  refundStatusOf,
  requestedRefundAmount,
  type RefundableOrder,
  type StoredRefundFacts,
} from './refundable-amount';

const cny = (fen: number) => Money.of(fen, 'CNY');
const paid = (fen: number): RefundableOrder => ({
  id: 'pay_01M85DMB00EHTE541GQYE3T4TZ',
  state: 'SUCCEEDED',
  amount: cny(fen),
});
const stored = (
  fen: number,
  state: RefundState = 'SUCCEEDED',
  kind: RefundKind = 'MERCHANT_REFUND',
): StoredRefundFacts => ({ kind, state, amount: cny(fen) });

function codeOf(work: () => unknown): string | undefined {
  try {
    work();
    return undefined;
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
}

/** A small deterministic generator (mulberry32), so a failing case can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('assertRefundable', () => {
  it('allows partial refunds up to exactly the amount paid, and not one fen more', () => {
    const order = paid(2_500);
    expect(assertRefundable(order, [], cny(1_000)).refundable).toEqual(cny(1_500));
    const after = assertRefundable(order, [stored(1_000), stored(1_000, 'PENDING')], cny(500));
    expect(after).toEqual({
      paid: cny(2_500),
      refunded: cny(1_000),
      refunding: cny(1_500),
      refundable: cny(0),
    });
    expect(codeOf(() => assertRefundable(order, [stored(2_500)], cny(1)))).toBe(
      'REFUND.EXCEEDS_REFUNDABLE_AMOUNT',
    );
  });

  it('says in the error how much is still refundable', () => {
    try {
      assertRefundable(paid(2_500), [stored(1_000), stored(700, 'PENDING')], cny(900));
      throw new Error('expected a refusal');
    } catch (error) {
      const domainError = error as DomainError;
      expect(domainError.code).toBe('REFUND.EXCEEDS_REFUNDABLE_AMOUNT');
      expect(domainError.param).toBe('amount.amountMinor');
      expect(domainError.message).toContain('Only 8.00 CNY of the 25.00 CNY paid');
      expect(domainError.details).toEqual({
        refundableMinor: '800',
        refundedMinor: '1000',
        refundingMinor: '700',
      });
    }
  });

  it('counts PENDING refunds (the channel may still pay them) but not FAILED ones', () => {
    const order = paid(1_000);
    expect(codeOf(() => assertRefundable(order, [stored(1_000, 'PENDING')], cny(1)))).toBe(
      'REFUND.EXCEEDS_REFUNDABLE_AMOUNT',
    );
    expect(assertRefundable(order, [stored(1_000, 'FAILED')], cny(1_000)).refundable).toEqual(
      cny(0),
    );
  });

  it('does not count late payment returns: they give back another transaction’s money', () => {
    const order = paid(1_000);
    const returns = [
      stored(1_000, 'SUCCEEDED', 'LATE_PAYMENT_RETURN'),
      stored(1_000, 'PENDING', 'LATE_PAYMENT_RETURN'),
    ];
    expect(assertRefundable(order, returns, cny(1_000)).refundable).toEqual(cny(0));
  });

  it.each(PAYMENT_ORDER_STATES.filter((state) => state !== 'SUCCEEDED'))(
    'refuses a %s order with REFUND.PAYMENT_NOT_REFUNDABLE naming the state',
    (state) => {
      try {
        assertRefundable({ ...paid(1_000), state }, [], cny(1));
        throw new Error('expected a refusal');
      } catch (error) {
        expect((error as DomainError).code).toBe('REFUND.PAYMENT_NOT_REFUNDABLE');
        expect((error as DomainError).details).toEqual({ state });
        expect((error as DomainError).message).toContain(state);
      }
    },
  );

  it('refuses a zero amount and another currency', () => {
    expect(codeOf(() => assertRefundable(paid(1_000), [], cny(0)))).toBe('REFUND.INVALID_AMOUNT');
    expect(codeOf(() => assertRefundable(paid(1_000), [], Money.of(1, 'USD')))).toBe(
      'REFUND.CURRENCY_MISMATCH',
    );
  });

  it('property: whatever sequence of requests and outcomes, accepted merchant refunds never exceed what was paid', () => {
    for (let seed = 1; seed <= 300; seed += 1) {
      const next = random(seed);
      const order = paid(1 + Math.floor(next() * 100_000));
      const refunds: StoredRefundFacts[] = [];
      for (let step = 0; step < 40; step += 1) {
        const roll = next();
        if (roll < 0.15) {
          // The channel settles one pending refund either way.
          const pending = refunds.findIndex((refund) => refund.state === 'PENDING');
          if (pending >= 0) {
            refunds[pending] = {
              ...refunds[pending],
              state: next() < 0.7 ? 'SUCCEEDED' : 'FAILED',
            };
          }
          continue;
        }
        if (roll < 0.2) {
          refunds.push(stored(order.amount.amountMinor, 'PENDING', 'LATE_PAYMENT_RETURN'));
          continue;
        }
        const requested = cny(1 + Math.floor(next() * order.amount.amountMinor * 0.6));
        const before = refundBalance(order, refunds);
        const code = codeOf(() => assertRefundable(order, refunds, requested));
        // Accepted exactly when it fits in what is left.
        expect(code === undefined).toBe(requested.lessThanOrEqual(before.refundable));
        if (code === undefined) refunds.push(stored(requested.amountMinor, 'PENDING'));
        else expect(code).toBe('REFUND.EXCEEDS_REFUNDABLE_AMOUNT');
        const after = refundBalance(order, refunds);
        expect(after.refunded.add(after.refunding).lessThanOrEqual(order.amount)).toBe(true);
        expect(after.refundable.isNegative()).toBe(false);
        expect(after.refunded.add(after.refunding).add(after.refundable)).toEqual(order.amount);
      }
    }
  });
});

describe('refundStatusOf', () => {
  const statusOf = (refunds: StoredRefundFacts[]) =>
    refundStatusOf(refundBalance(paid(1_000), refunds));

  it('is NONE until money has reached the payer, then PARTIALLY_REFUNDED, then REFUNDED', () => {
    expect(statusOf([])).toBe('NONE');
    expect(statusOf([stored(1_000, 'PENDING')])).toBe('NONE');
    expect(statusOf([stored(1_000, 'FAILED')])).toBe('NONE');
    expect(statusOf([stored(1, 'SUCCEEDED')])).toBe('PARTIALLY_REFUNDED');
    expect(statusOf([stored(400), stored(600, 'PENDING')])).toBe('PARTIALLY_REFUNDED');
    expect(statusOf([stored(400), stored(600)])).toBe('REFUNDED');
    expect(statusOf([stored(1_000, 'SUCCEEDED', 'LATE_PAYMENT_RETURN')])).toBe('NONE');
  });
});

describe('requestedRefundAmount', () => {
  it('takes a positive whole number of fen in the order’s currency', () => {
    expect(requestedRefundAmount(1, 'CNY', 'CNY')).toEqual(cny(1));
  });

  it.each([
    ['zero', 0],
    ['negative', -100],
    ['a fraction', 10.5],
    ['beyond the safe integer range', 2 ** 53],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a string', '100'],
  ])('refuses %s with REFUND.INVALID_AMOUNT', (_name, value) => {
    expect(codeOf(() => requestedRefundAmount(value, 'CNY', 'CNY'))).toBe('REFUND.INVALID_AMOUNT');
  });

  it.each([['USD'], ['cny'], ['XYZ'], [undefined]])(
    'refuses currency %j for a CNY order with REFUND.CURRENCY_MISMATCH',
    (currency) => {
      expect(codeOf(() => requestedRefundAmount(100, currency, 'CNY'))).toBe(
        'REFUND.CURRENCY_MISMATCH',
      );
    },
  );
});
