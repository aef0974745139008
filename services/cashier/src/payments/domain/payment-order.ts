import { isId, newId } from '@paylab/ids';
import { Money, MoneyJSON } from '@paylab/money';
import { DomainError } from '../../shared/domain-error';

export const PAYMENT_ORDER_STATES = [
  'CREATED',
  'PROCESSING',
  'SUCCEEDED',
  'FAILED',
  'CLOSED',
] as const;
export type PaymentOrderState = (typeof PAYMENT_ORDER_STATES)[number];

/** The channels an order can be paid through; the same codes the event contracts use. */
export const CHANNEL_CODES = ['ALIPAY', 'WECHAT_PAY', 'UNIONPAY'] as const;
export type ChannelCode = (typeof CHANNEL_CODES)[number];

export const CLOSE_REASONS = ['MERCHANT_REQUEST', 'EXPIRED'] as const;
export type CloseReason = (typeof CLOSE_REASONS)[number];

export interface PaymentOrderTransition {
  readonly from: PaymentOrderState;
  readonly to: PaymentOrderState;
  /** What makes it happen, in words a reader of the docs understands. */
  readonly trigger: string;
}

/**
 * Every move a payment order (支付单) may make, as data so that docs and tests can render and
 * check the same table the code enforces. Anything not listed is refused.
 *
 * Why CREATED → SUCCEEDED exists: PROCESSING only records that we asked a channel for payment
 * credentials. The money can still reach the channel without that step being recorded here — the
 * credentials request timed out on our side but succeeded at the channel, or acquiring learned of
 * the payment through an active query (主动查询) before cashier consumed the earlier step. The
 * payer has paid either way, and refusing to record it would strand real money, so a success is
 * accepted from CREATED as well.
 *
 * There is deliberately no way out of SUCCEEDED, FAILED or CLOSED. Money that arrives for an
 * order that is already closed or failed is not "re-opened" into a success: it is a payment the
 * merchant never expects, so it must be refunded to the payer (see `markSucceeded`).
 */
const TRANSITIONS: PaymentOrderTransition[] = [
  {
    from: 'CREATED',
    to: 'PROCESSING',
    trigger: 'the payer chose a method and the channel charge was created',
  },
  {
    from: 'CREATED',
    to: 'SUCCEEDED',
    trigger: 'the channel reported the payment before the PROCESSING step was recorded',
  },
  {
    from: 'CREATED',
    to: 'CLOSED',
    trigger: 'the merchant closed the order, or it expired unpaid',
  },
  {
    from: 'PROCESSING',
    to: 'SUCCEEDED',
    trigger: 'a verified channel callback or active query reported the payment',
  },
  { from: 'PROCESSING', to: 'FAILED', trigger: 'the channel reported the payment failed' },
  {
    from: 'PROCESSING',
    to: 'CLOSED',
    trigger: 'the merchant closed the order, or it expired; the channel charge is closed too',
  },
];
export const PAYMENT_ORDER_TRANSITIONS: readonly PaymentOrderTransition[] = Object.freeze(
  TRANSITIONS.map((transition) => Object.freeze(transition)),
);

export const TERMINAL_STATES: readonly PaymentOrderState[] = Object.freeze([
  'SUCCEEDED',
  'FAILED',
  'CLOSED',
]);

export function canTransition(from: PaymentOrderState, to: PaymentOrderState): boolean {
  return PAYMENT_ORDER_TRANSITIONS.some(
    (transition) => transition.from === from && transition.to === to,
  );
}

export function isTerminalState(state: PaymentOrderState): boolean {
  return TERMINAL_STATES.includes(state);
}

/** How long the payer has to pay. 15 minutes is the usual default of Chinese wallets. */
export const PAYMENT_EXPIRY_SECONDS = Object.freeze({ min: 60, max: 7200, default: 900 });

/** ¥100,000.00. A sanity limit against typos (an amount sent in yuan and cents twice over). */
export const DEFAULT_MAX_AMOUNT_MINOR = 100_000_00;

export interface PaymentOrderPolicy {
  /** Largest amount one order may ask for, in fen. */
  readonly maxAmountMinor: number;
}

export const DEFAULT_PAYMENT_ORDER_POLICY: PaymentOrderPolicy = Object.freeze({
  maxAmountMinor: DEFAULT_MAX_AMOUNT_MINOR,
});

