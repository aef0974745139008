import {
  backoffMs,
  checkRefundable,
  decideAfterAnswer,
  decideOnNotification,
} from './channel-refund';

const paid = {
  paymentId: 'pay_1',
  channel: 'ALIPAY',
  status: 'SUCCEEDED',
  amountMinor: 1000,
  currency: 'CNY',
};
const ask = { paymentId: 'pay_1', channel: 'ALIPAY', amountMinor: 400, currency: 'CNY' };
const settings = { queryAfterMs: 1000, maxDelayMs: 8000 };

describe('channel refund rules', () => {
  it('allows refunds of a paid transaction up to what was paid', () => {
    expect(checkRefundable(paid, ask, 0)).toBeNull();
    expect(checkRefundable(paid, ask, 600)).toBeNull();
    expect(checkRefundable(paid, ask, 601)?.code).toBe('REFUND.EXCEEDS_TRANSACTION_AMOUNT');
  });

  it('refuses what cannot be refunded, with a code', () => {
    expect(checkRefundable(null, ask, 0)?.code).toBe('REFUND.TRANSACTION_NOT_FOUND');
    expect(checkRefundable({ ...paid, status: 'PENDING' }, ask, 0)?.code).toBe(
      'REFUND.TRANSACTION_NOT_SUCCEEDED',
    );
    expect(checkRefundable({ ...paid, status: 'CLOSED' }, ask, 0)?.code).toBe(
      'REFUND.TRANSACTION_NOT_SUCCEEDED',
    );
    expect(checkRefundable({ ...paid, paymentId: 'pay_2' }, ask, 0)?.code).toBe(
      'REFUND.TRANSACTION_MISMATCH',
    );
    expect(checkRefundable({ ...paid, channel: 'WECHAT_PAY' }, ask, 0)?.code).toBe(
      'REFUND.TRANSACTION_MISMATCH',
    );
    expect(checkRefundable({ ...paid, currency: 'USD' }, ask, 0)?.code).toBe(
      'REFUND.CURRENCY_MISMATCH',
    );
    expect(checkRefundable(paid, { ...ask, amountMinor: 0 }, 0)?.code).toBe(
      'REFUND.INVALID_AMOUNT',
    );
  });

  it('acts on each answer of the channel', () => {
    expect(decideAfterAnswer('SUBMIT', { status: 'SUCCEEDED' }, 1, settings)).toEqual({
      kind: 'succeed',
      confirmedBy: 'SYNC_RESPONSE',
    });
    expect(decideAfterAnswer('QUERY', { status: 'SUCCEEDED' }, 3, settings)).toEqual({
      kind: 'succeed',
      confirmedBy: 'ACTIVE_QUERY',
    });
    expect(
      decideAfterAnswer(
        'SUBMIT',
        { status: 'FAILED', failureCode: 'ACQ.TRADE_NOT_ALLOW_REFUND', failureMessage: 'no' },
        1,
        settings,
      ),
    ).toEqual({ kind: 'fail', code: 'ACQ.TRADE_NOT_ALLOW_REFUND', message: 'no' });
    expect(decideAfterAnswer('QUERY', { status: 'FAILED' }, 1, settings)).toMatchObject({
      kind: 'fail',
      code: 'CHANNEL.REFUND_REFUSED',
    });
    expect(decideAfterAnswer('SUBMIT', { status: 'PROCESSING' }, 1, settings)).toEqual({
      kind: 'await',
      stage: 'QUERY',
      delayMs: 1000,
    });
    expect(decideAfterAnswer('QUERY', { status: 'PROCESSING' }, 3, settings)).toEqual({
      kind: 'await',
      stage: 'QUERY',
      delayMs: 4000,
    });
    // A ceiling below the first query's wait does not bring the query forward.
    expect(
      decideAfterAnswer('SUBMIT', { status: 'PROCESSING' }, 1, {
        queryAfterMs: 5000,
        maxDelayMs: 2000,
      }),
    ).toMatchObject({ delayMs: 5000 });
    expect(decideAfterAnswer('QUERY', { status: 'NOT_FOUND' }, 2, settings)).toEqual({
      kind: 'resubmit',
    });
  });

  it('backs off exponentially up to a ceiling', () => {
    expect([1, 2, 3, 4, 5, 50].map((n) => backoffMs(n, 1000, 8000))).toEqual([
      1000, 2000, 4000, 8000, 8000, 8000,
    ]);
    expect(backoffMs(0, 1000, 8000)).toBe(1000);
  });

  it('applies a notification once, and holds a contradicting one', () => {
    const pending = { status: 'PENDING' as const, amountMinor: 400, currency: 'CNY' };
    const success = { status: 'SUCCEEDED' as const, amountMinor: 400, currency: 'CNY' };
    expect(decideOnNotification(pending, success)).toBe('apply');
    expect(decideOnNotification({ ...pending, status: 'SUCCEEDED' }, success)).toBe('duplicate');
    expect(decideOnNotification({ ...pending, status: 'FAILED' }, success)).toBe('mismatch');
    expect(
      decideOnNotification({ ...pending, status: 'FAILED' }, { ...success, status: 'FAILED' }),
    ).toBe('duplicate');
    expect(decideOnNotification(pending, { ...success, amountMinor: 401 })).toBe('mismatch');
  });
});
