import { isId, newId, timestampOfId } from '@paylab/ids';
import { Money } from '@paylab/money';
import { DomainError } from '../../shared/domain-error';
import {
  canTransition,
  CreatePaymentOrderInput,
  DEFAULT_MAX_AMOUNT_MINOR,
  isTerminalState,
  PAYMENT_EXPIRY_SECONDS,
  PAYMENT_ORDER_STATES,
  PAYMENT_ORDER_TRANSITIONS,
  PaymentOrder,
  PaymentOrderProps,
  PaymentOrderState,
  TERMINAL_STATES,
} from './payment-order';

const code = (c: string) => expect.objectContaining({ code: c });
const cny = (fen: number) => Money.of(fen, 'CNY');
const T0 = new Date('2025-03-01T02:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

const MERCHANT_ID = newId('mch', T0.getTime());
const APP_ID = newId('app', T0.getTime());
const TXN_1 = newId('txn', T0.getTime());
const TXN_2 = newId('txn', T0.getTime());

function input(overrides: Partial<CreatePaymentOrderInput> = {}): CreatePaymentOrderInput {
  return {
    merchantId: MERCHANT_ID,
    appId: APP_ID,
    merchantOrderNo: 'ORDER-2025_0001',
    amount: cny(1234),
    subject: '拿铁咖啡 Latte ×2',
    ...overrides,
  };
}

const created = (overrides: Partial<CreatePaymentOrderInput> = {}) =>
  PaymentOrder.create(input(overrides), T0).order;
const processing = () => created().startProcessing('WECHAT_PAY', at(10)).order;
const succeeded = () =>
  processing().markSucceeded({ transactionId: TXN_1, paidAt: at(30) }, at(31)).order;
const failed = () => processing().markFailed('PAYER_CANCELLED', at(30)).order;
const closed = () => created().close('MERCHANT_REQUEST', at(30)).order;

function orderIn(state: PaymentOrderState): PaymentOrder {
  return {
    CREATED: created,
    PROCESSING: processing,
    SUCCEEDED: succeeded,
    FAILED: failed,
    CLOSED: closed,
  }[state]();
}

describe('payment order state machine (data)', () => {
  it('lists exactly the allowed transitions', () => {
    expect(PAYMENT_ORDER_TRANSITIONS.map(({ from, to }) => `${from}->${to}`).sort()).toEqual(
      [
        'CREATED->PROCESSING',
        'CREATED->SUCCEEDED',
        'CREATED->CLOSED',
        'PROCESSING->SUCCEEDED',
        'PROCESSING->FAILED',
        'PROCESSING->CLOSED',
      ].sort(),
    );
  });

  it('describes every transition with a trigger', () => {
    for (const transition of PAYMENT_ORDER_TRANSITIONS) {
      expect(transition.trigger.length).toBeGreaterThan(10);
    }
  });

  it('has no way out of a terminal state', () => {
    expect([...TERMINAL_STATES].sort()).toEqual(['CLOSED', 'FAILED', 'SUCCEEDED']);
    for (const transition of PAYMENT_ORDER_TRANSITIONS) {
      expect(isTerminalState(transition.from)).toBe(false);
    }
    expect(isTerminalState('CREATED')).toBe(false);
    expect(isTerminalState('PROCESSING')).toBe(false);
  });

  it('answers canTransition from the table, for every pair of states', () => {
    for (const from of PAYMENT_ORDER_STATES) {
      for (const to of PAYMENT_ORDER_STATES) {
        const listed = PAYMENT_ORDER_TRANSITIONS.some((t) => t.from === from && t.to === to);
        expect(canTransition(from, to)).toBe(listed);
      }
    }
    expect(canTransition('CREATED', 'FAILED')).toBe(false);
    expect(canTransition('SUCCEEDED', 'CLOSED')).toBe(false);
    expect(canTransition('CREATED', 'CREATED')).toBe(false);
  });

  it('cannot be edited at run time', () => {
    expect(Object.isFrozen(PAYMENT_ORDER_TRANSITIONS)).toBe(true);
    expect(Object.isFrozen(PAYMENT_ORDER_TRANSITIONS[0])).toBe(true);
    expect(Object.isFrozen(TERMINAL_STATES)).toBe(true);
    expect(() => (PAYMENT_ORDER_TRANSITIONS as unknown[]).push({})).toThrow(TypeError);
  });
});

describe('PaymentOrder.create', () => {
  it('creates a CREATED order with a pay_ id, version 1 and a 15-minute default expiry', () => {
    const { order } = PaymentOrder.create(input(), T0);
    expect(isId(order.id, 'pay')).toBe(true);
    expect(timestampOfId(order.id)).toEqual(T0);
    expect(order.state).toBe('CREATED');
    expect(order.version).toBe(1);
    expect(order.merchantId).toBe(MERCHANT_ID);
    expect(order.appId).toBe(APP_ID);
    expect(order.merchantOrderNo).toBe('ORDER-2025_0001');
    expect(order.amount.equals(cny(1234))).toBe(true);
    expect(order.subject).toBe('拿铁咖啡 Latte ×2');
    expect(order.createdAt).toEqual(T0);
    expect(order.updatedAt).toEqual(T0);
    expect(order.expiresAt).toEqual(at(900));
    expect(PAYMENT_EXPIRY_SECONDS.default).toBe(900);
    for (const field of [
      'description',
      'notifyUrl',
      'returnUrl',
      'channel',
      'transactionId',
      'succeededAt',
      'failedAt',
      'failureCode',
      'closedAt',
      'closeReason',
    ] as const) {
      expect(order[field]).toBeUndefined();
    }
  });

  it('gives each order its own id', () => {
    expect(created().id).not.toBe(created().id);
  });

  it('returns the created event in wire form', () => {
    const { order, event } = PaymentOrder.create(input({ expiresInSeconds: 60 }), T0);
    expect(event).toEqual({
      type: 'payment_order.created',
      payload: {
        paymentId: order.id,
        merchantId: MERCHANT_ID,
        merchantOrderNo: 'ORDER-2025_0001',
        amount: { amountMinor: 1234, currency: 'CNY' },
        subject: '拿铁咖啡 Latte ×2',
        expiresAt: '2025-03-01T02:01:00.000Z',
        createdAt: '2025-03-01T02:00:00.000Z',
      },
    });
  });

  it('keeps the optional fields', () => {
    const order = created({
      description: 'Two lattes\nno sugar',
      notifyUrl: 'https://shop.example.com/paylab/notify?x=1',
      returnUrl: 'http://localhost:3000/thanks',
      expiresInSeconds: 7200,
    });
    expect(order.description).toBe('Two lattes\nno sugar');
    expect(order.notifyUrl).toBe('https://shop.example.com/paylab/notify?x=1');
    expect(order.returnUrl).toBe('http://localhost:3000/thanks');
    expect(order.expiresAt).toEqual(at(7200));
  });

  it('is frozen, and not affected by later changes to the Date passed in', () => {
    const now = new Date(T0);
    const { order } = PaymentOrder.create(input(), now);
    now.setUTCFullYear(2000);
    expect(order.createdAt).toEqual(T0);
    expect(Object.isFrozen(order)).toBe(true);
    expect(() => {
      (order as { state: string }).state = 'SUCCEEDED';
    }).toThrow(TypeError);
  });

  describe('amount', () => {
    it('accepts 1 fen and exactly the maximum', () => {
      expect(created({ amount: cny(1) }).amount.amountMinor).toBe(1);
      expect(created({ amount: cny(DEFAULT_MAX_AMOUNT_MINOR) }).amount.amountMinor).toBe(
        10_000_000,
      );
    });

    it.each([0, -1, -10_000])('rejects %p fen as not positive', (fen) => {
      expect(() => created({ amount: cny(fen) })).toThrow(code('PAYMENT.INVALID_AMOUNT'));
    });

    it('rejects one fen over the maximum', () => {
      expect(() => created({ amount: cny(DEFAULT_MAX_AMOUNT_MINOR + 1) })).toThrow(
        code('PAYMENT.AMOUNT_TOO_LARGE'),
      );
    });

    it('uses the configured maximum instead of the default', () => {
      const policy = { maxAmountMinor: 500 };
      expect(
        PaymentOrder.create(input({ amount: cny(500) }), T0, policy).order.amount.amountMinor,
      ).toBe(500);
      expect(() => PaymentOrder.create(input({ amount: cny(501) }), T0, policy)).toThrow(
        code('PAYMENT.AMOUNT_TOO_LARGE'),
      );
      expect(
        PaymentOrder.create(input({ amount: cny(DEFAULT_MAX_AMOUNT_MINOR * 10) }), T0, {
          maxAmountMinor: DEFAULT_MAX_AMOUNT_MINOR * 10,
        }).order.amount.amountMinor,
      ).toBe(DEFAULT_MAX_AMOUNT_MINOR * 10);
    });

    it.each([0, -5, 1.5, Number.NaN, Infinity])('rejects a policy maximum of %p', (max) => {
      expect(() => PaymentOrder.create(input(), T0, { maxAmountMinor: max })).toThrow(
        code('PAYMENT.INVALID_POLICY'),
      );
    });

    it.each(['USD', 'HKD', 'JPY'] as const)('rejects %s as unsupported', (currency) => {
      expect(() => created({ amount: Money.of(100, currency) })).toThrow(
        code('PAYMENT.UNSUPPORTED_CURRENCY'),
      );
    });

    it('rejects something that is not a Money', () => {
      for (const amount of [1234, '12.34', { amountMinor: 1234, currency: 'CNY' }, undefined]) {
        expect(() => created({ amount: amount as unknown as Money })).toThrow(
          code('PAYMENT.INVALID_AMOUNT'),
        );
      }
    });

    it('names the amount as the offending parameter', () => {
      expect(() => created({ amount: cny(0) })).toThrow(
        expect.objectContaining({ param: 'amount' }),
      );
    });
  });

  describe('ids', () => {
    it.each([
      ['an app id', () => newId('app')],
      ['a malformed id', () => 'mch_123'],
      ['an empty string', () => ''],
      ['a number', () => 42],
    ])('rejects %s as merchantId', (_label, value) => {
      expect(() => created({ merchantId: value() as string })).toThrow(
        expect.objectContaining({ code: 'PAYMENT.INVALID_MERCHANT_ID', param: 'merchantId' }),
      );
    });

    it.each([
      ['a merchant id', () => newId('mch')],
      ['a malformed id', () => 'app_'],
      ['undefined', () => undefined],
    ])('rejects %s as appId', (_label, value) => {
      expect(() => created({ appId: value() as string })).toThrow(
        expect.objectContaining({ code: 'PAYMENT.INVALID_APP_ID', param: 'appId' }),
      );
    });
  });

  describe('merchantOrderNo', () => {
    it.each(['a', 'A'.repeat(64), '2025-03-01_0001', 'abc-XYZ_019'])('accepts %p', (value) => {
      expect(created({ merchantOrderNo: value }).merchantOrderNo).toBe(value);
    });

    it.each(['', 'A'.repeat(65), 'order 1', 'order#1', 'order.1', '订单1', 'x\n', ' x', 'a/b'])(
      'rejects %p',
      (value) => {
        expect(() => created({ merchantOrderNo: value })).toThrow(
          expect.objectContaining({
            code: 'PAYMENT.INVALID_MERCHANT_ORDER_NO',
            param: 'merchantOrderNo',
          }),
        );
      },
    );

    it('rejects a non-string', () => {
      expect(() => created({ merchantOrderNo: 12345 as unknown as string })).toThrow(
        code('PAYMENT.INVALID_MERCHANT_ORDER_NO'),
      );
    });
  });

  describe('subject', () => {
    it('counts characters, not UTF-16 units: 256 emoji or Chinese characters fit', () => {
      expect(created({ subject: '咖'.repeat(256) }).subject).toHaveLength(256);
      expect(created({ subject: '☕'.repeat(256) }).subject).toHaveLength(256);
      expect(created({ subject: '😀'.repeat(256) }).subject).toHaveLength(512);
      expect(created({ subject: 'x' }).subject).toBe('x');
    });

    it.each([
      ['empty', ''],
      ['blank', '   '],
      ['too long', 'x'.repeat(257)],
      ['too long in characters', '😀'.repeat(257)],
      ['with a newline', 'Latte\nMocha'],
      ['with a tab', 'Latte\tMocha'],
      ['with a NUL', 'Latte\u0000'],
      ['not a string', 42],
    ])('rejects a subject that is %s', (_label, value) => {
      expect(() => created({ subject: value as string })).toThrow(
        expect.objectContaining({ code: 'PAYMENT.INVALID_SUBJECT', param: 'subject' }),
      );
    });
  });

  describe('description', () => {
    it('accepts up to 1024 characters with line breaks', () => {
      expect(created({ description: 'd'.repeat(1024) }).description).toHaveLength(1024);
      expect(created({ description: 'a\r\n\tb' }).description).toBe('a\r\n\tb');
    });

    it.each([
      ['empty', ''],
      ['blank', ' \n '],
      ['too long', 'd'.repeat(1025)],
      ['with a control character', 'bell\u0007'],
      ['not a string', { text: 'x' }],
    ])('rejects a description that is %s', (_label, value) => {
      expect(() => created({ description: value as string })).toThrow(
        expect.objectContaining({ code: 'PAYMENT.INVALID_DESCRIPTION', param: 'description' }),
      );
    });
  });

  describe('notifyUrl and returnUrl', () => {
    it.each([
      'https://shop.example.com/notify',
      'http://127.0.0.1:8080/cb',
      'https://例子.测试/回调',
      'https://shop.example.com/a?b=c#d',
    ])('accept %p', (url) => {
      expect(created({ notifyUrl: url, returnUrl: url }).notifyUrl).toBe(url);
    });

    it.each([
      ['a relative URL', '/notify'],
      ['a bare host', 'shop.example.com/notify'],
      ['javascript:', 'javascript:alert(1)'],
      ['data:', 'data:text/html,<script>alert(1)</script>'],
      ['ftp:', 'ftp://shop.example.com/notify'],
      ['file:', 'file:///etc/passwd'],
      ['credentials', 'https://user:pass@shop.example.com/notify'],
      ['a user name', 'https://user@shop.example.com/notify'],
      ['surrounding whitespace', ' https://shop.example.com/notify'],
      ['an embedded newline', 'https://shop.example.com/no\ntify'],
      ['an embedded tab', 'https://shop.example.com/no\ttify'],
      ['an empty string', ''],
      ['too long', `https://shop.example.com/${'a'.repeat(2048)}`],
      ['not a string', 42],
    ])('reject %s', (_label, url) => {
      for (const param of ['notifyUrl', 'returnUrl'] as const) {
        expect(() => created({ [param]: url as string })).toThrow(
          expect.objectContaining({ code: 'PAYMENT.INVALID_URL', param }),
        );
      }
    });
  });

  describe('expiresInSeconds', () => {
    it.each([60, 61, 900, 7199, 7200])('accepts %p', (seconds) => {
      expect(created({ expiresInSeconds: seconds }).expiresAt).toEqual(at(seconds));
    });

    it.each([59, 0, -900, 7201, 60.5, Number.NaN, Infinity, '900'])('rejects %p', (seconds) => {
      expect(() => created({ expiresInSeconds: seconds as number })).toThrow(
        expect.objectContaining({ code: 'PAYMENT.INVALID_EXPIRY', param: 'expiresInSeconds' }),
      );
    });
  });

  it.each([new Date(Number.NaN), '2025-03-01T02:00:00Z', T0.getTime(), undefined])(
    'rejects %p as now',
    (now) => {
      expect(() => PaymentOrder.create(input(), now as Date)).toThrow(
        code('PAYMENT.INVALID_TIMESTAMP'),
      );
    },
  );

  it('throws DomainError instances', () => {
    let caught: unknown;
    try {
      created({ amount: cny(0) });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DomainError);
    expect(caught).toBeInstanceOf(Error);
    expect((caught as DomainError).name).toBe('DomainError');
  });
});

describe('PaymentOrder.isExpired', () => {
  it('is false before the deadline and true from the deadline on', () => {
    const order = created();
    expect(order.isExpired(at(0))).toBe(false);
    expect(order.isExpired(new Date(at(900).getTime() - 1))).toBe(false);
    expect(order.isExpired(at(900))).toBe(true);
    expect(order.isExpired(at(100_000))).toBe(true);
  });

  it('applies while PROCESSING', () => {
    expect(processing().isExpired(at(900))).toBe(true);
  });

  it.each(['SUCCEEDED', 'FAILED', 'CLOSED'] as const)('is never true once %s', (state) => {
    expect(orderIn(state).isExpired(at(100_000))).toBe(false);
  });

  it('rejects an invalid now', () => {
    expect(() => created().isExpired(new Date('nope'))).toThrow(code('PAYMENT.INVALID_TIMESTAMP'));
  });
});

describe('PaymentOrder.startProcessing', () => {
  it('moves CREATED to PROCESSING and records the channel', () => {
    const order = created();
    const result = order.startProcessing('ALIPAY', at(10));
    expect(result.changed).toBe(true);
    expect(result.order.state).toBe('PROCESSING');
    expect(result.order.channel).toBe('ALIPAY');
    expect(result.order.version).toBe(2);
    expect(result.order.updatedAt).toEqual(at(10));
    expect(result.order.id).toBe(order.id);
    expect(result.event).toEqual({
      type: 'payment_order.processing',
      payload: {
        paymentId: order.id,
        merchantId: MERCHANT_ID,
        channel: 'ALIPAY',
        startedAt: at(10).toISOString(),
      },
    });
  });

  it('leaves the original order untouched', () => {
    const order = created();
    order.startProcessing('ALIPAY', at(10));
    expect(order.state).toBe('CREATED');
    expect(order.channel).toBeUndefined();
    expect(order.version).toBe(1);
  });

  it('is a no-op when repeated for the same channel', () => {
    const order = processing();
    const result = order.startProcessing('WECHAT_PAY', at(20));
    expect(result).toEqual({ order, changed: false });
    expect(result.order).toBe(order);
  });

  it('refuses to switch to another channel', () => {
    expect(() => processing().startProcessing('ALIPAY', at(20))).toThrow(
      expect.objectContaining({
        code: 'PAYMENT.CHANNEL_ALREADY_CHOSEN',
        details: { current: 'WECHAT_PAY', requested: 'ALIPAY' },
      }),
    );
  });

  it('refuses an expired order, from the deadline on', () => {
    expect(created().startProcessing('UNIONPAY', at(899)).order.state).toBe('PROCESSING');
    expect(() => created().startProcessing('UNIONPAY', at(900))).toThrow(code('PAYMENT.EXPIRED'));
  });

  it.each(['SUCCEEDED', 'FAILED', 'CLOSED'] as const)('is illegal from %s', (state) => {
    expect(() => orderIn(state).startProcessing('WECHAT_PAY', at(40))).toThrow(
      expect.objectContaining({
        code: 'PAYMENT.ILLEGAL_TRANSITION',
        details: { from: state, to: 'PROCESSING' },
        message: expect.stringMatching(new RegExp(`from ${state} to PROCESSING`)),
      }),
    );
  });

  it.each(['PAYPAL', 'wechat_pay', '', undefined])('rejects channel %p', (channel) => {
    expect(() => created().startProcessing(channel as 'ALIPAY', at(10))).toThrow(
      expect.objectContaining({ code: 'PAYMENT.INVALID_CHANNEL', param: 'channel' }),
    );
  });
});

describe('PaymentOrder.markSucceeded', () => {
  it('moves PROCESSING to SUCCEEDED with the transaction and the paid time', () => {
    const order = processing();
    const result = order.markSucceeded({ transactionId: TXN_1, paidAt: at(30) }, at(31));
    expect(result.changed).toBe(true);
    expect(result.order.state).toBe('SUCCEEDED');
    expect(result.order.transactionId).toBe(TXN_1);
    expect(result.order.succeededAt).toEqual(at(30));
    expect(result.order.updatedAt).toEqual(at(31));
    expect(result.order.channel).toBe('WECHAT_PAY');
    expect(result.order.version).toBe(3);
    expect(result.event).toEqual({
      type: 'payment_order.succeeded',
      payload: {
        paymentId: order.id,
        merchantId: MERCHANT_ID,
        amount: { amountMinor: 1234, currency: 'CNY' },
        transactionId: TXN_1,
        succeededAt: at(30).toISOString(),
      },
    });
  });

  it('moves CREATED straight to SUCCEEDED and records the reported channel', () => {
    const result = created().markSucceeded(
      { transactionId: TXN_1, paidAt: at(30), channel: 'ALIPAY' },
      at(31),
    );
    expect(result.changed).toBe(true);
    expect(result.order.state).toBe('SUCCEEDED');
    expect(result.order.channel).toBe('ALIPAY');
    expect(result.order.version).toBe(2);
  });

  it('moves CREATED to SUCCEEDED without a channel when none was reported', () => {
    const result = created().markSucceeded({ transactionId: TXN_1, paidAt: at(30) }, at(31));
    expect(result.order.state).toBe('SUCCEEDED');
    expect(result.order.channel).toBeUndefined();
  });

  it('records a success that arrives after the deadline, because the payer did pay', () => {
    const result = processing().markSucceeded({ transactionId: TXN_1, paidAt: at(950) }, at(960));
    expect(result.order.state).toBe('SUCCEEDED');
  });

  it('treats a duplicate callback with the same transaction id as a no-op', () => {
    const order = succeeded();
    const result = order.markSucceeded({ transactionId: TXN_1, paidAt: at(99) }, at(100));
    expect(result).toEqual({ order, changed: false });
    expect(result.order).toBe(order);
    expect(result.order.succeededAt).toEqual(at(30));
    expect(result.order.version).toBe(3);
  });

  it('refuses a second success with another transaction id', () => {
    expect(() =>
      succeeded().markSucceeded({ transactionId: TXN_2, paidAt: at(40) }, at(41)),
    ).toThrow(
      expect.objectContaining({
        code: 'PAYMENT.CONFLICTING_SUCCESS',
        param: 'transactionId',
        details: { recorded: TXN_1, reported: TXN_2 },
      }),
    );
  });

  it.each(['CLOSED', 'FAILED'] as const)(
    'refuses success after %s (that money must be refunded)',
    (state) => {
      expect(() =>
        orderIn(state).markSucceeded({ transactionId: TXN_1, paidAt: at(40) }, at(41)),
      ).toThrow(
        expect.objectContaining({
          code: 'PAYMENT.ILLEGAL_TRANSITION',
          details: { from: state, to: 'SUCCEEDED' },
        }),
      );
    },
  );

  it('refuses success reported by a different channel than the one processing', () => {
    expect(() =>
      processing().markSucceeded(
        { transactionId: TXN_1, paidAt: at(30), channel: 'ALIPAY' },
        at(31),
      ),
    ).toThrow(
      expect.objectContaining({
        code: 'PAYMENT.CHANNEL_MISMATCH',
        details: { recorded: 'WECHAT_PAY', reported: 'ALIPAY' },
      }),
    );
    expect(
      processing().markSucceeded(
        { transactionId: TXN_1, paidAt: at(30), channel: 'WECHAT_PAY' },
        at(31),
      ).changed,
    ).toBe(true);
  });

  it.each([
    ['a payment id', () => newId('pay')],
    ['a malformed id', () => 'txn_1'],
    ['a channel trade number', () => '4200001234202503011234567890'],
    ['undefined', () => undefined],
  ])('rejects %s as transactionId', (_label, value) => {
    expect(() =>
      processing().markSucceeded({ transactionId: value() as string, paidAt: at(30) }, at(31)),
    ).toThrow(expect.objectContaining({ code: 'PAYMENT.INVALID_TRANSACTION_ID' }));
  });

  it('validates input even for a duplicate', () => {
    expect(() =>
      succeeded().markSucceeded({ transactionId: TXN_1, paidAt: new Date('x') }, at(31)),
    ).toThrow(code('PAYMENT.INVALID_TIMESTAMP'));
  });

  it('rejects an invalid paidAt, now or channel', () => {
    expect(() =>
      processing().markSucceeded(
        { transactionId: TXN_1, paidAt: '2025-03-01' as unknown as Date },
        at(31),
      ),
    ).toThrow(expect.objectContaining({ code: 'PAYMENT.INVALID_TIMESTAMP', param: 'paidAt' }));
    expect(() =>
      processing().markSucceeded({ transactionId: TXN_1, paidAt: at(30) }, new Date(Number.NaN)),
    ).toThrow(expect.objectContaining({ code: 'PAYMENT.INVALID_TIMESTAMP', param: 'now' }));
    expect(() =>
      created().markSucceeded(
        { transactionId: TXN_1, paidAt: at(30), channel: 'VISA' as 'ALIPAY' },
        at(31),
      ),
    ).toThrow(code('PAYMENT.INVALID_CHANNEL'));
  });
});

describe('PaymentOrder.markFailed', () => {
  it('moves PROCESSING to FAILED with the channel failure code', () => {
    const order = processing();
    const result = order.markFailed('ACQ.TRADE_HAS_CLOSE', at(40));
    expect(result.changed).toBe(true);
    expect(result.order.state).toBe('FAILED');
    expect(result.order.failureCode).toBe('ACQ.TRADE_HAS_CLOSE');
    expect(result.order.failedAt).toEqual(at(40));
    expect(result.order.version).toBe(3);
    expect(result.event).toEqual({
      type: 'payment_order.failed',
      payload: {
        paymentId: order.id,
        merchantId: MERCHANT_ID,
        failureCode: 'ACQ.TRADE_HAS_CLOSE',
        failedAt: at(40).toISOString(),
      },
    });
  });

  it('treats the same failure reported again as a no-op', () => {
    const order = failed();
    expect(order.markFailed('PAYER_CANCELLED', at(50))).toEqual({ order, changed: false });
  });

  it('refuses to overwrite a recorded failure with another code', () => {
    expect(() => failed().markFailed('SYSTEMERROR', at(50))).toThrow(
      expect.objectContaining({
        code: 'PAYMENT.ILLEGAL_TRANSITION',
        details: { from: 'FAILED', to: 'FAILED' },
      }),
    );
  });

  it.each(['CREATED', 'SUCCEEDED', 'CLOSED'] as const)('is illegal from %s', (state) => {
    expect(() => orderIn(state).markFailed('SYSTEMERROR', at(50))).toThrow(
      expect.objectContaining({
        code: 'PAYMENT.ILLEGAL_TRANSITION',
        details: { from: state, to: 'FAILED' },
      }),
    );
  });

  it.each(['', 'x'.repeat(65), 'has space', 'semi;colon', '失败', undefined, 5004])(
    'rejects failure code %p',
    (failureCode) => {
      expect(() => processing().markFailed(failureCode as string, at(40))).toThrow(
        expect.objectContaining({ code: 'PAYMENT.INVALID_FAILURE_CODE', param: 'failureCode' }),
      );
    },
  );

  it.each(['SYSTEMERROR', '5004', 'ORDER:NOT_EXIST', 'x'.repeat(64)])('accepts %p', (c) => {
    expect(processing().markFailed(c, at(40)).order.failureCode).toBe(c);
  });
});

describe('PaymentOrder.close', () => {
  it('closes a CREATED order on merchant request', () => {
    const order = created();
    const result = order.close('MERCHANT_REQUEST', at(30));
    expect(result.changed).toBe(true);
    expect(result.order.state).toBe('CLOSED');
    expect(result.order.closeReason).toBe('MERCHANT_REQUEST');
    expect(result.order.closedAt).toEqual(at(30));
    expect(result.order.version).toBe(2);
    expect(result.event).toEqual({
      type: 'payment_order.closed',
      payload: {
        paymentId: order.id,
        merchantId: MERCHANT_ID,
        reason: 'MERCHANT_REQUEST',
        closedAt: at(30).toISOString(),
      },
    });
  });

  it('closes a PROCESSING order and keeps its channel', () => {
    const result = processing().close('EXPIRED', at(900));
    expect(result.order.state).toBe('CLOSED');
    expect(result.order.channel).toBe('WECHAT_PAY');
    expect(result.order.closeReason).toBe('EXPIRED');
  });

  it('lets the merchant close after the deadline has passed', () => {
    expect(created().close('MERCHANT_REQUEST', at(5000)).order.state).toBe('CLOSED');
  });

  it('refuses to close as EXPIRED before the deadline', () => {
    expect(() => created().close('EXPIRED', at(899))).toThrow(
      expect.objectContaining({ code: 'PAYMENT.NOT_YET_EXPIRED', param: 'reason' }),
    );
    expect(created().close('EXPIRED', at(900)).order.closeReason).toBe('EXPIRED');
  });

  it('is a no-op on an order that is already closed, keeping the first reason', () => {
    const order = closed();
    const result = order.close('EXPIRED', at(5000));
    expect(result).toEqual({ order, changed: false });
    expect(result.order.closeReason).toBe('MERCHANT_REQUEST');
    expect(order.close('MERCHANT_REQUEST', at(40)).changed).toBe(false);
  });

  it.each(['SUCCEEDED', 'FAILED'] as const)('is illegal from %s', (state) => {
    expect(() => orderIn(state).close('MERCHANT_REQUEST', at(40))).toThrow(
      expect.objectContaining({
        code: 'PAYMENT.ILLEGAL_TRANSITION',
        details: { from: state, to: 'CLOSED' },
      }),
    );
  });

  it.each(['TIMEOUT', 'merchant_request', '', undefined])('rejects reason %p', (reason) => {
    expect(() => created().close(reason as 'EXPIRED', at(1000))).toThrow(
      expect.objectContaining({ code: 'PAYMENT.INVALID_CLOSE_REASON', param: 'reason' }),
    );
  });

  it('rejects an invalid now', () => {
    expect(() => created().close('MERCHANT_REQUEST', null as unknown as Date)).toThrow(
      code('PAYMENT.INVALID_TIMESTAMP'),
    );
  });
});

describe('PaymentOrder.closePlan (merchant close)', () => {
  it('closes a CREATED order at once, a PROCESSING one only after its channel charge', () => {
    expect(created().closePlan()).toBe('close-now');
    expect(processing().closePlan()).toBe('close-charge-first');
    expect(closed().closePlan()).toBe('already-closed');
  });

  it('refuses to close a paid or failed order', () => {
    expect(() => succeeded().closePlan()).toThrow(code('PAYMENT.ILLEGAL_TRANSITION'));
    expect(() => failed().closePlan()).toThrow(code('PAYMENT.ILLEGAL_TRANSITION'));
  });
});

describe('PaymentOrder.closeAfterChannelClosed (ChannelPaymentClosed)', () => {
  it('closes a PROCESSING order whose trade expired with reason EXPIRED, with its event', () => {
    const result = processing().closeAfterChannelClosed('EXPIRED', at(900));
    expect(result.changed).toBe(true);
    expect(result.order.state).toBe('CLOSED');
    expect(result.order.closeReason).toBe('EXPIRED');
    expect(result.changed && result.event).toMatchObject({
      type: 'payment_order.closed',
      payload: { reason: 'EXPIRED', closedAt: at(900).toISOString() },
    });
  });

  it("trusts the channel's close even if this clock has not reached the deadline yet", () => {
    expect(processing().closeAfterChannelClosed('EXPIRED', at(899)).order.state).toBe('CLOSED');
  });

  it('closes a still-open order whose close was requested as MERCHANT_REQUEST', () => {
    const result = processing().closeAfterChannelClosed('CLOSE_REQUESTED', at(60));
    expect(result.order.closeReason).toBe('MERCHANT_REQUEST');
  });

  it('has no effect on a CLOSED, SUCCEEDED or FAILED order', () => {
    for (const order of [closed(), succeeded(), failed()]) {
      const result = order.closeAfterChannelClosed('EXPIRED', at(1000));
      expect(result.changed).toBe(false);
      expect(result.order).toBe(order);
    }
  });
});

describe('PaymentOrder.isStuckProcessing', () => {
  it('is a PROCESSING order still open a grace period after its deadline', () => {
    expect(processing().isStuckProcessing(at(900 + 59), 60_000)).toBe(false);
    expect(processing().isStuckProcessing(at(900 + 60), 60_000)).toBe(true);
    expect(created().isStuckProcessing(at(5000), 60_000)).toBe(false);
    expect(closed().isStuckProcessing(at(5000), 60_000)).toBe(false);
  });
});

describe('PaymentOrder.assertPayable (checkout)', () => {
  it('lets an open order within its deadline be paid', () => {
    expect(() => created().assertPayable(at(899))).not.toThrow();
    expect(() => processing().assertPayable(at(899))).not.toThrow();
  });

  it('never hands out the QR of a CLOSED order, nor of an expired one', () => {
    expect(() => closed().assertPayable(at(31))).toThrow(code('PAYMENT.CLOSED'));
    expect(() => processing().assertPayable(at(900))).toThrow(code('PAYMENT.EXPIRED'));
  });
});

describe('PaymentOrder.fromProps / toProps', () => {
  it.each(['CREATED', 'PROCESSING', 'SUCCEEDED', 'FAILED', 'CLOSED'] as const)(
    'round-trips a %s order',
    (state) => {
      const order = orderIn(state);
      const restored = PaymentOrder.fromProps(order.toProps());
      expect(restored).toEqual(order);
      expect(restored).not.toBe(order);
      expect(restored.state).toBe(state);
    },
  );

  it('round-trips the optional create fields', () => {
    const order = created({
      description: 'd',
      notifyUrl: 'https://a.example/n',
      returnUrl: 'https://a.example/r',
    });
    expect(PaymentOrder.fromProps(order.toProps())).toEqual(order);
  });

  it('hands out copies of its dates', () => {
    const order = succeeded();
    const props = order.toProps();
    props.createdAt.setUTCFullYear(2000);
    props.succeededAt!.setUTCFullYear(2000);
    expect(order.createdAt).toEqual(T0);
    expect(order.succeededAt).toEqual(at(30));
  });

  it('allows a stored amount above the current maximum (policy may have changed)', () => {
    const props = { ...created().toProps(), amount: cny(DEFAULT_MAX_AMOUNT_MINOR * 5) };
    expect(PaymentOrder.fromProps(props).amount.amountMinor).toBe(DEFAULT_MAX_AMOUNT_MINOR * 5);
  });

  const bad: Array<[string, (props: PaymentOrderProps) => PaymentOrderProps, string]> = [
    ['a non-pay id', (p) => ({ ...p, id: newId('txn') }), 'PAYMENT.INVALID_PAYMENT_ID'],
    [
      'an unknown state',
      (p) => ({ ...p, state: 'PAID' as PaymentOrderState }),
      'PAYMENT.INVALID_STATE',
    ],
    ['version 0', (p) => ({ ...p, version: 0 }), 'PAYMENT.INVALID_VERSION'],
    ['a fractional version', (p) => ({ ...p, version: 1.5 }), 'PAYMENT.INVALID_VERSION'],
    ['a zero amount', (p) => ({ ...p, amount: cny(0) }), 'PAYMENT.INVALID_AMOUNT'],
    [
      'an invalid expiresAt',
      (p) => ({ ...p, expiresAt: new Date('x') }),
      'PAYMENT.INVALID_TIMESTAMP',
    ],
    ['an unknown channel', (p) => ({ ...p, channel: 'X' as 'ALIPAY' }), 'PAYMENT.INVALID_CHANNEL'],
    [
      'a CREATED order with a transaction',
      (p) => ({ ...p, transactionId: TXN_1 }),
      'PAYMENT.INCONSISTENT_STATE',
    ],
    [
      'a PROCESSING order without a channel',
      (p) => ({ ...p, state: 'PROCESSING' }),
      'PAYMENT.INCONSISTENT_STATE',
    ],
    [
      'a SUCCEEDED order without a transaction',
      (p) => ({ ...p, state: 'SUCCEEDED', succeededAt: at(30) }),
      'PAYMENT.INCONSISTENT_STATE',
    ],
    [
      'a CLOSED order without a reason',
      (p) => ({ ...p, state: 'CLOSED', closedAt: at(30) }),
      'PAYMENT.INCONSISTENT_STATE',
    ],
    [
      'a FAILED order without a failure code',
      (p) => ({ ...p, state: 'FAILED', channel: 'ALIPAY', failedAt: at(30) }),
      'PAYMENT.INCONSISTENT_STATE',
    ],
  ];

  it.each(bad)('rejects %s', (_label, corrupt, expected) => {
    expect(() => PaymentOrder.fromProps(corrupt(created().toProps()))).toThrow(code(expected));
  });
});

describe('a full life cycle', () => {
  it('counts versions up by one per change and never for a no-op', () => {
    const a = created();
    const b = a.startProcessing('UNIONPAY', at(5)).order;
    const c = b.startProcessing('UNIONPAY', at(6)).order;
    const d = c.markSucceeded({ transactionId: TXN_1, paidAt: at(20) }, at(21)).order;
    const e = d.markSucceeded({ transactionId: TXN_1, paidAt: at(20) }, at(22)).order;
    expect([a, b, c, d, e].map((o) => o.version)).toEqual([1, 2, 2, 3, 3]);
    expect([a, b, c, d, e].map((o) => o.state)).toEqual([
      'CREATED',
      'PROCESSING',
      'PROCESSING',
      'SUCCEEDED',
      'SUCCEEDED',
    ]);
    expect(e.updatedAt).toEqual(at(21));
  });
});
