/**
 * Settlement's refund clearing (退款清分), late payments in and out of suspense (迟到支付挂账) and
 * per-account channel costs, on real Postgres and Kafka: the real settlement service runs
 * in-process on a database of its own; cashier's events (PaymentOrderSucceededV2,
 * LatePaymentRecorded, RefundSucceeded) go onto the real topics as cashier's outbox would put
 * them; everything is asserted through the service's REST API and its tables.
 */
import { randomBytes } from 'node:crypto';
import {
  DeadLetterHeaders,
  LatePaymentRecorded,
  PaymentOrderSucceeded,
  PaymentOrderSucceededV2,
  RefundSucceeded,
  Topics,
  type EventContract,
  type PayloadOf,
} from '@paylab/contracts';
import { newId } from '@paylab/ids';
import { publishEvent } from '@paylab/messaging';
import { deadLetterOf as findDeadLetter, waitFor } from '@paylab/testing';
import type { ClearingView } from '../../../services/settlement/src/clearing/clearing.views';
import type { LatePaymentClearingView } from '../../../services/settlement/src/late-payments/late-payment-clearings.service';
import type { RefundClearingView } from '../../../services/settlement/src/refunds/refund-clearings.service';
import type {
  AccountView,
  MerchantBalancesView,
} from '../../../services/settlement/src/ledger/ledger.views';
import { startSettlementUnderTest, type SettlementUnderTest } from './settlement-under-test';

const ACCOUNT_A = 'cha_01M85DMB00EHTE541GQYE3T4TM';
const ACCOUNT_B = 'cha_01M85DMB00EHTE541GQYE3T4TQ';

type PaidOrder = PayloadOf<typeof PaymentOrderSucceededV2>;
type LatePayment = PayloadOf<typeof LatePaymentRecorded>;
type Refund = PayloadOf<typeof RefundSucceeded>;

const cny = (amountMinor: number) => ({ amountMinor, currency: 'CNY' as const });
const tradeNo = () => `2026120122001${randomBytes(5).toString('hex')}`;

