import { Money } from '@paylab/money';
import { ChannelError } from '../../channel-adapter';
import {
  gatewayFailure,
  parseNotification,
  parseNotificationBody,
  refundQueryResultOf,
  refundResultOf,
  snapshotOfQuery,
  timeExpireOf,
  tradeStatusOf,
  yuanToMoney,
} from './alipay-protocol';

const APP_ID = '2021000000000001';
const paid = {
  notify_id: 'a1b2',
  notify_time: '2026-01-14 10:00:03',
  notify_type: 'trade_status_sync',
  app_id: APP_ID,
  trade_no: '2026011422001412345678901234',
  out_trade_no: 'pay_01JH0000000000000000000000',
  trade_status: 'TRADE_SUCCESS',
  total_amount: '12.34',
  gmt_payment: '2026-01-14 00:10:00',
};

const codeOf = (work: () => unknown): string => {
  try {
    work();
  } catch (error) {
    if (error instanceof ChannelError) return error.code;
    throw error;
  }
  throw new Error('did not throw');
};

describe('Alipay protocol translation', () => {
  it('maps every trade_status, and nothing else', () => {
    expect(tradeStatusOf('WAIT_BUYER_PAY')).toBe('PENDING');
    expect(tradeStatusOf('TRADE_SUCCESS')).toBe('SUCCEEDED');
    expect(tradeStatusOf('TRADE_FINISHED')).toBe('SUCCEEDED');
    expect(tradeStatusOf('TRADE_CLOSED')).toBe('CLOSED');
    expect(tradeStatusOf('trade_success')).toBeNull();
    expect(tradeStatusOf(undefined)).toBeNull();
  });

  it('reads yuan strings strictly as fen', () => {
    expect(yuanToMoney('12.34')?.amountMinor).toBe(1234);
    expect(yuanToMoney('0.01')?.amountMinor).toBe(1);
    expect(yuanToMoney('1.001')).toBeNull();
    expect(yuanToMoney('1e3')).toBeNull();
    expect(yuanToMoney(12.34)).toBeNull();
  });

  it('writes the absolute deadline as Shanghai wall-clock time_expire, whole seconds down', () => {
    expect(timeExpireOf(new Date('2026-01-14T00:30:00Z'))).toBe('2026-01-14 08:30:00');
    // Fractions are dropped, never rounded up: the channel must not outlive our deadline.
    expect(timeExpireOf(new Date('2026-01-14T15:59:59.999Z'))).toBe('2026-01-14 23:59:59');
    // Past Shanghai midnight the date moves on.
    expect(timeExpireOf(new Date('2026-01-14T16:00:00Z'))).toBe('2026-01-15 00:00:00');
  });

  it('parses a paid notification: Shanghai gmt_payment to UTC, amount to fen', () => {
    const notification = parseNotification(paid, APP_ID);
    expect(notification).toEqual({
      notifyId: 'a1b2',
      outTradeNo: paid.out_trade_no,
      channelTradeNo: paid.trade_no,
      status: 'SUCCEEDED',
      amount: Money.of(1234, 'CNY'),
      paidAt: new Date('2026-01-13T16:10:00Z'),
    });
  });

  it('refuses notifications for another app, or with missing or bad fields', () => {
    expect(codeOf(() => parseNotification({ ...paid, app_id: '2021000000009999' }, APP_ID))).toBe(
      'CALLBACK.WRONG_APP',
    );
    const broken: Array<Record<string, string>> = [
      { ...paid, notify_type: 'batch_trans_notify' },
      { ...paid, trade_no: '' },
      { ...paid, out_trade_no: '' },
      { ...paid, trade_status: 'PAID' },
      { ...paid, total_amount: '12.345' },
      { ...paid, total_amount: '0.00' },
      { ...paid, gmt_payment: '2026-01-14T00:10:00Z' },
    ];
    for (const fields of broken) {
      expect(codeOf(() => parseNotification(fields, APP_ID))).toBe('CALLBACK.MALFORMED');
    }
    // Without gmt_payment an unpaid notice is fine: it has no payment time.
    const { gmt_payment: _ignored, ...unpaid } = paid;
    expect(
      parseNotification({ ...unpaid, trade_status: 'TRADE_CLOSED' }, APP_ID).paidAt,
    ).toBeNull();
  });

  it('reads a form body as sent, refusing repeated keys', () => {
    const body = Buffer.from('subject=Oolong+tea+%E4%B9%8C%E9%BE%99%E8%8C%B6&total_amount=1.00');
    expect(parseNotificationBody(body)).toEqual({
      subject: 'Oolong tea 乌龙茶',
      total_amount: '1.00',
    });
    expect(codeOf(() => parseNotificationBody(Buffer.from('a=1&a=2')))).toBe('CALLBACK.MALFORMED');
  });

  it('reads query answers, and refuses a paid one without its facts', () => {
    expect(
      snapshotOfQuery({
        code: '10000',
        tradeNo: 'T1',
        tradeStatus: 'TRADE_SUCCESS',
        totalAmount: '5.00',
        sendPayDate: '2026-01-14 08:00:00',
      }),
    ).toEqual({
      exists: true,
      status: 'SUCCEEDED',
      channelTradeNo: 'T1',
      amount: Money.of(500, 'CNY'),
      paidAt: new Date('2026-01-14T00:00:00Z'),
    });
    expect(
      snapshotOfQuery({ code: '10000', tradeStatus: 'WAIT_BUYER_PAY', totalAmount: '5.00' }),
    ).toMatchObject({ status: 'PENDING', paidAt: null, channelTradeNo: null });
    expect(
      codeOf(() =>
        snapshotOfQuery({
          code: '10000',
          tradeNo: 'T1',
          tradeStatus: 'TRADE_SUCCESS',
          totalAmount: '5.00',
        }),
      ),
    ).toBe('CHANNEL.INVALID_RESPONSE');
    expect(
      codeOf(() => snapshotOfQuery({ code: '10000', tradeStatus: 'X', totalAmount: '5.00' })),
    ).toBe('CHANNEL.INVALID_RESPONSE');
  });

  it('classifies gateway failures by sub_code', () => {
    const failure = (method: string, subCode: string, code = '40004') =>
      gatewayFailure(method, { code, msg: 'Business Failed', subCode, subMsg: 'x' }).code;
    expect(failure('alipay.trade.precreate', 'ACQ.CONTEXT_INCONSISTENT')).toBe(
      'CHANNEL.ORDER_CONFLICT',
    );
    expect(failure('alipay.trade.precreate', 'ACQ.TRADE_HAS_CLOSE')).toBe('CHANNEL.ORDER_CONFLICT');
    expect(failure('alipay.trade.close', 'ACQ.TRADE_STATUS_ERROR')).toBe(
      'CHANNEL.TRADE_ALREADY_PAID',
    );
    expect(failure('alipay.data.dataservice.bill.downloadurl.query', 'isp.bill_not_exist')).toBe(
      'STATEMENT.NOT_FOUND',
    );
    expect(failure('alipay.trade.precreate', 'ACQ.TOTAL_FEE_EXCEED')).toBe('CHANNEL.REJECTED');
    expect(failure('alipay.trade.query', 'isp.unknow-error', '20000')).toBe('CHANNEL.UNAVAILABLE');
  });
});