export const SUBJECT_MAX_LENGTH = 256;
export const DESCRIPTION_MAX_LENGTH = 1024;
export const URL_MAX_LENGTH = 2048;
const MERCHANT_ORDER_NO_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
// Channel error codes differ by channel ('SYSTEMERROR', 'ACQ.TRADE_HAS_CLOSE', '5004'), so only
// the character set is pinned: enough to keep them safe in logs, URLs and SQL.
const FAILURE_CODE_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;
const CONTROL_CHARACTERS = /\p{Cc}/u;
// Line breaks and tabs are fine in a free-text description, but not in a one-line subject.
const CONTROL_CHARACTERS_EXCEPT_WHITESPACE = /[^\P{Cc}\t\n\r]/u;

export interface CreatePaymentOrderInput {
  merchantId: string;
  appId: string;
  /** The merchant's own order number (商户订单号); unique per merchant, enforced by storage. */
  merchantOrderNo: string;
  amount: Money;
  /** Shown to the payer in the wallet (商品标题). */
  subject: string;
  description?: string;
  /** Where cashier sends the signed webhook (异步通知地址). */
  notifyUrl?: string;
  /** Where the payer's browser goes after paying (同步跳转地址). */
  returnUrl?: string;
  expiresInSeconds?: number;
}

/** Everything a payment order is; what a repository stores and loads. */
export interface PaymentOrderProps {
  id: string;
  merchantId: string;
  appId: string;
  merchantOrderNo: string;
  amount: Money;
  subject: string;
  description?: string;
  notifyUrl?: string;
  returnUrl?: string;
  expiresAt: Date;
  createdAt: Date;
  updatedAt: Date;
  state: PaymentOrderState;
  channel?: ChannelCode;
  /** Our channel transaction id (txn_…) from acquiring, set on success. */
  transactionId?: string;
  /** Routing's channel account (cha_…) the payment was taken on, when the channel reported it. */
  channelAccountId?: string;
  /** When the payer paid, as reported by the channel. */
  succeededAt?: Date;
  failedAt?: Date;
  failureCode?: string;
  closedAt?: Date;
  closeReason?: CloseReason;
  /** Bumped on every change; storage updates with `WHERE version = <loaded>` to catch races. */
  version: number;
}

/**
 * Events the order asks its caller to publish through the outbox, in the same transaction that
 * stores the change. Payloads are already in wire form (ISO-8601 UTC strings, money as minor units
 * and currency) so they match the event contracts field for field, with no mapping layer in
 * between where a field could be dropped.
 */
export type PaymentOrderEvent =
  | {
      type: 'payment_order.created';
      payload: {
        paymentId: string;
        merchantId: string;
        merchantOrderNo: string;
        amount: MoneyJSON;
        subject: string;
        expiresAt: string;
        createdAt: string;
      };
    }
  | {
      type: 'payment_order.processing';
      payload: { paymentId: string; merchantId: string; channel: ChannelCode; startedAt: string };
    }
  | {
      type: 'payment_order.succeeded';
      payload: {
        paymentId: string;
        merchantId: string;
        amount: MoneyJSON;
        transactionId: string;
        succeededAt: string;
      };
    }
  | {
      type: 'payment_order.failed';
      payload: { paymentId: string; merchantId: string; failureCode: string; failedAt: string };
    }
  | {
      type: 'payment_order.closed';
      payload: { paymentId: string; merchantId: string; reason: CloseReason; closedAt: string };
    };

export type PaymentOrderEventType = PaymentOrderEvent['type'];

/**
 * `changed: false` means the call was a repeat of something that already happened (a duplicate
 * callback, a second close): the caller must store nothing and publish nothing.
 */
export type PaymentOrderTransitionResult =
  | { order: PaymentOrder; changed: true; event: PaymentOrderEvent }
  | { order: PaymentOrder; changed: false; event?: undefined };

export interface MarkSucceededInput {
  /** Acquiring's transaction id (txn_…); the key that makes duplicate callbacks harmless. */
  transactionId: string;
  /** When the payer paid, per the channel. */
  paidAt: Date;
  /** The channel that took the money, when known; required to agree with the recorded one. */
  channel?: ChannelCode;
  /** Routing's channel account (cha_…) that took it, when known; a refund must go back through it. */
  channelAccountId?: string;
}

