import { RefundRequested, RefundFailed, RefundSucceeded } from '@paylab/contracts';
import { newId } from '@paylab/ids';
import { Money } from '@paylab/money';
import { DomainError } from '../../shared/domain-error';
import {
  canRefundTransition,
  Refund,
  REFUND_STATES,
  REFUND_TRANSITIONS,
  type RequestRefundInput,
} from './refund';

const NOW = new Date('2026-11-24T08:00:00.000Z');
const LATER = new Date('2026-11-24T08:05:00.000Z');
const cny = (fen: number) => Money.of(fen, 'CNY');

function input(overrides: Partial<RequestRefundInput> = {}): RequestRefundInput {
  return {
    paymentId: newId('pay'),
    merchantId: newId('mch'),
    appId: newId('app'),
    transactionId: newId('txn'),
    kind: 'MERCHANT_REFUND',
    amount: cny(1_000),
    paymentAmount: cny(2_500),
    reason: 'Customer returned the cup (退货)',
    merchantRefundNo: 'RF-001',
    channel: 'ALIPAY',
    channelAccountId: 'cha_01M85DMB00EHTE541GQYE3T4TM',
    ...overrides,
  };
}

const confirmation = {
  channelRefundNo: '2026112422001-RF1',
  succeededAt: new Date('2026-11-24T08:04:00.000Z'),
  businessDate: '2026-11-24',
};
const refusal = {
  failureCode: 'ACQ.TRADE_NOT_ALLOW_REFUND',
  failureMessage: 'trade not refundable',
  failedAt: new Date('2026-11-24T08:04:00.000Z'),
};

function expectCode(work: () => unknown, code: string, param?: string): DomainError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe(code);
    if (param !== undefined) expect((error as DomainError).param).toBe(param);
    return error as DomainError;
  }
  throw new Error(`expected ${code}, nothing was thrown`);
}

