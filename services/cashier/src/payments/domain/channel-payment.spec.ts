import { newId } from '@paylab/ids';
import { Money } from '@paylab/money';
import { applyChannelPayment, type ConfirmedChannelPayment } from './channel-payment';
import { PaymentOrder } from './payment-order';

const T0 = new Date('2025-03-01T02:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const MERCHANT_ID = newId('mch', T0.getTime());

const created = () =>
  PaymentOrder.create(
    {
      merchantId: MERCHANT_ID,
      appId: newId('app', T0.getTime()),
      merchantOrderNo: 'ORDER-1',
      amount: Money.of(1_999, 'CNY'),
      subject: 'Latte 拿铁',
      expiresInSeconds: 60,
    },
    T0,
  ).order;

const paymentFor = (
  order: PaymentOrder,
  overrides: Partial<ConfirmedChannelPayment> = {},
): ConfirmedChannelPayment => ({
  transactionId: newId('txn'),
  paymentId: order.id,
  merchantId: order.merchantId,
  channel: 'ALIPAY',
  amountMinor: 1_999,
  currency: 'CNY',
  paidAt: at(20),
  ...overrides,
});

describe('applyChannelPayment (cashier side of step 5 of the payment walkthrough)', () => {
  it('moves a CREATED order to SUCCEEDED with the transaction, channel and paid time', () => {
    const order = created();
    const payment = paymentFor(order);
    const decision = applyChannelPayment(order, payment, at(21));
    expect(decision.kind).toBe('succeeded');
    if (decision.kind !== 'succeeded') return;
    expect(decision.transition.order).toMatchObject({
      state: 'SUCCEEDED',
      transactionId: payment.transactionId,
      channel: 'ALIPAY',
      succeededAt: at(20),
      version: 2,
    });
    expect(decision.transition.event).toEqual({
      type: 'payment_order.succeeded',
      payload: {
        paymentId: order.id,
        merchantId: MERCHANT_ID,
        amount: { amountMinor: 1_999, currency: 'CNY' },
        transactionId: payment.transactionId,
        succeededAt: at(20).toISOString(),
      },
    });
  });

  it('moves a PROCESSING order at the same channel to SUCCEEDED', () => {
    const order = created().startProcessing('WECHAT_PAY', at(5)).order;
    const decision = applyChannelPayment(
      order,
      paymentFor(order, { channel: 'WECHAT_PAY' }),
      at(21),
    );
    expect(decision.kind).toBe('succeeded');
  });

  it('accepts a payment that arrives after the order expired but before it was closed', () => {
    const order = created();
    expect(applyChannelPayment(order, paymentFor(order), at(3_600)).kind).toBe('succeeded');
  });

  it('treats the same transaction again as a duplicate with no effect', () => {
    const order = created();
    const payment = paymentFor(order);
    const decision = applyChannelPayment(order, payment, at(21));
    if (decision.kind !== 'succeeded') throw new Error('expected success');
    expect(applyChannelPayment(decision.transition.order, payment, at(40))).toEqual({
      kind: 'duplicate',
    });
  });

  it('records a second, different transaction for a paid order as PAID_TWICE', () => {
    const order = created();
    const decision = applyChannelPayment(order, paymentFor(order), at(21));
    if (decision.kind !== 'succeeded') throw new Error('expected success');
    expect(applyChannelPayment(decision.transition.order, paymentFor(order), at(40))).toEqual({
      kind: 'late',
      reason: 'PAID_TWICE',
    });
  });

  it('never turns a CLOSED order into a success: ORDER_CLOSED', () => {
    const closed = created().close('MERCHANT_REQUEST', at(10)).order;
    expect(applyChannelPayment(closed, paymentFor(closed), at(21))).toEqual({
      kind: 'late',
      reason: 'ORDER_CLOSED',
    });
  });

  it('never turns a FAILED order into a success: ORDER_FAILED', () => {
    const failed = created().startProcessing('ALIPAY', at(5)).order.markFailed('X', at(6)).order;
    expect(applyChannelPayment(failed, paymentFor(failed), at(21))).toEqual({
      kind: 'late',
      reason: 'ORDER_FAILED',
    });
  });

  it.each([
    ['another merchant', { merchantId: newId('mch') }, 'CASHIER.MERCHANT_MISMATCH'],
    ['another amount', { amountMinor: 1_998 }, 'CASHIER.AMOUNT_MISMATCH'],
    ['another currency', { currency: 'USD' }, 'CASHIER.AMOUNT_MISMATCH'],
    ['an invalid transaction id', { transactionId: 'txn_nope' }, 'PAYMENT.INVALID_TRANSACTION_ID'],
  ])('rejects a payment with %s (%s)', (_name, overrides, code) => {
    const order = created();
    const decision = applyChannelPayment(order, paymentFor(order, overrides), at(21));
    expect(decision).toEqual({ kind: 'rejected', code, message: expect.any(String) });
  });

  it('rejects a payment from another channel than the one the order is processing at', () => {
    const order = created().startProcessing('WECHAT_PAY', at(5)).order;
    expect(applyChannelPayment(order, paymentFor(order, { channel: 'ALIPAY' }), at(21))).toEqual({
      kind: 'rejected',
      code: 'PAYMENT.CHANNEL_MISMATCH',
      message: expect.stringContaining('WECHAT_PAY'),
    });
  });

  it('checks the merchant before the state, so a foreign event never reveals or touches one', () => {
    const closed = created().close('MERCHANT_REQUEST', at(10)).order;
    expect(
      applyChannelPayment(closed, paymentFor(closed, { merchantId: newId('mch') }), at(21)).kind,
    ).toBe('rejected');
  });
});