/**
 * The payment order (支付单) aggregate: what a merchant asked to be paid, and how far the payment
 * has got. Instances are frozen; every change returns a new order with `version + 1` together with
 * the event to publish, so a change and its event can never be separated.
 *
 * Date fields are copied on the way in, so nothing the caller still holds can alter an order; a
 * Date read from an order can still be mutated by whoever reads it (JavaScript cannot freeze one),
 * which is why this is immutable-ish.
 */
export class PaymentOrder {
  readonly id: string;
  readonly merchantId: string;
  readonly appId: string;
  readonly merchantOrderNo: string;
  readonly amount: Money;
  readonly subject: string;
  readonly description?: string;
  readonly notifyUrl?: string;
  readonly returnUrl?: string;
  readonly expiresAt: Date;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly state: PaymentOrderState;
  readonly channel?: ChannelCode;
  readonly transactionId?: string;
  readonly channelAccountId?: string;
  readonly succeededAt?: Date;
  readonly failedAt?: Date;
  readonly failureCode?: string;
  readonly closedAt?: Date;
  readonly closeReason?: CloseReason;
  readonly version: number;

  private constructor(props: PaymentOrderProps) {
    this.id = props.id;
    this.merchantId = props.merchantId;
    this.appId = props.appId;
    this.merchantOrderNo = props.merchantOrderNo;
    this.amount = props.amount;
    this.subject = props.subject;
    this.description = props.description;
    this.notifyUrl = props.notifyUrl;
    this.returnUrl = props.returnUrl;
    this.expiresAt = copyDate(props.expiresAt);
    this.createdAt = copyDate(props.createdAt);
    this.updatedAt = copyDate(props.updatedAt);
    this.state = props.state;
    this.channel = props.channel;
    this.transactionId = props.transactionId;
    this.channelAccountId = props.channelAccountId;
    this.succeededAt = copyOptionalDate(props.succeededAt);
    this.failedAt = copyOptionalDate(props.failedAt);
    this.failureCode = props.failureCode;
    this.closedAt = copyOptionalDate(props.closedAt);
    this.closeReason = props.closeReason;
    this.version = props.version;
    Object.freeze(this);
  }

  /**
   * A new order in CREATED, with the event announcing it. Input is re-validated at runtime
   * because it arrives from merchants over HTTP; the max amount is policy (per deployment or,
   * later, per merchant), hence a parameter.
   */
  static create(
    input: CreatePaymentOrderInput,
    now: Date,
    policy: PaymentOrderPolicy = DEFAULT_PAYMENT_ORDER_POLICY,
  ): { order: PaymentOrder; event: PaymentOrderEvent } {
    assertValidDate(now, 'now');
    assertValidPolicy(policy);
    assertPrefixedId(input.merchantId, 'mch', 'PAYMENT.INVALID_MERCHANT_ID', 'merchantId');
    assertPrefixedId(input.appId, 'app', 'PAYMENT.INVALID_APP_ID', 'appId');
    assertMerchantOrderNo(input.merchantOrderNo);
    assertAmount(input.amount, policy.maxAmountMinor);
    assertSubject(input.subject);
    assertOptionalDescription(input.description);
    assertOptionalHttpUrl(input.notifyUrl, 'notifyUrl');
    assertOptionalHttpUrl(input.returnUrl, 'returnUrl');
    const expiresInSeconds = input.expiresInSeconds ?? PAYMENT_EXPIRY_SECONDS.default;
    assertExpiresInSeconds(expiresInSeconds);

    const order = new PaymentOrder({
      id: newId('pay', now.getTime()),
      merchantId: input.merchantId,
      appId: input.appId,
      merchantOrderNo: input.merchantOrderNo,
      amount: input.amount,
      subject: input.subject,
      description: input.description,
      notifyUrl: input.notifyUrl,
      returnUrl: input.returnUrl,
      expiresAt: new Date(now.getTime() + expiresInSeconds * 1000),
      createdAt: now,
      updatedAt: now,
      state: 'CREATED',
      version: 1,
    });
    return {
      order,
      event: {
        type: 'payment_order.created',
        payload: {
          paymentId: order.id,
          merchantId: order.merchantId,
          merchantOrderNo: order.merchantOrderNo,
          amount: order.amount.toJSON(),
          subject: order.subject,
          expiresAt: order.expiresAt.toISOString(),
          createdAt: order.createdAt.toISOString(),
        },
      },
    };
  }

