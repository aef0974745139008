import { Money, Rate } from '@paylab/money';
import { clearPayment, clearRefund } from './clearing';
import { applyRefundFeePolicy, isRefundFeePolicy } from './refund-fee-policy';

const cny = (fen: number) => Money.of(fen, 'CNY');
const payment = clearPayment({
  gross: cny(10_000),
  schedule: {
    merchantFeeRate: Rate.percentString('0.60%'),
    channelCostRate: Rate.percentString('0.38%'),
  },
});

describe('applyRefundFeePolicy', () => {
  it('PRO_RATA keeps the cumulative pro-rata shares as they are', () => {
    const refund = clearRefund(cny(3_000), payment);
    expect(applyRefundFeePolicy(refund, 'PRO_RATA')).toBe(refund);
    expect(refund.merchantFeeRefund).toEqual(cny(18));
    expect(refund.channelCostRefund).toEqual(cny(11));
  });

  it('KEEP gives no fee back, still takes the channel cost share back, and stays consistent', () => {
    const kept = applyRefundFeePolicy(clearRefund(cny(3_000), payment), 'KEEP');
    expect(kept.merchantFeeRefund).toEqual(cny(0));
    expect(kept.channelCostRefund).toEqual(cny(11));
    expect(kept.platformMarginRefund).toEqual(cny(-11));
    expect(kept.merchantNetRefund).toEqual(cny(3_000));
    expect(kept.merchantNetRefund.add(kept.merchantFeeRefund)).toEqual(kept.refundAmount);
    expect(Object.isFrozen(kept)).toBe(true);
  });

  it('refuses an unknown policy', () => {
    expect(() => applyRefundFeePolicy(clearRefund(cny(1), payment), 'HALF' as never)).toThrow(
      expect.objectContaining({ code: 'CLEARING.INVALID_FEE_SCHEDULE' }),
    );
    expect(isRefundFeePolicy('KEEP')).toBe(true);
    expect(isRefundFeePolicy('keep')).toBe(false);
  });
});
