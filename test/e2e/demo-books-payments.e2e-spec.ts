import { waitFor } from '@paylab/testing';
import {
  DEMO_BOOKS_MERCHANT,
  DEMO_MERCHANT,
} from '../../services/cashier/src/merchants/demo-merchant';
import {
  DEMO_ALIPAY_APP_ID,
  DEMO_ALIPAY_BOOKS_APP_ID,
} from '../../services/channel-sandbox/src/alipay/demo-keys';
import {
  DEMO_BOOKS_CHANNEL_ACCOUNTS,
  DEMO_CHANNEL_ACCOUNTS,
} from '../../services/routing/src/demo-data';
import { asOperator } from './support/operator-credentials';
import { breaksOf, PaymentDriver, type PaymentView } from './support/payment-driver';
import {
  awayFromCutOff,
  shanghaiDate,
  startPaymentSystem,
  type PaymentSystem,
} from './support/payment-system';

const BOOKS_ALIPAY = DEMO_BOOKS_CHANNEL_ACCOUNTS.alipay;
const BOOKS_WECHAT = DEMO_BOOKS_CHANNEL_ACCOUNTS.wechatPay;

/**
 * The second demo merchant, Demo Books (演示书店, D+0), takes real payments on its own channel
 * accounts while Demo Coffee keeps paying on its own, in one running system: every service a
 * real process on real Postgres, Redis and Kafka. Each payment is checked where it lands: the
 * channel account acquiring signed with, the sandbox app or 商户号 that holds the trade, the
 * clearing settlement wrote for the merchant, and each account's statement and recon run.
 */