  /**
   * Rebuilds an order a repository loaded. The shape rules are checked again so a bad row fails
   * loudly here rather than somewhere downstream; the max amount is not, because policy may have
   * been lowered since the order was created.
   */
  static fromProps(props: PaymentOrderProps): PaymentOrder {
    assertPrefixedId(props.id, 'pay', 'PAYMENT.INVALID_PAYMENT_ID', 'id');
    assertPrefixedId(props.merchantId, 'mch', 'PAYMENT.INVALID_MERCHANT_ID', 'merchantId');
    assertPrefixedId(props.appId, 'app', 'PAYMENT.INVALID_APP_ID', 'appId');
    assertMerchantOrderNo(props.merchantOrderNo);
    assertAmount(props.amount, Number.MAX_SAFE_INTEGER);
    assertSubject(props.subject);
    assertOptionalDescription(props.description);
    assertOptionalHttpUrl(props.notifyUrl, 'notifyUrl');
    assertOptionalHttpUrl(props.returnUrl, 'returnUrl');
    assertValidDate(props.expiresAt, 'expiresAt');
    assertValidDate(props.createdAt, 'createdAt');
    assertValidDate(props.updatedAt, 'updatedAt');
    if (!(PAYMENT_ORDER_STATES as readonly unknown[]).includes(props.state)) {
      throw new DomainError(
        'PAYMENT.INVALID_STATE',
        `Unknown payment order state: ${String(props.state)}`,
        'state',
      );
    }
    if (props.channel !== undefined) assertChannel(props.channel);
    if (props.transactionId !== undefined) assertTransactionId(props.transactionId);
    if (props.channelAccountId !== undefined) assertChannelAccountId(props.channelAccountId);
    if (props.succeededAt !== undefined) assertValidDate(props.succeededAt, 'succeededAt');
    if (props.failedAt !== undefined) assertValidDate(props.failedAt, 'failedAt');
    if (props.failureCode !== undefined) assertFailureCode(props.failureCode);
    if (props.closedAt !== undefined) assertValidDate(props.closedAt, 'closedAt');
    if (props.closeReason !== undefined) assertCloseReason(props.closeReason);
    assertStateFields(props);
    if (!Number.isSafeInteger(props.version) || props.version < 1) {
      throw new DomainError(
        'PAYMENT.INVALID_VERSION',
        `Version must be a positive integer, got ${String(props.version)}`,
        'version',
      );
    }
    return new PaymentOrder(props);
  }

  toProps(): PaymentOrderProps {
    return {
      id: this.id,
      merchantId: this.merchantId,
      appId: this.appId,
      merchantOrderNo: this.merchantOrderNo,
      amount: this.amount,
      subject: this.subject,
      description: this.description,
      notifyUrl: this.notifyUrl,
      returnUrl: this.returnUrl,
      expiresAt: copyDate(this.expiresAt),
      createdAt: copyDate(this.createdAt),
      updatedAt: copyDate(this.updatedAt),
      state: this.state,
      channel: this.channel,
      transactionId: this.transactionId,
      channelAccountId: this.channelAccountId,
      succeededAt: copyOptionalDate(this.succeededAt),
      failedAt: copyOptionalDate(this.failedAt),
      failureCode: this.failureCode,
      closedAt: copyOptionalDate(this.closedAt),
      closeReason: this.closeReason,
      version: this.version,
    };
  }

  /**
   * True while the order is still open (CREATED or PROCESSING) and its deadline has been reached;
   * the deadline itself counts as expired. A finished order is never "expired": it no longer
   * waits for anything.
   */
  isExpired(now: Date): boolean {
    assertValidDate(now, 'now');
    return !isTerminalState(this.state) && now.getTime() >= this.expiresAt.getTime();
  }