describe('Alipay refunds', () => {
  const TRADE_NO = '2026011422001412345678901234';
  const REF = 'ref_01JH0000000000000000000000';
  const codeOf = (work: () => unknown): string => {
    try {
      work();
    } catch (error) {
      if (error instanceof ChannelError) return error.code;
      throw error;
    }
    return 'no error';
  };

  it('fund_change Y is a success at gmt_refund_pay (Shanghai time); N waits for a query', () => {
    expect(
      refundResultOf(
        {
          code: '10000',
          tradeNo: TRADE_NO,
          fundChange: 'Y',
          refundFee: '3.00',
          gmtRefundPay: '2026-01-14 10:40:00',
        },
        REF,
      ),
    ).toEqual({
      status: 'SUCCEEDED',
      channelRefundNo: `${TRADE_NO}_${REF}`,
      channelTradeNo: TRADE_NO,
      refundedAt: new Date('2026-01-14T02:40:00Z'),
    });
    expect(
      refundResultOf({ code: '10000', tradeNo: TRADE_NO, fundChange: 'N', refundFee: '3.00' }, REF),
    ).toMatchObject({ status: 'PROCESSING', channelTradeNo: TRADE_NO });
    expect(codeOf(() => refundResultOf({ code: '10000', fundChange: 'Y' }, REF))).toBe(
      'CHANNEL.INVALID_RESPONSE',
    );
  });

  it('a business refusal (40004 ACQ.*) fails the refund; outages and our own errors are retried', () => {
    for (const subCode of [
      'ACQ.TRADE_NOT_ALLOW_REFUND',
      'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL',
      'ACQ.TRADE_STATUS_ERROR',
      'ACQ.SELLER_BALANCE_NOT_ENOUGH',
    ]) {
      expect(refundResultOf({ code: '40004', subCode, subMsg: 'no' }, REF)).toMatchObject({
        status: 'FAILED',
        failureCode: subCode,
        failureMessage: 'no',
      });
    }
    expect(codeOf(() => refundResultOf({ code: '40004', subCode: 'ACQ.SYSTEM_ERROR' }, REF))).toBe(
      'CHANNEL.UNAVAILABLE',
    );
    expect(codeOf(() => refundResultOf({ code: '20000', subCode: 'isp.unknow-error' }, REF))).toBe(
      'CHANNEL.UNAVAILABLE',
    );
    expect(
      codeOf(() => refundResultOf({ code: '40002', subCode: 'isv.invalid-signature' }, REF)),
    ).toBe('CHANNEL.UNAVAILABLE');
  });

  it('the refund query: REFUND_SUCCESS, processing, never received', () => {
    expect(
      refundQueryResultOf(
        {
          code: '10000',
          tradeNo: TRADE_NO,
          outRequestNo: REF,
          refundStatus: 'REFUND_SUCCESS',
          refundAmount: '3.00',
          gmtRefundPay: '2026-01-14 10:40:00',
        },
        REF,
      ),
    ).toEqual({
      status: 'SUCCEEDED',
      channelRefundNo: `${TRADE_NO}_${REF}`,
      channelTradeNo: TRADE_NO,
      refundedAt: new Date('2026-01-14T02:40:00Z'),
    });
    expect(
      refundQueryResultOf({ code: '10000', tradeNo: TRADE_NO, refundAmount: '3.00' }, REF).status,
    ).toBe('PROCESSING');
    expect(refundQueryResultOf({ code: '10000', tradeNo: TRADE_NO }, REF).status).toBe('NOT_FOUND');
    expect(refundQueryResultOf({ code: '40004', subCode: 'ACQ.TRADE_NOT_EXIST' }, REF).status).toBe(
      'NOT_FOUND',
    );
    expect(codeOf(() => refundQueryResultOf({ code: '20000' }, REF))).toBe('CHANNEL.UNAVAILABLE');
  });
});
