/**
 * Settlement's clearing (清分) end to end on real Postgres and Kafka: the real settlement service
 * definition runs in-process on a database of its own, PaymentOrderSucceededV2 events (cashier's
 * verdict that the order was paid) go onto the real topic with the headers cashier's outbox would
 * give them, and everything is asserted
 * through the service's REST API, its tables and the topics it writes to.
 */
import { deadLetterOf as findDeadLetter } from '@paylab/testing';
import { randomBytes } from 'node:crypto';
import {
  DeadLetterHeaders,
  PaymentOrderSucceededV2,
  MessageHeaders,
  Topics,
  type PayloadOf,
} from '@paylab/contracts';
import { newId } from '@paylab/ids';
import { publishEvent, readTopic, type ReadMessage } from '@paylab/messaging';
import { waitFor } from '@paylab/testing';
import type { ClearingView } from '../../../services/settlement/src/clearing/clearing.views';
import type {
  MerchantBalancesView,
  TrialBalanceView,
} from '../../../services/settlement/src/ledger/ledger.views';
import { CLEARING_CONSUMER } from '../../../services/settlement/src/clearing/payment-orders.consumer';
import { startSettlementUnderTest, type SettlementUnderTest } from './settlement-under-test';

type ChannelPayment = PayloadOf<typeof PaymentOrderSucceededV2>;
type Channel = ChannelPayment['channel'];
interface ErrorBody {
  error: { type: string; code: string; message: string; param?: string; requestId?: string };
}

/** The demo rates the migration seeds, in ppm. */
const MERCHANT_FEE_PPM = 6_000;
const CHANNEL_COST_PPM: Record<Channel, number> = {
  ALIPAY: 3_800,
  WECHAT_PAY: 3_800,
  UNIONPAY: 3_000,
};

/** HALF_UP to the fen, computed here independently of @paylab/money. */
const halfUp = (amountMinor: number, ppm: number) =>
  Math.floor((amountMinor * ppm + 500_000) / 1_000_000);

const cny = (amountMinor: number) => ({ amountMinor, currency: 'CNY' as const });