  /**
   * CREATED → PROCESSING: the payer picked a method and the channel charge exists. Asking again
   * for the same channel is a page reload and changes nothing. Switching channel is refused: the
   * first channel charge would have to be closed first, or the payer could pay twice.
   * An expired order cannot start: the payer would pay for something that is about to be closed.
   */
  startProcessing(channel: ChannelCode, now: Date): PaymentOrderTransitionResult {
    assertChannel(channel);
    assertValidDate(now, 'now');
    if (this.state === 'PROCESSING') {
      if (this.channel === channel) return { order: this, changed: false };
      throw new DomainError(
        'PAYMENT.CHANNEL_ALREADY_CHOSEN',
        `Payment ${this.id} is already processing at ${String(this.channel)}; close that charge before using ${channel}`,
        'channel',
        { current: String(this.channel), requested: channel },
      );
    }
    this.assertCanMoveTo('PROCESSING');
    if (this.isExpired(now)) {
      throw new DomainError(
        'PAYMENT.EXPIRED',
        `Payment ${this.id} expired at ${this.expiresAt.toISOString()}`,
      );
    }
    const order = this.next('PROCESSING', now, { channel });
    return {
      order,
      changed: true,
      event: {
        type: 'payment_order.processing',
        payload: {
          paymentId: order.id,
          merchantId: order.merchantId,
          channel,
          startedAt: now.toISOString(),
        },
      },
    };
  }

  /**
   * CREATED/PROCESSING → SUCCEEDED on a verified channel report.
   *
   * Expiry is not checked: it is our deadline for offering the payment, but if the channel took
   * the money the payer has paid, and that must be recorded. A repeat with the same transaction id
   * is a duplicate callback and has no second effect. A different transaction id means the payer
   * paid twice ('PAYMENT.CONFLICTING_SUCCESS'), and success after CLOSED or FAILED is refused as an
   * illegal transition; in both cases the order stays as it is and the extra channel payment must
   * be refunded to the payer, because the merchant will never deliver anything for it.
   */
  markSucceeded(input: MarkSucceededInput, now: Date): PaymentOrderTransitionResult {
    assertTransactionId(input.transactionId);
    assertValidDate(input.paidAt, 'paidAt');
    if (input.channel !== undefined) assertChannel(input.channel);
    if (input.channelAccountId !== undefined) assertChannelAccountId(input.channelAccountId);
    assertValidDate(now, 'now');
    if (this.state === 'SUCCEEDED') {
      if (this.transactionId === input.transactionId) return { order: this, changed: false };
      throw new DomainError(
        'PAYMENT.CONFLICTING_SUCCESS',
        `Payment ${this.id} already succeeded with ${String(this.transactionId)}; ${input.transactionId} is a second payment and must be refunded`,
        'transactionId',
        { recorded: String(this.transactionId), reported: input.transactionId },
      );
    }
    this.assertCanMoveTo('SUCCEEDED');
    if (
      input.channel !== undefined &&
      this.channel !== undefined &&
      input.channel !== this.channel
    ) {
      throw new DomainError(
        'PAYMENT.CHANNEL_MISMATCH',
        `Payment ${this.id} is processing at ${this.channel} but ${input.channel} reported it paid`,
        'channel',
        { recorded: this.channel, reported: input.channel },
      );
    }
    const order = this.next('SUCCEEDED', now, {
      channel: this.channel ?? input.channel,
      transactionId: input.transactionId,
      channelAccountId: input.channelAccountId,
      succeededAt: input.paidAt,
    });
    return {
      order,
      changed: true,
      event: {
        type: 'payment_order.succeeded',
        payload: {
          paymentId: order.id,
          merchantId: order.merchantId,
          amount: order.amount.toJSON(),
          transactionId: input.transactionId,
          succeededAt: input.paidAt.toISOString(),
        },
      },
    };
  }

  /**
   * PROCESSING → FAILED when the channel says the payment cannot complete. The same failure
   * reported twice is a duplicate; a different code for an already failed order is refused, so the
   * first recorded reason is never silently overwritten.
   */
  markFailed(failureCode: string, now: Date): PaymentOrderTransitionResult {
    assertFailureCode(failureCode);
    assertValidDate(now, 'now');
    if (this.state === 'FAILED' && this.failureCode === failureCode) {
      return { order: this, changed: false };
    }
    this.assertCanMoveTo('FAILED');
    const order = this.next('FAILED', now, { failureCode, failedAt: now });
    return {
      order,
      changed: true,
      event: {
        type: 'payment_order.failed',
        payload: {
          paymentId: order.id,
          merchantId: order.merchantId,
          failureCode,
          failedAt: now.toISOString(),
        },
      },
    };
  }

