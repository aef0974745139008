import {
  checkNewRefund,
  checkRefundReplay,
  isFullyRefunded,
  RefundRefused,
  refundStateAt,
} from './refund';

const paid = { status: 'TRADE_SUCCESS' as const, amountMinor: 1000, refundedMinor: 0 };

function refusalOf(action: () => void): string | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof RefundRefused) return error.refusal;
    throw error;
  }
  return undefined;
}

describe('sandbox refund rules', () => {
  it('allows partial refunds up to what was paid, and no more', () => {
    expect(refusalOf(() => checkNewRefund(paid, 400))).toBeUndefined();
    expect(refusalOf(() => checkNewRefund({ ...paid, refundedMinor: 600 }, 400))).toBeUndefined();
    expect(refusalOf(() => checkNewRefund({ ...paid, refundedMinor: 600 }, 401))).toBe(
      'AMOUNT_EXCEEDS',
    );
    expect(refusalOf(() => checkNewRefund(paid, 0))).toBe('AMOUNT_EXCEEDS');
    expect(refusalOf(() => checkNewRefund(paid, 1.5))).toBe('AMOUNT_EXCEEDS');
  });

  it('refuses refunds of unpaid or closed trades', () => {
    expect(refusalOf(() => checkNewRefund({ ...paid, status: 'WAIT_BUYER_PAY' }, 1))).toBe(
      'TRADE_NOT_PAID',
    );
    expect(refusalOf(() => checkNewRefund({ ...paid, status: 'TRADE_CLOSED' }, 1))).toBe(
      'TRADE_NOT_PAID',
    );
  });

  it('answers a replay with the same trade and amount, refuses a changed one', () => {
    const existing = { tradeNo: 'T1', amountMinor: 300 };
    expect(refusalOf(() => checkRefundReplay(existing, existing))).toBeUndefined();
    expect(refusalOf(() => checkRefundReplay(existing, { tradeNo: 'T1', amountMinor: 301 }))).toBe(
      'REQUEST_MISMATCH',
    );
    expect(refusalOf(() => checkRefundReplay(existing, { tradeNo: 'T2', amountMinor: 300 }))).toBe(
      'REQUEST_MISMATCH',
    );
  });

  it('is PROCESSING until its outcome is due', () => {
    const completesAt = new Date('2026-01-01T00:00:10Z');
    const before = new Date('2026-01-01T00:00:09Z');
    expect(refundStateAt({ outcome: 'SUCCESS', completesAt }, before)).toBe('PROCESSING');
    expect(refundStateAt({ outcome: 'SUCCESS', completesAt }, completesAt)).toBe('SUCCESS');
    expect(refundStateAt({ outcome: 'ABNORMAL', completesAt }, completesAt)).toBe('ABNORMAL');
  });

  it('knows a fully refunded trade', () => {
    expect(isFullyRefunded({ ...paid, refundedMinor: 1000 })).toBe(true);
    expect(isFullyRefunded({ ...paid, refundedMinor: 999 })).toBe(false);
    expect(isFullyRefunded({ ...paid, status: 'WAIT_BUYER_PAY', amountMinor: 0 })).toBe(false);
  });
});