describe("settlement clears paid orders from cashier's verdict (real Postgres and Kafka)", () => {
  let settlement: SettlementUnderTest;

  beforeAll(async () => {
    settlement = await startSettlementUnderTest('settlement');
  });

  afterAll(() => settlement?.stop());

  // ---- helpers -------------------------------------------------------------------------

  const channelPayment = (overrides: Partial<ChannelPayment> = {}): ChannelPayment => ({
    transactionId: newId('txn'),
    paymentId: newId('pay'),
    merchantId: newId('mch'),
    channel: 'ALIPAY',
    channelTradeNo: `2026112422001${randomBytes(5).toString('hex')}`,
    amount: cny(10_000),
    paidAt: new Date().toISOString(),
    succeededAt: new Date().toISOString(),
    businessDate: '2026-11-24',
    ...overrides,
  });

  /** Publishes as cashier's outbox relay would: key = payment id, envelope in headers. */
  const publish = async (
    payload: unknown,
    options: { messageId?: string; correlationId?: string; key?: string } = {},
  ): Promise<string> => {
    return publishEvent(settlement.kafka, PaymentOrderSucceededV2, payload, {
      ...options,
      key: options.key ?? (payload as { paymentId: string }).paymentId,
      producer: 'it-cashier',
    });
  };

  /** As a viewer: reading clearings and balances needs no more. */
  const get = <T>(path: string) => settlement.get<T>(path, { role: 'viewer' });

  const clearingOf = async (transactionId: string) => {
    const { body } = await waitFor(
      `clearing of ${transactionId}`,
      () => get<ClearingView>(`/v1/clearings/${transactionId}`),
      (response) => response.status === 200,
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    return body;
  };

  const count = async (sql: string, values: unknown[]): Promise<number> => {
    const result = await settlement.db.query<{ n: number }>(
      `SELECT COUNT(*)::int AS n FROM ${sql}`,
      values,
    );
    return result.rows[0].n;
  };

  const clearedEventsFor = async (transactionId: string, atLeast = 1): Promise<ReadMessage[]> =>
    waitFor(
      `PaymentCleared for ${transactionId}`,
      async () =>
        (
          await readTopic(settlement.kafka, Topics.clearings.name, {
            minMessages: 1,
            timeoutMs: 3_000,
          })
        ).filter((m) => m.value !== null && m.value.includes(transactionId)),
      (found) => found.length >= atLeast,
      { timeoutMs: 60_000, intervalMs: 500 },
    );

  /** Our group's dead letter for one message: other groups dead-letter the same poison too. */
  const deadLetterOf = (messageId: string): Promise<ReadMessage> =>
    findDeadLetter(
      settlement.kafka,
      Topics.paymentOrders.name,
      messageId,
      settlement.consumerGroup,
      60_000,
    );

  // ---- clearing ------------------------------------------------------------------------

  it('clears ¥100.00 via ALIPAY: fee 0.60, cost 0.38, margin 0.22, net 99.40, posted balanced', async () => {
    const payment = channelPayment({ amount: cny(10_000) });
    const correlationId = `it-corr-${randomBytes(4).toString('hex')}`;
    const messageId = await publish(payment, { correlationId });

    const clearing = await clearingOf(payment.transactionId);
    expect(clearing).toMatchObject({
      clearingId: expect.stringMatching(/^clr_[0-9A-Z]{26}$/),
      transactionId: payment.transactionId,
      paymentId: payment.paymentId,
      merchantId: payment.merchantId,
      channel: 'ALIPAY',
      channelAccountId: null,
      channelTradeNo: payment.channelTradeNo,
      gross: cny(10_000),
      merchantFee: cny(60),
      channelCost: cny(38),
      platformMargin: cny(22),
      merchantNet: cny(9_940),
      merchantFeeRatePpm: 6_000,
      channelCostRatePpm: 3_800,
      feeRateSource: 'CHANNEL_DEFAULT',
      channelCostRateSource: 'CHANNEL_DEFAULT',
      rounding: { merchantFee: 'HALF_UP', channelCost: 'HALF_UP' },
      businessDate: '2026-11-24',
    });
    expect(clearing.journal).toMatchObject({
      id: expect.stringMatching(/^jnl_/),
      totalDebits: cny(10_000),
      totalCredits: cny(10_000),
      balanced: true,
    });
    expect(
      clearing.journal.lines.map((line) => [line.side, line.account, line.amount.amountMinor]),
    ).toEqual([
      ['DEBIT', 'CHANNEL_RECEIVABLE:ALIPAY', 9_962],
      ['DEBIT', 'CHANNEL_COST', 38],
      ['CREDIT', `MERCHANT_PAYABLE_PENDING:${payment.merchantId}`, 9_940],
      ['CREDIT', 'FEE_REVENUE', 60],
    ]);

    // PaymentCleared reaches its topic, keyed and traced back to the payment event.
    const [event] = await clearedEventsFor(payment.transactionId);
    expect(event.key).toBe(payment.paymentId);
    expect(event.headers[MessageHeaders.eventType]).toBe('clearing.payment_cleared');
    expect(event.headers[MessageHeaders.producer]).toBe('settlement');
    expect(event.headers[MessageHeaders.correlationId]).toBe(correlationId);
    expect(event.headers[MessageHeaders.causationId]).toBe(messageId);
    expect(JSON.parse(event.value!)).toEqual({
      clearingId: clearing.clearingId,
      paymentId: payment.paymentId,
      transactionId: payment.transactionId,
      merchantId: payment.merchantId,
      gross: cny(10_000),
      merchantFee: cny(60),
      channelCost: cny(38),
      platformMargin: cny(22),
      merchantNet: cny(9_940),
      clearedAt: clearing.clearedAt,
    });
  });

  it('clears many payments: each as the rates say, the trial balance balances, the merchant is owed the sum of nets', async () => {
    const merchantId = newId('mch');
    const channels: Channel[] = ['ALIPAY', 'WECHAT_PAY', 'UNIONPAY'];
    // Edge amounts around the half-fen of 0.60 % (83 → 0.498 fen, 84 → 0.504 fen) and random ones.
    const amounts = [1, 83, 84, 250, 9_999_999];
    while (amounts.length < 20) amounts.push(1 + Math.floor(Math.random() * 5_000_000));
    const payments = amounts.map((amountMinor, index) =>
      channelPayment({ merchantId, amount: cny(amountMinor), channel: channels[index % 3] }),
    );
    for (const payment of payments) await publish(payment);

    let expectedNet = 0;
    for (const payment of payments) {
      const gross = payment.amount.amountMinor;
      const fee = halfUp(gross, MERCHANT_FEE_PPM);
      const cost = halfUp(gross, CHANNEL_COST_PPM[payment.channel]);
      expectedNet += gross - fee;
      const clearing = await clearingOf(payment.transactionId);
      expect({ gross, channel: payment.channel, ...pick(clearing) }).toEqual({
        gross,
        channel: payment.channel,
        merchantFee: fee,
        channelCost: cost,
        platformMargin: fee - cost,
        merchantNet: gross - fee,
        balanced: true,
      });
    }

    const balances = await get<MerchantBalancesView>(`/v1/merchants/${merchantId}/balances`);
    expect(balances.status).toBe(200);
    expect(balances.body).toEqual({
      merchantId,
      balances: [
        { currency: 'CNY', pending: cny(expectedNet), available: cny(0), negative: false },
      ],
    });

    // Debits = credits, and both equal every clearing's amount, summed independently from the
    // clearing tables (the shared broker may also carry late payments and refunds of other
    // suites, which this database clears too).
    const trial = await get<TrialBalanceView>('/v1/ledger/trial-balance');
    expect(trial.status).toBe(200);
    const sums = await settlement.db.query<{ total: string; n: number }>(
      `SELECT COALESCE(SUM(amount), 0)::text AS total, COUNT(*)::int AS n FROM (
         SELECT gross_minor AS amount FROM clearings WHERE currency = 'CNY'
         UNION ALL SELECT gross_minor FROM late_payment_clearings WHERE currency = 'CNY'
         UNION ALL SELECT refund_minor FROM refund_clearings WHERE currency = 'CNY') cleared`,
    );
    expect(trial.body).toEqual({
      balanced: true,
      entryCount: sums.rows[0].n,
      currencies: [
        {
          currency: 'CNY',
          totalDebits: cny(Number(sums.rows[0].total)),
          totalCredits: cny(Number(sums.rows[0].total)),
          balanced: true,
        },
      ],
      unbalancedEntryIds: [],
    });
    expect(sums.rows[0].n).toBeGreaterThanOrEqual(21);
  });

  it("uses a merchant's own rate over the channel default, and books a negative margin", async () => {
    const merchantId = newId('mch');
    await settlement.db.query(
      `INSERT INTO merchant_fee_rates (merchant_id, channel, fee_rate_ppm, note) VALUES ($1, 'ALIPAY', 3000, 'it: promotional')`,
      [merchantId],
    );
    const payment = channelPayment({ merchantId, amount: cny(10_000) });
    await publish(payment);
    const clearing = await clearingOf(payment.transactionId);
    expect(clearing).toMatchObject({
      merchantFee: cny(30),
      channelCost: cny(38),
      platformMargin: cny(-8),
      merchantNet: cny(9_970),
      merchantFeeRatePpm: 3_000,
      feeRateSource: 'MERCHANT',
    });
    expect(clearing.journal.balanced).toBe(true);
    const [event] = await clearedEventsFor(payment.transactionId);
    expect(JSON.parse(event.value!).platformMargin).toEqual(cny(-8));
  });

  // ---- duplicates ----------------------------------------------------------------------

  it('clears a transaction once: redelivered message, re-published event, and a conflicting one', async () => {
    const payment = channelPayment({ amount: cny(12_345) });
    const messageId = await publish(payment);
    await publish(payment, { messageId }); // redelivery: same message id (the inbox stops it)
    const republished = await publish(payment); // new message id, same transaction (UNIQUE stops it)
    const conflicting = await publish({ ...payment, amount: cny(99_999) });
    // Same key, so same partition, after the others: once it is cleared they have all been handled.
    const sentinel = channelPayment({ paymentId: payment.paymentId, amount: cny(1) });
    await publish(sentinel);
    await clearingOf(sentinel.transactionId);

    const clearing = await clearingOf(payment.transactionId);
    expect(clearing.gross).toEqual(cny(12_345));
    expect(await count('clearings WHERE transaction_id = $1', [payment.transactionId])).toBe(1);
    expect(
      await count('journal_lines WHERE account = $1', [
        `MERCHANT_PAYABLE_PENDING:${payment.merchantId}`,
      ]),
    ).toBe(1);
    expect(
      (await get<MerchantBalancesView>(`/v1/merchants/${payment.merchantId}/balances`)).body
        .balances[0].pending,
    ).toEqual(cny(12_345 - 74));
    // The inbox recorded the first message once and the re-published one as a (no-op) delivery.
    expect(
      await count('inbox_messages WHERE message_id = $1 AND consumer = $2', [
        messageId,
        CLEARING_CONSUMER,
      ]),
    ).toBe(1);
    expect(await count('inbox_messages WHERE message_id = $1', [republished])).toBe(1);

    // A different amount for an already-cleared transaction is not ignored: it is parked.
    const letter = await deadLetterOf(conflicting);
    expect(letter.headers[DeadLetterHeaders.reason]).toMatch(
      new RegExp(
        `^permanent failure: SETTLEMENT.CONFLICTING_DUPLICATE: transaction ${payment.transactionId} ` +
          `was already cleared as ${clearing.clearingId} with different facts: amountMinor 12345 ≠ 99999$`,
      ),
    );
    expect(await count('inbox_messages WHERE message_id = $1', [conflicting])).toBe(0);

    // Exactly one PaymentCleared for the transaction.
    await clearedEventsFor(sentinel.transactionId);
    expect(await clearedEventsFor(payment.transactionId)).toHaveLength(1);
  });

  // ---- bad input -----------------------------------------------------------------------

  it('dead-letters events it can never clear, with the reason, and writes nothing for them', async () => {
    const unknownChannel = channelPayment();
    const unknownChannelId = await publish({ ...unknownChannel, channel: 'PAYPAL' });
    const badMerchant = channelPayment();
    const badMerchantId = await publish({ ...badMerchant, merchantId: 'mch_nope' });
    const zero = channelPayment({ amount: cny(0) });
    const zeroId = await publish(zero);
    const negative = channelPayment({ amount: cny(-100) });
    const negativeId = await publish(negative);

    expect((await deadLetterOf(unknownChannelId)).headers[DeadLetterHeaders.reason]).toMatch(
      /^invalid message: payload does not match payment_order.succeeded v2: channel: /,
    );
    expect((await deadLetterOf(badMerchantId)).headers[DeadLetterHeaders.reason]).toContain(
      'merchantId: must be a mch_ id',
    );
    expect((await deadLetterOf(zeroId)).headers[DeadLetterHeaders.reason]).toMatch(
      /^permanent failure: CLEARING.NON_POSITIVE_GROSS: /,
    );
    expect((await deadLetterOf(negativeId)).headers[DeadLetterHeaders.reason]).toMatch(
      /^permanent failure: CLEARING.NON_POSITIVE_GROSS: /,
    );
    for (const payment of [unknownChannel, badMerchant, zero, negative]) {
      expect(await count('clearings WHERE transaction_id = $1', [payment.transactionId])).toBe(0);
      expect(
        await count(`outbox_messages WHERE payload->>'transactionId' = $1`, [
          payment.transactionId,
        ]),
      ).toBe(0);
      expect(
        await count(`journal_entries WHERE refs->>'paymentId' = $1`, [payment.paymentId]),
      ).toBe(0);
      expect((await get<ErrorBody>(`/v1/clearings/${payment.transactionId}`)).body.error.code).toBe(
        'CLEARING.NOT_FOUND',
      );
    }
    for (const id of [zeroId, negativeId]) {
      expect(await count('inbox_messages WHERE message_id = $1', [id])).toBe(0);
    }
  });

  it('dead-letters a payment on a channel with no cost rate configured, and clears it once configured and replayed', async () => {
    await settlement.db.query(`DELETE FROM channel_cost_rates WHERE channel = 'UNIONPAY'`);
    try {
      const payment = channelPayment({ channel: 'UNIONPAY', amount: cny(10_000) });
      const messageId = await publish(payment);
      const letter = await deadLetterOf(messageId);
      expect(letter.headers[DeadLetterHeaders.reason]).toBe(
        'permanent failure: SETTLEMENT.NO_FEE_SCHEDULE: no channel cost rate for channel UNIONPAY',
      );
      expect(await count('clearings WHERE transaction_id = $1', [payment.transactionId])).toBe(0);
      expect(await count('inbox_messages WHERE message_id = $1', [messageId])).toBe(0);

      // The operator adds the rate and replays the dead letter with its original message id.
      await settlement.db.query(
        `INSERT INTO channel_cost_rates (channel, cost_rate_ppm, note) VALUES ('UNIONPAY', 3000, 'demo value: 0.30 %')`,
      );
      await publish(payment, { messageId });
      const clearing = await clearingOf(payment.transactionId);
      expect(clearing).toMatchObject({ merchantFee: cny(60), channelCost: cny(30) });
    } finally {
      await settlement.db.query(
        `INSERT INTO channel_cost_rates (channel, cost_rate_ppm, note) VALUES ('UNIONPAY', 3000, 'demo value: 0.30 %') ON CONFLICT DO NOTHING`,
      );
    }
  });

  // ---- REST ----------------------------------------------------------------------------

  it('answers bad and unknown ids in the documented error shape', async () => {
    const badTxn = await get<ErrorBody>('/v1/clearings/not-a-txn');
    expect(badTxn.status).toBe(400);
    expect(badTxn.body.error).toMatchObject({
      type: 'invalid_request_error',
      code: 'REQUEST.VALIDATION_FAILED',
      param: 'transactionId',
    });
    const payId = await get<ErrorBody>(`/v1/clearings/${newId('pay')}`);
    expect(payId.status).toBe(400);

    const unknown = await get<ErrorBody>(`/v1/clearings/${newId('txn')}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({
      type: 'not_found_error',
      code: 'CLEARING.NOT_FOUND',
      param: 'transactionId',
      requestId: expect.any(String),
    });

    const badMerchant = await get<ErrorBody>('/v1/merchants/mch_nope/balances');
    expect(badMerchant.status).toBe(400);
    expect(badMerchant.body.error).toMatchObject({
      code: 'REQUEST.VALIDATION_FAILED',
      param: 'merchantId',
    });
    const merchantId = newId('mch');
    expect(await get<MerchantBalancesView>(`/v1/merchants/${merchantId}/balances`)).toEqual({
      status: 200,
      body: { merchantId, balances: [] },
    });
  });

  it('documents the endpoints in its OpenAPI document', async () => {
    const { body } = await get<{ paths: Record<string, unknown> }>('/docs/openapi.json');
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/clearings/{transactionId}',
        '/v1/merchants/{merchantId}/balances',
        '/v1/ledger/trial-balance',
        '/v1/ledger/accounts/{account}',
        '/v1/refund-clearings/{refundId}',
        '/v1/late-payment-clearings/{transactionId}',
      ]),
    );
  });

  // ---- the database's own guard --------------------------------------------------------

  it('refuses an unbalanced journal entry at commit, and any edit of a posted line', async () => {
    const entryId = newId('jnl');
    await settlement.db.query('BEGIN');
    await settlement.db.query(
      `INSERT INTO journal_entries (id, posted_at, description) VALUES ($1, now(), 'it: unbalanced')`,
      [entryId],
    );
    await settlement.db.query(
      `INSERT INTO journal_lines (id, entry_id, line_no, account, side, amount_minor, currency) VALUES
         ($1, $3, 1, 'CHANNEL_RECEIVABLE:ALIPAY', 'DEBIT', 100, 'CNY'),
         ($2, $3, 2, 'FEE_REVENUE', 'CREDIT', 99, 'CNY')`,
      [newId('led'), newId('led'), entryId],
    );
    await expect(settlement.db.query('COMMIT')).rejects.toThrow(
      `journal entry ${entryId} is unbalanced: debits 100 <> credits 99`,
    );
    expect(await count('journal_entries WHERE id = $1', [entryId])).toBe(0);

    const lonely = newId('jnl');
    await settlement.db.query('BEGIN');
    await settlement.db.query(
      `INSERT INTO journal_entries (id, posted_at, description) VALUES ($1, now(), 'it: no lines')`,
      [lonely],
    );
    await expect(settlement.db.query('COMMIT')).rejects.toThrow(
      `journal entry ${lonely} has 0 line(s)`,
    );

    await expect(
      settlement.db.query('UPDATE journal_lines SET amount_minor = amount_minor + 1'),
    ).rejects.toThrow('the ledger is append-only (UPDATE on journal_lines)');
    await expect(settlement.db.query('DELETE FROM journal_entries')).rejects.toThrow(
      'the ledger is append-only (DELETE on journal_entries)',
    );
    expect((await get<TrialBalanceView>('/v1/ledger/trial-balance')).body.balanced).toBe(true);
  });
});

function pick(clearing: ClearingView) {
  return {
    merchantFee: clearing.merchantFee.amountMinor,
    channelCost: clearing.channelCost.amountMinor,
    platformMargin: clearing.platformMargin.amountMinor,
    merchantNet: clearing.merchantNet.amountMinor,
    balanced: clearing.journal.balanced,
  };
}