  /**
   * CREATED/PROCESSING → CLOSED. A merchant may close at any time, also after the deadline; the
   * expiry job may only close once the deadline has really passed ('PAYMENT.NOT_YET_EXPIRED'), so
   * a skewed clock cannot cut a payer off early. Closing twice is harmless and keeps the first
   * reason. For a PROCESSING order, acquiring must close the channel charge before this is called,
   * so that the payer can no longer pay; if the payment slips in anyway, `markSucceeded` refuses it
   * and the money is refunded.
   */
  close(reason: CloseReason, now: Date): PaymentOrderTransitionResult {
    assertCloseReason(reason);
    assertValidDate(now, 'now');
    if (this.state === 'CLOSED') return { order: this, changed: false };
    this.assertCanMoveTo('CLOSED');
    if (reason === 'EXPIRED' && now.getTime() < this.expiresAt.getTime()) {
      throw new DomainError(
        'PAYMENT.NOT_YET_EXPIRED',
        `Payment ${this.id} expires at ${this.expiresAt.toISOString()}, not yet at ${now.toISOString()}`,
        'reason',
      );
    }
    const order = this.next('CLOSED', now, { closedAt: now, closeReason: reason });
    return {
      order,
      changed: true,
      event: {
        type: 'payment_order.closed',
        payload: {
          paymentId: order.id,
          merchantId: order.merchantId,
          reason,
          closedAt: now.toISOString(),
        },
      },
    };
  }

  /**
   * How a merchant's close (关单) proceeds: a CREATED order closes at once; a PROCESSING one has
   * a channel charge the payer may still pay, so the charge is closed at the channel first and
   * the order only after that; a CLOSED one is already closed (the call returns it unchanged).
   * A paid or failed order cannot be closed.
   */
  closePlan(): 'close-now' | 'close-charge-first' | 'already-closed' {
    if (this.state === 'CLOSED') return 'already-closed';
    this.assertCanMoveTo('CLOSED');
    return this.state === 'PROCESSING' ? 'close-charge-first' : 'close-now';
  }

  /**
   * The channel closed this order's trade (ChannelPaymentClosed): at its deadline (EXPIRED) or
   * because the merchant asked (CLOSE_REQUESTED; the order is normally closed already, by the
   * close that asked). An open order closes with EXPIRED or MERCHANT_REQUEST. The deadline is not
   * re-checked: the trade is closed at the channel, so nothing can be paid any more, and a clock
   * a second behind acquiring's must not keep the order open. A CLOSED order is unchanged; a
   * SUCCEEDED or FAILED one too: the channel's word on the payment came first and stands.
   */
  closeAfterChannelClosed(
    channelReason: 'EXPIRED' | 'CLOSE_REQUESTED',
    now: Date,
  ): PaymentOrderTransitionResult {
    assertValidDate(now, 'now');
    if (this.state !== 'CREATED' && this.state !== 'PROCESSING') {
      return { order: this, changed: false };
    }
    const reason: CloseReason = channelReason === 'EXPIRED' ? 'EXPIRED' : 'MERCHANT_REQUEST';
    const order = this.next('CLOSED', now, { closedAt: now, closeReason: reason });
    return {
      order,
      changed: true,
      event: {
        type: 'payment_order.closed',
        payload: {
          paymentId: order.id,
          merchantId: order.merchantId,
          reason,
          closedAt: now.toISOString(),
        },
      },
    };
  }

  /**
   * A PROCESSING order still open `graceMs` after its deadline: acquiring closes the channel
   * trade at the deadline and says so, so this means that word was lost or never came (for
   * instance the charge never reached the channel). The expiry sweep then asks acquiring to close
   * the charge itself, so that no order stays PROCESSING forever.
   */
  isStuckProcessing(now: Date, graceMs: number): boolean {
    assertValidDate(now, 'now');
    return this.state === 'PROCESSING' && now.getTime() >= this.expiresAt.getTime() + graceMs;
  }

  /**
   * Checkout may hand out payment credentials (a QR) only for an order that can still be paid:
   * never for a CLOSED one (its QR is closed at the channel), nor once its deadline has passed.
   */
  assertPayable(now: Date): void {
    assertValidDate(now, 'now');
    if (this.state === 'CLOSED') {
      throw new DomainError(
        'PAYMENT.CLOSED',
        `Payment ${this.id} is closed (${String(this.closeReason)}); it can no longer be paid.`,
      );
    }
    if (this.isExpired(now)) {
      throw new DomainError(
        'PAYMENT.EXPIRED',
        `Payment ${this.id} expired at ${this.expiresAt.toISOString()}`,
      );
    }
  }