describe('settlement: refunds, late payments and per-account costs (real Postgres and Kafka)', () => {
  let settlement: SettlementUnderTest;

  beforeAll(async () => {
    settlement = await startSettlementUnderTest('settlement-refunds', { consumer: 'latest' });
  });

  afterAll(() => settlement?.stop());

  // ---- helpers -------------------------------------------------------------------------

  const paidOrder = (overrides: Partial<PaidOrder> = {}): PaidOrder => ({
    transactionId: newId('txn'),
    paymentId: newId('pay'),
    merchantId: newId('mch'),
    channel: 'ALIPAY',
    channelTradeNo: tradeNo(),
    amount: cny(10_000),
    paidAt: new Date().toISOString(),
    succeededAt: new Date().toISOString(),
    businessDate: '2026-12-01',
    ...overrides,
  });

  const refundOf = (
    payment: { transactionId: string; paymentId: string; merchantId: string },
    amountMinor: number,
    overrides: Partial<Refund> = {},
  ): Refund => ({
    refundId: newId('ref'),
    paymentId: payment.paymentId,
    merchantId: payment.merchantId,
    transactionId: payment.transactionId,
    kind: 'MERCHANT_REFUND',
    channel: 'ALIPAY',
    amount: cny(amountMinor),
    channelRefundNo: `RF${randomBytes(6).toString('hex')}`,
    succeededAt: new Date().toISOString(),
    businessDate: '2026-12-01',
    ...overrides,
  });

  const publish = <C extends EventContract>(contract: C, payload: PayloadOf<C>) =>
    publishEvent(settlement.kafka, contract, payload, {
      key: (payload as { paymentId: string }).paymentId,
      producer: 'it-cashier',
    });

  const get = <T>(path: string) => settlement.get<T>(path, { role: 'admin' });

  const found = <T>(path: string, until: (body: T) => boolean = () => true) =>
    waitFor(
      path,
      () => get<T>(path),
      (response) => response.status === 200 && until(response.body),
      { timeoutMs: 60_000, intervalMs: 100 },
    ).then((response) => response.body);

  const clearingOf = (transactionId: string) =>
    found<ClearingView>(`/v1/clearings/${transactionId}`);
  const refundClearingOf = (refundId: string) =>
    found<RefundClearingView>(`/v1/refund-clearings/${refundId}`);
  const balanceOf = async (merchantId: string) =>
    (await get<MerchantBalancesView>(`/v1/merchants/${merchantId}/balances`)).body.balances;
  const lines = (journal: ClearingView['journal']) =>
    journal.lines.map((line) => `${line.side} ${line.account} ${line.amount.amountMinor}`);

  const deadLetterOf = (topic: string, messageId: string) =>
    findDeadLetter(settlement.kafka, topic, messageId, settlement.consumerGroup, 60_000);

  // ---- payments from cashier's verdict --------------------------------------------------

  it('ignores payment_order.succeeded v1 (no channel facts) and clears the v2 of the same order once', async () => {
    const order = paidOrder();
    await publish(PaymentOrderSucceeded, {
      paymentId: order.paymentId,
      merchantId: order.merchantId,
      amount: order.amount,
      transactionId: order.transactionId,
      succeededAt: order.succeededAt,
    });
    await publish(PaymentOrderSucceededV2, order);
    await publish(PaymentOrderSucceededV2, order); // re-published: a new message id
    const clearing = await clearingOf(order.transactionId);
    expect(clearing.merchantNet).toEqual(cny(9_940));
    // A sentinel after them on the same key: once it is cleared, the others were handled.
    const sentinel = paidOrder({ paymentId: order.paymentId, merchantId: order.merchantId });
    await publish(PaymentOrderSucceededV2, { ...sentinel, amount: cny(1) });
    await clearingOf(sentinel.transactionId);
    const counted = await settlement.db.query(
      `SELECT count(*)::int AS n FROM clearings WHERE payment_id = $1`,
      [order.paymentId],
    );
    expect(counted.rows[0].n).toBe(2);
    expect(await balanceOf(order.merchantId)).toEqual([
      { currency: 'CNY', pending: cny(9_940 + 1), available: cny(0), negative: false },
    ]);
  });

  it('costs a payment at its channel account’s rate: account A 0.38 %, account B 0.30 %, none the channel default', async () => {
    const onA = paidOrder({ channelAccountId: ACCOUNT_A, amount: cny(1_000_000) });
    const onB = paidOrder({ channelAccountId: ACCOUNT_B, amount: cny(1_000_000) });
    const unknown = paidOrder({ channelAccountId: newId('cha'), amount: cny(1_000_000) });
    for (const order of [onA, onB, unknown]) await publish(PaymentOrderSucceededV2, order);
    expect(await clearingOf(onA.transactionId)).toMatchObject({
      channelAccountId: ACCOUNT_A,
      channelCost: cny(3_800),
      channelCostRatePpm: 3_800,
      channelCostRateSource: 'CHANNEL_ACCOUNT',
      platformMargin: cny(6_000 - 3_800),
    });
    expect(await clearingOf(onB.transactionId)).toMatchObject({
      channelAccountId: ACCOUNT_B,
      channelCost: cny(3_000),
      channelCostRatePpm: 3_000,
      channelCostRateSource: 'CHANNEL_ACCOUNT',
      platformMargin: cny(6_000 - 3_000),
    });
    expect(await clearingOf(unknown.transactionId)).toMatchObject({
      channelCost: cny(3_800),
      channelCostRateSource: 'CHANNEL_DEFAULT',
    });
  });

  // ---- late payments ------------------------------------------------------------------

  it('holds a late payment in suspense and returns it: both legs in the ledger, the merchant never credited', async () => {
    const late: LatePayment = {
      transactionId: newId('txn'),
      paymentId: newId('pay'),
      merchantId: newId('mch'),
      amount: cny(8_800),
      reason: 'ORDER_CLOSED',
      refundId: newId('ref'),
      recordedAt: new Date().toISOString(),
      channel: 'ALIPAY',
      channelAccountId: ACCOUNT_A,
      channelTradeNo: tradeNo(),
      paidAt: new Date().toISOString(),
      businessDate: '2026-12-01',
    };
    await publish(LatePaymentRecorded, late);
    const held = await found<LatePaymentClearingView>(
      `/v1/late-payment-clearings/${late.transactionId}`,
    );
    expect(held).toMatchObject({
      status: 'IN_SUSPENSE',
      refundId: late.refundId,
      gross: cny(8_800),
      returnJournal: null,
    });
    expect(lines(held.journal)).toEqual([
      'DEBIT CHANNEL_RECEIVABLE:ALIPAY 8800',
      'CREDIT LATE_PAYMENT_SUSPENSE 8800',
    ]);
    expect(await balanceOf(late.merchantId)).toEqual([]);
    expect((await get(`/v1/clearings/${late.transactionId}`)).status).toBe(404);

    await publish(
      RefundSucceeded,
      refundOf(late, 8_800, { refundId: late.refundId, kind: 'LATE_PAYMENT_RETURN' }),
    );
    const returned = await found<LatePaymentClearingView>(
      `/v1/late-payment-clearings/${late.transactionId}`,
      (body) => body.status === 'RETURNED',
    );
    expect(lines(returned.returnJournal!)).toEqual([
      'DEBIT LATE_PAYMENT_SUSPENSE 8800',
      'CREDIT CHANNEL_RECEIVABLE:ALIPAY 8800',
    ]);
    expect(await refundClearingOf(late.refundId)).toMatchObject({
      kind: 'LATE_PAYMENT_RETURN',
      originalClearingId: held.clearingId,
      refund: cny(8_800),
      feePolicy: null,
    });

    // Both legs are visible on the suspense account itself, and net to zero for this payment.
    const suspense = await get<AccountView>('/v1/ledger/accounts/LATE_PAYMENT_SUSPENSE');
    expect(suspense.status).toBe(200);
    expect(suspense.body).toMatchObject({
      type: 'LIABILITY',
      normalSide: 'CREDIT',
      nameZh: '暂收款-迟到支付',
    });
    const legs = suspense.body.lines.filter((line) =>
      [held.journal.id, returned.returnJournal!.id].includes(line.entryId),
    );
    expect(legs.map((line) => `${line.side} ${line.amount.amountMinor}`).sort()).toEqual([
      'CREDIT 8800',
      'DEBIT 8800',
    ]);
    expect(await balanceOf(late.merchantId)).toEqual([]);
  });

  it('dead-letters a late payment for a transaction already cleared as the merchant’s, and a return of an unknown refund id', async () => {
    const order = paidOrder();
    await publish(PaymentOrderSucceededV2, order);
    await clearingOf(order.transactionId);
    const conflicting = await publish(LatePaymentRecorded, {
      ...order,
      reason: 'PAID_TWICE',
      refundId: newId('ref'),
      recordedAt: new Date().toISOString(),
    });
    const letter = await deadLetterOf(Topics.paymentOrders.name, conflicting);
    expect(letter.headers[DeadLetterHeaders.reason]).toMatch(
      /^permanent failure: SETTLEMENT.CONFLICTING_VERDICT: transaction txn_\w+ was already cleared/,
    );
    const returned = await publish(
      RefundSucceeded,
      refundOf(order, 10_000, { kind: 'LATE_PAYMENT_RETURN' }),
    );
    expect(
      (await deadLetterOf(Topics.refunds.name, returned)).headers[DeadLetterHeaders.reason],
    ).toMatch(/^permanent failure: SETTLEMENT.CONFLICTING_VERDICT: refund ref_\w+ returns/);
  });

  // ---- merchant refunds ---------------------------------------------------------------

  it('PRO_RATA: two partial refunds give back exactly the fee and cost taken, the payable ends at zero', async () => {
    const order = paidOrder({ amount: cny(10_000) });
    await publish(PaymentOrderSucceededV2, order);
    const clearing = await clearingOf(order.transactionId);
    const first = refundOf(order, 3_000);
    await publish(RefundSucceeded, first);
    const firstCleared = await refundClearingOf(first.refundId);
    expect(firstCleared).toMatchObject({
      kind: 'MERCHANT_REFUND',
      originalClearingId: clearing.clearingId,
      feePolicy: 'PRO_RATA',
      refund: cny(3_000),
      merchantFeeRefund: cny(18),
      channelCostRefund: cny(11),
      platformMarginRefund: cny(7),
      merchantNetRefund: cny(2_982),
    });
    expect(lines(firstCleared.journal)).toEqual([
      `DEBIT MERCHANT_PAYABLE_PENDING:${order.merchantId} 2982`,
      'DEBIT FEE_REVENUE 18',
      'CREDIT CHANNEL_RECEIVABLE:ALIPAY 2989',
      'CREDIT CHANNEL_COST 11',
    ]);
    expect(await balanceOf(order.merchantId)).toEqual([
      { currency: 'CNY', pending: cny(9_940 - 2_982), available: cny(0), negative: false },
    ]);

    const rest = refundOf(order, 7_000);
    await publish(RefundSucceeded, rest);
    await publish(RefundSucceeded, rest); // re-published: cleared once
    expect(await refundClearingOf(rest.refundId)).toMatchObject({
      merchantFeeRefund: cny(60 - 18),
      channelCostRefund: cny(38 - 11),
      merchantNetRefund: cny(7_000 - 42),
    });
    // Same key, after both: once it is handled, so are they.
    const sentinel = paidOrder({ paymentId: order.paymentId });
    await publish(PaymentOrderSucceededV2, sentinel);
    await clearingOf(sentinel.transactionId);
    expect(await balanceOf(order.merchantId)).toEqual([
      { currency: 'CNY', pending: cny(0), available: cny(0), negative: false },
    ]);
    const counted = await settlement.db.query(
      `SELECT count(*)::int AS n FROM refund_clearings WHERE payment_clearing_id = $1`,
      [clearing.clearingId],
    );
    expect(counted.rows[0].n).toBe(2);

    // A third refund would exceed what was paid: parked for a person, nothing booked.
    const tooMuch = await publish(RefundSucceeded, refundOf(order, 1));
    expect(
      (await deadLetterOf(Topics.refunds.name, tooMuch)).headers[DeadLetterHeaders.reason],
    ).toMatch(/^permanent failure: CLEARING.REFUND_EXCEEDS_GROSS: /);
  });

  it('KEEP: no fee comes back, the cost share does; a refund beyond the balance leaves it negative, visibly', async () => {
    const merchantId = newId('mch');
    await settlement.db.query(
      `INSERT INTO refund_fee_policies (merchant_id, channel, policy, note) VALUES ($1, 'ALIPAY', 'KEEP', 'it: fee kept')`,
      [merchantId],
    );
    const order = paidOrder({ merchantId, amount: cny(10_000) });
    await publish(PaymentOrderSucceededV2, order);
    await clearingOf(order.transactionId);
    const partial = refundOf(order, 3_000);
    await publish(RefundSucceeded, partial);
    const cleared = await refundClearingOf(partial.refundId);
    expect(cleared).toMatchObject({
      feePolicy: 'KEEP',
      merchantFeeRefund: cny(0),
      channelCostRefund: cny(11),
      platformMarginRefund: cny(-11),
      merchantNetRefund: cny(3_000),
    });
    expect(lines(cleared.journal)).toEqual([
      `DEBIT MERCHANT_PAYABLE_PENDING:${merchantId} 3000`,
      'CREDIT CHANNEL_RECEIVABLE:ALIPAY 2989',
      'CREDIT CHANNEL_COST 11',
    ]);
    expect(await balanceOf(merchantId)).toEqual([
      { currency: 'CNY', pending: cny(6_940), available: cny(0), negative: false },
    ]);

    // The rest of the payment: 7,000 more than the 6,940 still owed. Posted anyway.
    const rest = refundOf(order, 7_000);
    await publish(RefundSucceeded, rest);
    expect(await refundClearingOf(rest.refundId)).toMatchObject({
      merchantFeeRefund: cny(0),
      channelCostRefund: cny(27),
    });
    expect(await balanceOf(merchantId)).toEqual([
      { currency: 'CNY', pending: cny(-60), available: cny(0), negative: true },
    ]);
  });

  it('a refund that arrives before its payment is cleared is parked, then cleared with the payment (not dead-lettered)', async () => {
    const order = paidOrder({ amount: cny(5_000) });
    const early = refundOf(order, 5_000);
    await publish(RefundSucceeded, early);
    const parked = await waitFor(
      `parked refund ${early.refundId}`,
      async () =>
        (
          await settlement.db.query(
            `SELECT transaction_id, failure_reason FROM parked_refunds WHERE refund_id = $1`,
            [early.refundId],
          )
        ).rows,
      (rows) => rows.length === 1,
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    expect(parked[0]).toEqual({ transaction_id: order.transactionId, failure_reason: null });
    const waiting = await get<{ error: { message: string } }>(
      `/v1/refund-clearings/${early.refundId}`,
    );
    expect(waiting.status).toBe(404);
    expect(waiting.body.error.message).toContain(`waits for the clearing of transaction`);

    // The payment's verdict comes later, on its own topic: the refund clears with it.
    await publish(PaymentOrderSucceededV2, order);
    const cleared = await refundClearingOf(early.refundId);
    expect(cleared).toMatchObject({
      refund: cny(5_000),
      merchantFeeRefund: cny(30),
      channelCostRefund: cny(19),
    });
    expect(await balanceOf(order.merchantId)).toEqual([
      { currency: 'CNY', pending: cny(0), available: cny(0), negative: false },
    ]);
    const left = await settlement.db.query(`SELECT 1 FROM parked_refunds WHERE refund_id = $1`, [
      early.refundId,
    ]);
    expect(left.rowCount).toBe(0);
  });

  it('a late payment return that arrives before the late payment is parked too, and empties the suspense once it comes', async () => {
    const late: LatePayment = {
      transactionId: newId('txn'),
      paymentId: newId('pay'),
      merchantId: newId('mch'),
      amount: cny(1_200),
      reason: 'ORDER_FAILED',
      refundId: newId('ref'),
      recordedAt: new Date().toISOString(),
      channel: 'ALIPAY',
      channelTradeNo: tradeNo(),
      paidAt: new Date().toISOString(),
      businessDate: '2026-12-01',
    };
    await publish(
      RefundSucceeded,
      refundOf(late, 1_200, { refundId: late.refundId, kind: 'LATE_PAYMENT_RETURN' }),
    );
    await waitFor(
      'parked return',
      async () =>
        (
          await settlement.db.query(`SELECT 1 FROM parked_refunds WHERE refund_id = $1`, [
            late.refundId,
          ])
        ).rowCount,
      (n) => n === 1,
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    await publish(LatePaymentRecorded, late);
    const returned = await found<LatePaymentClearingView>(
      `/v1/late-payment-clearings/${late.transactionId}`,
      (body) => body.status === 'RETURNED',
    );
    expect(returned.returnJournal?.totalDebits).toEqual(cny(1_200));
  });

  it('answers bad ids and accounts in the documented error shape', async () => {
    expect((await get('/v1/refund-clearings/pay_nope')).status).toBe(400);
    const unknown = await get<{ error: { code: string } }>(`/v1/refund-clearings/${newId('ref')}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('REFUND_CLEARING.NOT_FOUND');
    const late = await get<{ error: { code: string } }>(
      `/v1/late-payment-clearings/${newId('txn')}`,
    );
    expect(late.status).toBe(404);
    expect(late.body.error.code).toBe('LATE_PAYMENT_CLEARING.NOT_FOUND');
    const badAccount = await get<{ error: { code: string; param: string } }>(
      '/v1/ledger/accounts/NOT_AN_ACCOUNT',
    );
    expect(badAccount.status).toBe(400);
    expect(badAccount.body.error).toMatchObject({
      code: 'REQUEST.VALIDATION_FAILED',
      param: 'account',
    });
  });
});