describe('Refund.request', () => {
  it('creates a PENDING refund, version 1, with a RefundRequested event that matches the contract', () => {
    const request = input();
    const { refund, event } = Refund.request(request, NOW);
    expect(refund).toMatchObject({
      state: 'PENDING',
      version: 1,
      kind: 'MERCHANT_REFUND',
      amount: cny(1_000),
      createdAt: NOW,
      updatedAt: NOW,
    });
    expect(refund.id).toMatch(/^ref_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(event).toEqual({
      type: 'refund.requested',
      payload: {
        refundId: refund.id,
        paymentId: request.paymentId,
        merchantId: request.merchantId,
        transactionId: request.transactionId,
        kind: 'MERCHANT_REFUND',
        channel: 'ALIPAY',
        channelAccountId: 'cha_01M85DMB00EHTE541GQYE3T4TM',
        amount: { amountMinor: 1_000, currency: 'CNY' },
        paymentAmount: { amountMinor: 2_500, currency: 'CNY' },
        reason: 'Customer returned the cup (退货)',
        requestedAt: NOW.toISOString(),
      },
    });
    expect(() => RefundRequested.schema.parse(event.payload)).not.toThrow();
    expect(Object.isFrozen(refund)).toBe(true);
  });

  it('leaves optional fields out of the event when they are absent', () => {
    const { event } = Refund.request(
      input({ reason: undefined, merchantRefundNo: undefined, channelAccountId: undefined }),
      NOW,
    );
    expect(event.payload).not.toHaveProperty('reason');
    expect(event.payload).not.toHaveProperty('channelAccountId');
    expect(() => RefundRequested.schema.parse(event.payload)).not.toThrow();
  });

  it.each([
    ['zero', 0],
    ['negative', -1],
  ])('refuses a %s amount (REFUND.INVALID_AMOUNT)', (_name, fen) => {
    expectCode(
      () => Refund.request(input({ amount: cny(fen) }), NOW),
      'REFUND.INVALID_AMOUNT',
      'amount.amountMinor',
    );
  });

  it('refuses another currency than the payment’s (REFUND.CURRENCY_MISMATCH)', () => {
    expectCode(
      () => Refund.request(input({ amount: Money.of(100, 'USD') }), NOW),
      'REFUND.CURRENCY_MISMATCH',
      'amount.currency',
    );
  });

  it('refuses more than the payment itself, whatever else is known', () => {
    expectCode(
      () => Refund.request(input({ amount: cny(2_501) }), NOW),
      'REFUND.EXCEEDS_REFUNDABLE_AMOUNT',
    );
    expect(Refund.request(input({ amount: cny(2_500) }), NOW).refund.amount).toEqual(cny(2_500));
  });

  it.each([
    ['a NUL', 'bad\u0000reason'],
    ['a line break', 'two\nlines'],
    ['an escape', '\u001b[31mred'],
    ['257 characters', 'x'.repeat(257)],
    ['only blanks', '   '],
    ['an empty string', ''],
  ])('refuses a reason with %s (REFUND.INVALID_REASON)', (_name, reason) => {
    expectCode(() => Refund.request(input({ reason }), NOW), 'REFUND.INVALID_REASON', 'reason');
  });

  it('accepts a reason of exactly 256 characters, counted in code points (Chinese too)', () => {
    expect(Refund.request(input({ reason: '退'.repeat(256) }), NOW).refund.reason).toHaveLength(
      256,
    );
    expect(Refund.request(input({ reason: '😀'.repeat(256) }), NOW).refund.reason).toBeDefined();
  });

  it.each([['has space'], ['x'.repeat(65)], ['退款'], ['']])(
    'refuses merchantRefundNo %j',
    (merchantRefundNo) => {
      expectCode(
        () => Refund.request(input({ merchantRefundNo }), NOW),
        'REFUND.INVALID_MERCHANT_REFUND_NO',
        'merchantRefundNo',
      );
    },
  );

  it('refuses a merchant refund number on a late payment return (the platform’s own refund)', () => {
    expectCode(
      () => Refund.request(input({ kind: 'LATE_PAYMENT_RETURN' }), NOW),
      'REFUND.INCONSISTENT_STATE',
    );
    const { refund, event } = Refund.request(
      input({ kind: 'LATE_PAYMENT_RETURN', merchantRefundNo: undefined }),
      NOW,
    );
    expect(refund.kind).toBe('LATE_PAYMENT_RETURN');
    expect(event.payload.kind).toBe('LATE_PAYMENT_RETURN');
  });

  it('refuses ids of the wrong kind', () => {
    expectCode(
      () => Refund.request(input({ transactionId: newId('pay') }), NOW),
      'REFUND.INVALID_ID',
      'transactionId',
    );
    expectCode(
      () => Refund.request(input({ paymentId: 'pay_nope' }), NOW),
      'REFUND.INVALID_ID',
      'paymentId',
    );
  });
});

describe('refund state machine', () => {
  it('allows exactly PENDING → SUCCEEDED and PENDING → FAILED', () => {
    const allowed = REFUND_STATES.flatMap((from) =>
      REFUND_STATES.filter((to) => canRefundTransition(from, to)).map((to) => `${from}→${to}`),
    );
    expect(allowed).toEqual(['PENDING→SUCCEEDED', 'PENDING→FAILED']);
    expect(REFUND_TRANSITIONS.every((t) => t.trigger.length > 0)).toBe(true);
  });

  it('succeeds once with a RefundSucceeded event; the same confirmation again changes nothing', () => {
    const { refund } = Refund.request(input(), NOW);
    const result = refund.succeed(confirmation, LATER);
    expect(result.changed).toBe(true);
    if (!result.changed) throw new Error('unreachable');
    expect(result.refund).toMatchObject({
      state: 'SUCCEEDED',
      version: 2,
      channelRefundNo: confirmation.channelRefundNo,
      succeededAt: confirmation.succeededAt,
      businessDate: '2026-11-24',
      updatedAt: LATER,
    });
    expect(result.event).toEqual({
      type: 'refund.succeeded',
      payload: expect.objectContaining({
        refundId: refund.id,
        kind: 'MERCHANT_REFUND',
        channelRefundNo: confirmation.channelRefundNo,
        succeededAt: confirmation.succeededAt.toISOString(),
        businessDate: '2026-11-24',
      }),
    });
    expect(() => RefundSucceeded.schema.parse(result.event.payload)).not.toThrow();
    // The original is untouched (immutable), and a repeat is a no-op.
    expect(refund.state).toBe('PENDING');
    expect(result.refund.succeed(confirmation, LATER)).toEqual({
      refund: result.refund,
      changed: false,
    });
  });

  it('refuses a second success with another channel refund number (REFUND.CONFLICTING_OUTCOME)', () => {
    const done = Refund.request(input(), NOW).refund.succeed(confirmation, LATER).refund;
    expectCode(
      () => done.succeed({ ...confirmation, channelRefundNo: 'OTHER' }, LATER),
      'REFUND.CONFLICTING_OUTCOME',
    );
  });

  it('fails once with a RefundFailed event; a repeat changes nothing, another code conflicts', () => {
    const { refund } = Refund.request(input(), NOW);
    const result = refund.fail(refusal, LATER);
    if (!result.changed) throw new Error('expected a change');
    expect(result.refund).toMatchObject({
      state: 'FAILED',
      version: 2,
      failureCode: refusal.failureCode,
      failureMessage: refusal.failureMessage,
      failedAt: refusal.failedAt,
    });
    expect(() => RefundFailed.schema.parse(result.event.payload)).not.toThrow();
    expect(result.refund.fail(refusal, LATER).changed).toBe(false);
    expectCode(
      () => result.refund.fail({ ...refusal, failureCode: 'SYSTEMERROR' }, LATER),
      'REFUND.CONFLICTING_OUTCOME',
    );
  });

  it('never moves between the two final states (REFUND.ILLEGAL_TRANSITION)', () => {
    const { refund } = Refund.request(input(), NOW);
    const succeeded = refund.succeed(confirmation, LATER).refund;
    const failed = refund.fail(refusal, LATER).refund;
    expectCode(() => succeeded.fail(refusal, LATER), 'REFUND.ILLEGAL_TRANSITION');
    expectCode(() => failed.succeed(confirmation, LATER), 'REFUND.ILLEGAL_TRANSITION');
  });

  it('keeps a known channel account, and learns one from the channel when it had none', () => {
    const known = Refund.request(input(), NOW).refund;
    expect(
      known.succeed({ ...confirmation, channelAccountId: 'cha_other' }, LATER).refund
        .channelAccountId,
    ).toBe('cha_01M85DMB00EHTE541GQYE3T4TM');
    const unknown = Refund.request(input({ channelAccountId: undefined }), NOW).refund;
    const result = unknown.succeed({ ...confirmation, channelAccountId: 'cha_learned' }, LATER);
    expect(result.refund.channelAccountId).toBe('cha_learned');
    expect(result.event?.payload.channelAccountId).toBe('cha_learned');
  });

  it('validates what the channel reports', () => {
    const { refund } = Refund.request(input(), NOW);
    expectCode(
      () => refund.succeed({ ...confirmation, channelRefundNo: '' }, LATER),
      'REFUND.INVALID_CHANNEL_REFUND_NO',
    );
    expectCode(
      () => refund.succeed({ ...confirmation, businessDate: '24/11/2026' }, LATER),
      'REFUND.INVALID_BUSINESS_DATE',
    );
    expectCode(
      () => refund.succeed({ ...confirmation, succeededAt: new Date('nope') }, LATER),
      'REFUND.INVALID_TIMESTAMP',
    );
    expectCode(
      () => refund.fail({ ...refusal, failureCode: 'bad code!' }, LATER),
      'REFUND.INVALID_FAILURE_CODE',
    );
  });
});

describe('Refund.fromProps', () => {
  it('round-trips every state through toProps', () => {
    const { refund } = Refund.request(input(), NOW);
    for (const stored of [
      refund,
      refund.succeed(confirmation, LATER).refund,
      refund.fail(refusal, LATER).refund,
    ]) {
      expect(Refund.fromProps(stored.toProps())).toEqual(stored);
    }
  });

  it('refuses a stored row whose fields do not fit its state (REFUND.INCONSISTENT_STATE)', () => {
    const props = Refund.request(input(), NOW).refund.toProps();
    expectCode(
      () => Refund.fromProps({ ...props, state: 'SUCCEEDED' }),
      'REFUND.INCONSISTENT_STATE',
    );
    expectCode(
      () => Refund.fromProps({ ...props, channelRefundNo: 'X1' }),
      'REFUND.INCONSISTENT_STATE',
    );
    expectCode(
      () => Refund.fromProps({ ...props, state: 'LOST' as never }),
      'REFUND.INVALID_STATE',
    );
    expectCode(() => Refund.fromProps({ ...props, version: 0 }), 'REFUND.INVALID_VERSION');
  });
});