  private assertCanMoveTo(to: PaymentOrderState): void {
    if (!canTransition(this.state, to)) {
      throw new DomainError(
        'PAYMENT.ILLEGAL_TRANSITION',
        `Payment ${this.id} cannot move from ${this.state} to ${to}`,
        undefined,
        { from: this.state, to },
      );
    }
  }

  private next(
    state: PaymentOrderState,
    now: Date,
    changes: Partial<PaymentOrderProps>,
  ): PaymentOrder {
    return new PaymentOrder({
      ...this.toProps(),
      ...changes,
      state,
      updatedAt: now,
      version: this.version + 1,
    });
  }
}

function copyDate(date: Date): Date {
  return new Date(date.getTime());
}

function copyOptionalDate(date: Date | undefined): Date | undefined {
  return date === undefined ? undefined : copyDate(date);
}

function assertValidDate(value: unknown, param: string): asserts value is Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new DomainError('PAYMENT.INVALID_TIMESTAMP', `${param} must be a valid Date`, param);
  }
}

function assertValidPolicy(policy: PaymentOrderPolicy): void {
  if (!Number.isSafeInteger(policy?.maxAmountMinor) || policy.maxAmountMinor < 1) {
    throw new DomainError(
      'PAYMENT.INVALID_POLICY',
      `maxAmountMinor must be a positive integer, got ${String(policy?.maxAmountMinor)}`,
    );
  }
}

function assertPrefixedId(
  value: unknown,
  prefix: 'pay' | 'mch' | 'app',
  code: string,
  param: string,
): void {
  if (!isId(value, prefix)) {
    throw new DomainError(code, `${param} must be a ${prefix}_ id, got ${show(value)}`, param);
  }
}

function assertMerchantOrderNo(value: unknown): void {
  if (typeof value !== 'string' || !MERCHANT_ORDER_NO_PATTERN.test(value)) {
    throw new DomainError(
      'PAYMENT.INVALID_MERCHANT_ORDER_NO',
      `merchantOrderNo must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-', got ${show(value)}`,
      'merchantOrderNo',
    );
  }
}

function assertAmount(value: unknown, maxAmountMinor: number): asserts value is Money {
  if (!(value instanceof Money)) {
    throw new DomainError('PAYMENT.INVALID_AMOUNT', 'amount must be a Money', 'amount');
  }
  if (value.currency !== 'CNY') {
    throw new DomainError(
      'PAYMENT.UNSUPPORTED_CURRENCY',
      `Only CNY is supported for now, got ${value.currency}`,
      'amount',
    );
  }
  if (!value.isPositive()) {
    throw new DomainError(
      'PAYMENT.INVALID_AMOUNT',
      `amount must be greater than zero, got ${value.toString()}`,
      'amount',
    );
  }
  if (value.amountMinor > maxAmountMinor) {
    throw new DomainError(
      'PAYMENT.AMOUNT_TOO_LARGE',
      `amount ${value.toString()} exceeds the maximum of ${Money.of(maxAmountMinor, value.currency).toString()}`,
      'amount',
    );
  }
}

// Lengths count Unicode code points, as Postgres varchar(n) does, so a Chinese subject of 256
// characters fits whatever its UTF-16 length.
function codePointLength(value: string): number {
  return Array.from(value).length;
}

function assertSubject(value: unknown): void {
  if (
    typeof value !== 'string' ||
    value.trim() === '' ||
    codePointLength(value) > SUBJECT_MAX_LENGTH ||
    CONTROL_CHARACTERS.test(value)
  ) {
    throw new DomainError(
      'PAYMENT.INVALID_SUBJECT',
      `subject must be 1-${SUBJECT_MAX_LENGTH} characters, not blank, without control characters`,
      'subject',
    );
  }
}

function assertOptionalDescription(value: unknown): void {
  if (value === undefined) return;
  if (
    typeof value !== 'string' ||
    value.trim() === '' ||
    codePointLength(value) > DESCRIPTION_MAX_LENGTH ||
    CONTROL_CHARACTERS_EXCEPT_WHITESPACE.test(value)
  ) {
    throw new DomainError(
      'PAYMENT.INVALID_DESCRIPTION',
      `description, when given, must be 1-${DESCRIPTION_MAX_LENGTH} characters, not blank, without control characters other than line breaks and tabs`,
      'description',
    );
  }
}