describe('Demo Books pays through its own channel accounts, next to Demo Coffee', () => {
  let system: PaymentSystem;
  let coffee: PaymentDriver;
  let books: PaymentDriver;

  beforeAll(async () => {
    system = await startPaymentSystem('books');
    coffee = new PaymentDriver(system);
    books = new PaymentDriver(system, undefined, DEMO_BOOKS_MERCHANT);
  });

  afterAll(async () => {
    await system?.stop();
  });

  const channelTransaction = async (paymentId: string) => {
    const [row] = await books.query<{
      id: string;
      channel: string;
      channel_account_id: string;
      status: string;
    }>(
      'SELECT id, channel, channel_account_id, status FROM acquiring.channel_transactions WHERE payment_id = $1',
      [paymentId],
    );
    return row;
  };
  const sandboxTrade = async (paymentId: string) => {
    const [row] = await books.query<{ merchant_account: string; channel: string }>(
      'SELECT merchant_account, channel FROM channel_sandbox.trades WHERE out_trade_no = $1',
      [paymentId],
    );
    return row;
  };
  const statementOf = async (channel: string, channelAccountId: string) => {
    const response = await fetch(
      `${system.urls.acquiring}/v1/statements/${channel}/${shanghaiDate()}?channelAccountId=${channelAccountId}`,
      { headers: asOperator('operator') },
    );
    expect(response.status).toBe(200);
    // Alipay statements are GBK: the ASCII ids read the same in latin1.
    return Buffer.from(await response.arrayBuffer()).toString('latin1');
  };

  let booksAlipay: PaymentView;
  let booksWechat: PaymentView;
  let coffeeAlipay: PaymentView;

  it('a Demo Books Alipay order is paid through the sandbox on Books’ own app and cleared for Books', async () => {
    await awayFromCutOff();
    booksAlipay = await books.payOnce(4_200);
    expect(booksAlipay.transactionId).toMatch(/^txn_/);
    expect(await channelTransaction(booksAlipay.id)).toMatchObject({
      id: booksAlipay.transactionId,
      channel: 'ALIPAY',
      channel_account_id: BOOKS_ALIPAY.id,
      status: 'SUCCEEDED',
    });
    // The sandbox holds the trade under the app that signed the precreate: Books', not Coffee's.
    expect(await sandboxTrade(booksAlipay.id)).toEqual({
      channel: 'ALIPAY',
      merchant_account: DEMO_ALIPAY_BOOKS_APP_ID,
    });
    const clearing = await books.clearing(booksAlipay.transactionId!);
    // ¥42.00 at the demo 0.60 %: 25.2 fen → 25; the account's own cost rate 0.38 %: 15.96 → 16.
    expect(clearing).toMatchObject({
      transactionId: booksAlipay.transactionId,
      paymentId: booksAlipay.id,
      merchantId: DEMO_BOOKS_MERCHANT.merchantId,
      channel: 'ALIPAY',
      channelAccountId: BOOKS_ALIPAY.id,
      gross: { amountMinor: 4_200 },
      merchantFee: { amountMinor: 25 },
      merchantNet: { amountMinor: 4_175 },
      channelCostRatePpm: 3_800,
      channelCostRateSource: 'CHANNEL_ACCOUNT',
    });
  });

  it('a Demo Books WeChat Pay order is paid on Books’ own 商户号 and cleared for Books', async () => {
    booksWechat = await books.payOnce(3_000, 'WECHAT_PAY');
    expect(await channelTransaction(booksWechat.id)).toMatchObject({
      channel: 'WECHAT_PAY',
      channel_account_id: BOOKS_WECHAT.id,
      status: 'SUCCEEDED',
    });
    expect(await sandboxTrade(booksWechat.id)).toEqual({
      channel: 'WECHAT_PAY',
      merchant_account: BOOKS_WECHAT.channelMerchantNo,
    });
    // The notification was encrypted with Books' APIv3 key and still verified and settled.
    const callbacks = await waitFor(
      'the verified WeChat Pay callback of the Books payment',
      () =>
        books.query<{ verification: string; outcome: string }>(
          'SELECT verification, outcome FROM acquiring.raw_callbacks WHERE out_trade_no = $1',
          [booksWechat.id],
        ),
      (rows) => rows.length > 0,
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    expect(callbacks[0].verification).toBe('VERIFIED');
    expect(await books.clearing(booksWechat.transactionId!)).toMatchObject({
      merchantId: DEMO_BOOKS_MERCHANT.merchantId,
      channel: 'WECHAT_PAY',
      channelAccountId: BOOKS_WECHAT.id,
      merchantNet: { amountMinor: 2_982 },
      channelCostRateSource: 'CHANNEL_ACCOUNT',
    });
  });

  it('Demo Coffee’s payments still route to Coffee’s accounts and clear for Coffee', async () => {
    coffeeAlipay = await coffee.payOnce(1_800);
    expect((await channelTransaction(coffeeAlipay.id)).channel_account_id).toBe(
      DEMO_CHANNEL_ACCOUNTS.alipay.id,
    );
    expect((await sandboxTrade(coffeeAlipay.id)).merchant_account).toBe(DEMO_ALIPAY_APP_ID);
    expect(await coffee.clearing(coffeeAlipay.transactionId!)).toMatchObject({
      merchantId: DEMO_MERCHANT.merchantId,
      channelAccountId: DEMO_CHANNEL_ACCOUNTS.alipay.id,
      merchantNet: { amountMinor: 1_789 },
    });
    const coffeeWechat = await coffee.payOnce(2_500, 'WECHAT_PAY');
    expect((await channelTransaction(coffeeWechat.id)).channel_account_id).toBe(
      DEMO_CHANNEL_ACCOUNTS.wechatPay.id,
    );
    expect((await sandboxTrade(coffeeWechat.id)).merchant_account).toBe(
      DEMO_CHANNEL_ACCOUNTS.wechatPay.channelMerchantNo,
    );
    // Each merchant sees only its own payments.
    const foreign = await coffee.merchant.request({
      method: 'GET',
      path: `/v1/payments/${booksAlipay.id}`,
    });
    expect(foreign.status).toBe(404);
  });

  it('each account’s statement holds only its own trades', async () => {
    const booksAlipayStatement = await statementOf('ALIPAY', BOOKS_ALIPAY.id);
    expect(booksAlipayStatement).toContain(booksAlipay.id);
    expect(booksAlipayStatement).not.toContain(coffeeAlipay.id);
    const coffeeAlipayStatement = await statementOf('ALIPAY', DEMO_CHANNEL_ACCOUNTS.alipay.id);
    expect(coffeeAlipayStatement).toContain(coffeeAlipay.id);
    expect(coffeeAlipayStatement).not.toContain(booksAlipay.id);
    const booksWechatStatement = await statementOf('WECHAT_PAY', BOOKS_WECHAT.id);
    expect(booksWechatStatement).toContain(booksWechat.id);
    expect(booksWechatStatement).not.toContain(coffeeAlipay.id);
  });

  it('reconciling Books’ accounts and Coffee’s default accounts: every trade MATCHED, no breaks', async () => {
    for (const [channel, accountId, matched] of [
      ['ALIPAY', BOOKS_ALIPAY.id, 1],
      ['WECHAT_PAY', BOOKS_WECHAT.id, 1],
      ['ALIPAY', undefined, 1],
      ['WECHAT_PAY', undefined, 1],
    ] as const) {
      // The projection is fed by events: retry until it has caught up.
      const run = await waitFor(
        `a recon run of ${channel} ${accountId ?? '(default account)'}`,
        () => books.reconcileToday(channel, accountId),
        (r) => (r.counts.MATCHED ?? 0) >= matched,
        { timeoutMs: 30_000, intervalMs: 500 },
      );
      expect({ channel, accountId, matched: run.counts.MATCHED, breaks: breaksOf(run) }).toEqual({
        channel,
        accountId,
        matched,
        breaks: {},
      });
    }
  });
});