/**
 * Only absolute http(s) URLs: a `javascript:` return URL would run script on our checkout page.
 * Credentials in a URL would end up in our logs, so they are refused too. Whether the host is
 * private or loopback (SSRF) depends on DNS at send time, so that check belongs to the notifier.
 */
function assertOptionalHttpUrl(value: unknown, param: string): void {
  if (value === undefined) return;
  const reject = (why: string): never => {
    throw new DomainError('PAYMENT.INVALID_URL', `${param} ${why}`, param);
  };
  if (typeof value !== 'string') return reject('must be a string');
  if (value.length > URL_MAX_LENGTH) return reject(`must be at most ${URL_MAX_LENGTH} characters`);
  // The WHATWG parser quietly strips surrounding whitespace and control characters; storing the
  // string it accepted would mean storing something other than what was validated.
  if (/[\s\p{Cc}]/u.test(value)) return reject('must not contain whitespace');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return reject('must be an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return reject('must use https or http');
  }
  if (url.hostname === '') return reject('must have a host');
  if (url.username !== '' || url.password !== '') return reject('must not contain credentials');
}

function assertExpiresInSeconds(value: unknown): void {
  const { min, max } = PAYMENT_EXPIRY_SECONDS;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new DomainError(
      'PAYMENT.INVALID_EXPIRY',
      `expiresInSeconds must be an integer from ${min} to ${max}, got ${show(value)}`,
      'expiresInSeconds',
    );
  }
}

function assertChannel(value: unknown): asserts value is ChannelCode {
  if (!(CHANNEL_CODES as readonly unknown[]).includes(value)) {
    throw new DomainError(
      'PAYMENT.INVALID_CHANNEL',
      `channel must be one of ${CHANNEL_CODES.join(', ')}, got ${show(value)}`,
      'channel',
    );
  }
}

function assertTransactionId(value: unknown): void {
  if (!isId(value, 'txn')) {
    throw new DomainError(
      'PAYMENT.INVALID_TRANSACTION_ID',
      `transactionId must be a txn_ id, got ${show(value)}`,
      'transactionId',
    );
  }
}

function assertChannelAccountId(value: unknown): void {
  if (typeof value !== 'string' || value.length < 1 || value.length > 64) {
    throw new DomainError(
      'PAYMENT.INVALID_CHANNEL_ACCOUNT_ID',
      `channelAccountId must be 1-64 characters, got ${show(value)}`,
      'channelAccountId',
    );
  }
}

function assertFailureCode(value: unknown): void {
  if (typeof value !== 'string' || !FAILURE_CODE_PATTERN.test(value)) {
    throw new DomainError(
      'PAYMENT.INVALID_FAILURE_CODE',
      `failureCode must be 1-64 characters of A-Z, a-z, 0-9, '_', '.', ':' or '-', got ${show(value)}`,
      'failureCode',
    );
  }
}

function assertCloseReason(value: unknown): asserts value is CloseReason {
  if (!(CLOSE_REASONS as readonly unknown[]).includes(value)) {
    throw new DomainError(
      'PAYMENT.INVALID_CLOSE_REASON',
      `reason must be one of ${CLOSE_REASONS.join(', ')}, got ${show(value)}`,
      'reason',
    );
  }
}

/** The fields that must (and must not) be present in each state, so a loaded row is coherent. */
function assertStateFields(props: PaymentOrderProps): void {
  const present = (value: unknown) => value !== undefined;
  const expected: Record<string, boolean> = {
    channel:
      props.state === 'PROCESSING' || props.state === 'FAILED' ? true : present(props.channel),
    transactionId: props.state === 'SUCCEEDED',
    succeededAt: props.state === 'SUCCEEDED',
    failureCode: props.state === 'FAILED',
    failedAt: props.state === 'FAILED',
    closedAt: props.state === 'CLOSED',
    closeReason: props.state === 'CLOSED',
  };
  for (const [field, mustBePresent] of Object.entries(expected)) {
    if (present(props[field as keyof PaymentOrderProps]) !== mustBePresent) {
      throw new DomainError(
        'PAYMENT.INCONSISTENT_STATE',
        `A ${props.state} payment order must ${mustBePresent ? '' : 'not '}have ${field}`,
        field,
      );
    }
  }
}

function show(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  return String(value);
}
