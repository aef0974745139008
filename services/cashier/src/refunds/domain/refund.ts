import { isId, newId } from '@paylab/ids';
import { Money, type MoneyJSON } from '@paylab/money';
import { CHANNEL_CODES, type ChannelCode } from '../../payments/domain/payment-order';
import { DomainError } from '../../shared/domain-error';

export const REFUND_STATES = ['PENDING', 'SUCCEEDED', 'FAILED'] as const;
export type RefundState = (typeof REFUND_STATES)[number];

/**
 * MERCHANT_REFUND: the merchant asked for it (退款), counted against what the order was paid.
 * LATE_PAYMENT_RETURN: the platform returns a payment the order could not take (迟到支付退回); it
 * refunds that late channel transaction, not the order's paid one, so it is never counted against
 * the merchant's refundable amount.
 */
export const REFUND_KINDS = ['MERCHANT_REFUND', 'LATE_PAYMENT_RETURN'] as const;
export type RefundKind = (typeof REFUND_KINDS)[number];

export interface RefundTransition {
  readonly from: RefundState;
  readonly to: RefundState;
  readonly trigger: string;
}

/**
 * Every move a refund (退款单) may make. PENDING is where a refund waits for the channel; both
 * outcomes are final: a refund that failed is not retried under the same id (the merchant asks for
 * a new one), and a refund that reached the payer cannot be undone.
 */
export const REFUND_TRANSITIONS: readonly RefundTransition[] = Object.freeze([
  Object.freeze({
    from: 'PENDING',
    to: 'SUCCEEDED',
    trigger: 'the channel confirmed the refund (ChannelRefundSucceeded)',
  } as const),
  Object.freeze({
    from: 'PENDING',
    to: 'FAILED',
    trigger: 'the channel refused the refund for good (ChannelRefundFailed)',
  } as const),
]);

export function canRefundTransition(from: RefundState, to: RefundState): boolean {
  return REFUND_TRANSITIONS.some((transition) => transition.from === from && transition.to === to);
}

export const REFUND_REASON_MAX_LENGTH = 256;
const MERCHANT_REFUND_NO_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const CHANNEL_REFUND_NO_PATTERN = /^[\x21-\x7e]{1,64}$/;
const FAILURE_CODE_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;
const BUSINESS_DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const CONTROL_CHARACTERS = /\p{Cc}/u;

export interface RefundProps {
  id: string;
  paymentId: string;
  merchantId: string;
  appId: string;
  /** The channel transaction (txn_…) whose money goes back. */
  transactionId: string;
  kind: RefundKind;
  amount: Money;
  reason?: string;
  /** The merchant's own refund number (商户退款单号); unique per merchant, enforced by storage. */
  merchantRefundNo?: string;
  channel: ChannelCode;
  channelAccountId?: string;
  state: RefundState;
  channelRefundNo?: string;
  businessDate?: string;
  failureCode?: string;
  failureMessage?: string;
  createdAt: Date;
  updatedAt: Date;
  succeededAt?: Date;
  failedAt?: Date;
  version: number;
}

export interface RequestRefundInput {
  paymentId: string;
  merchantId: string;
  appId: string;
  transactionId: string;
  kind: RefundKind;
  amount: Money;
  /** What the payer paid for the refunded transaction; channel refund APIs want it too. */
  paymentAmount: Money;
  reason?: string;
  merchantRefundNo?: string;
  channel: ChannelCode;
  channelAccountId?: string;
}

interface RefundFactsPayload {
  refundId: string;
  paymentId: string;
  merchantId: string;
  transactionId: string;
  kind: RefundKind;
  channel: ChannelCode;
  channelAccountId?: string;
  amount: MoneyJSON;
}

/** Events in wire form, field for field the contracts in libs/contracts/src/events/refunds.ts. */
export type RefundEvent =
  | {
      type: 'refund.requested';
      payload: RefundFactsPayload & {
        paymentAmount: MoneyJSON;
        reason?: string;
        requestedAt: string;
      };
    }
  | {
      type: 'refund.succeeded';
      payload: RefundFactsPayload & {
        channelRefundNo: string;
        succeededAt: string;
        businessDate: string;
      };
    }
  | {
      type: 'refund.failed';
      payload: RefundFactsPayload & {
        failureCode: string;
        failureMessage: string;
        failedAt: string;
      };
    };

/** `changed: false`: a repeat of an outcome already recorded; store and publish nothing. */
export type RefundTransitionResult =
  | { refund: Refund; changed: true; event: RefundEvent }
  | { refund: Refund; changed: false; event?: undefined };

export interface ChannelRefundConfirmation {
  channelRefundNo: string;
  succeededAt: Date;
  /** The channel's business date (Asia/Shanghai) settlement books the refund on. */
  businessDate: string;
  /** The channel account the channel event names; kept if the refund did not know it yet. */
  channelAccountId?: string;
}

export interface ChannelRefundRefusal {
  failureCode: string;
  failureMessage: string;
  failedAt: Date;
  channelAccountId?: string;
}

/**
 * The refund (退款单) aggregate. Like the payment order it is frozen: every transition returns a
 * new refund with `version + 1` and the event to publish with it.
 */
export class Refund {
  readonly id: string;
  readonly paymentId: string;
  readonly merchantId: string;
  readonly appId: string;
  readonly transactionId: string;
  readonly kind: RefundKind;
  readonly amount: Money;
  readonly reason?: string;
  readonly merchantRefundNo?: string;
  readonly channel: ChannelCode;
  readonly channelAccountId?: string;
  readonly state: RefundState;
  readonly channelRefundNo?: string;
  readonly businessDate?: string;
  readonly failureCode?: string;
  readonly failureMessage?: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly succeededAt?: Date;
  readonly failedAt?: Date;
  readonly version: number;

  private constructor(props: RefundProps) {
    this.id = props.id;
    this.paymentId = props.paymentId;
    this.merchantId = props.merchantId;
    this.appId = props.appId;
    this.transactionId = props.transactionId;
    this.kind = props.kind;
    this.amount = props.amount;
    this.reason = props.reason;
    this.merchantRefundNo = props.merchantRefundNo;
    this.channel = props.channel;
    this.channelAccountId = props.channelAccountId;
    this.state = props.state;
    this.channelRefundNo = props.channelRefundNo;
    this.businessDate = props.businessDate;
    this.failureCode = props.failureCode;
    this.failureMessage = props.failureMessage;
    this.createdAt = new Date(props.createdAt.getTime());
    this.updatedAt = new Date(props.updatedAt.getTime());
    this.succeededAt = props.succeededAt && new Date(props.succeededAt.getTime());
    this.failedAt = props.failedAt && new Date(props.failedAt.getTime());
    this.version = props.version;
    Object.freeze(this);
  }

  /**
   * A new PENDING refund and its RefundRequested event. Only the refund's own shape is checked
   * here; whether the order can give this much back is `assertRefundable`'s rule, which the
   * caller checks against the stored refunds under the order's row lock.
   */
  static request(input: RequestRefundInput, now: Date): { refund: Refund; event: RefundEvent } {
    assertValidDate(now, 'now');
    assertPositiveAmount(input.amount);
    if (!(input.paymentAmount instanceof Money) || !input.paymentAmount.isPositive()) {
      throw new DomainError('REFUND.INVALID_AMOUNT', 'paymentAmount must be positive', 'amount');
    }
    if (input.amount.currency !== input.paymentAmount.currency) {
      throw new DomainError(
        'REFUND.CURRENCY_MISMATCH',
        `The payment was made in ${input.paymentAmount.currency}; refund it in ${input.paymentAmount.currency}, not ${input.amount.currency}.`,
        'amount.currency',
      );
    }
    if (input.amount.greaterThan(input.paymentAmount)) {
      throw new DomainError(
        'REFUND.EXCEEDS_REFUNDABLE_AMOUNT',
        `A refund of ${input.amount.toString()} exceeds the payment of ${input.paymentAmount.toString()}.`,
        'amount.amountMinor',
        { refundableMinor: String(input.paymentAmount.amountMinor) },
      );
    }
    const refund = Refund.fromProps({
      id: newId('ref', now.getTime()),
      paymentId: input.paymentId,
      merchantId: input.merchantId,
      appId: input.appId,
      transactionId: input.transactionId,
      kind: input.kind,
      amount: input.amount,
      reason: input.reason,
      merchantRefundNo: input.merchantRefundNo,
      channel: input.channel,
      channelAccountId: input.channelAccountId,
      state: 'PENDING',
      createdAt: now,
      updatedAt: now,
      version: 1,
    });
    return {
      refund,
      event: {
        type: 'refund.requested',
        payload: {
          ...refund.facts(),
          paymentAmount: input.paymentAmount.toJSON(),
          ...(refund.reason === undefined ? {} : { reason: refund.reason }),
          requestedAt: now.toISOString(),
        },
      },
    };
  }

  /** Rebuilds a stored refund, checking every field again so a bad row fails loudly. */
  static fromProps(props: RefundProps): Refund {
    assertId(props.id, 'ref', 'id');
    assertId(props.paymentId, 'pay', 'paymentId');
    assertId(props.merchantId, 'mch', 'merchantId');
    assertId(props.appId, 'app', 'appId');
    assertId(props.transactionId, 'txn', 'transactionId');
    if (!(REFUND_KINDS as readonly unknown[]).includes(props.kind)) {
      throw new DomainError('REFUND.INVALID_KIND', `Unknown refund kind ${show(props.kind)}`);
    }
    assertPositiveAmount(props.amount);
    assertRefundReason(props.reason);
    assertMerchantRefundNo(props.merchantRefundNo);
    if (props.kind === 'LATE_PAYMENT_RETURN' && props.merchantRefundNo !== undefined) {
      throw new DomainError(
        'REFUND.INCONSISTENT_STATE',
        'A late payment return is the platform’s, never numbered by the merchant',
        'merchantRefundNo',
      );
    }
    if (!CHANNEL_CODES.includes(props.channel)) {
      throw new DomainError('REFUND.INVALID_CHANNEL', `Unknown channel ${show(props.channel)}`);
    }
    if (
      props.channelAccountId !== undefined &&
      (typeof props.channelAccountId !== 'string' ||
        props.channelAccountId.length < 1 ||
        props.channelAccountId.length > 64)
    ) {
      throw new DomainError('REFUND.INVALID_CHANNEL_ACCOUNT', 'channelAccountId is 1-64 chars');
    }
    if (!(REFUND_STATES as readonly unknown[]).includes(props.state)) {
      throw new DomainError('REFUND.INVALID_STATE', `Unknown refund state ${show(props.state)}`);
    }
    assertValidDate(props.createdAt, 'createdAt');
    assertValidDate(props.updatedAt, 'updatedAt');
    if (props.channelRefundNo !== undefined) assertChannelRefundNo(props.channelRefundNo);
    if (props.businessDate !== undefined) assertBusinessDate(props.businessDate);
    if (props.failureCode !== undefined) assertFailureCode(props.failureCode);
    if (props.failureMessage !== undefined) assertFailureMessage(props.failureMessage);
    if (props.succeededAt !== undefined) assertValidDate(props.succeededAt, 'succeededAt');
    if (props.failedAt !== undefined) assertValidDate(props.failedAt, 'failedAt');
    assertStateFields(props);
    if (!Number.isSafeInteger(props.version) || props.version < 1) {
      throw new DomainError('REFUND.INVALID_VERSION', `Bad version ${show(props.version)}`);
    }
    return new Refund(props);
  }

  toProps(): RefundProps {
    return {
      id: this.id,
      paymentId: this.paymentId,
      merchantId: this.merchantId,
      appId: this.appId,
      transactionId: this.transactionId,
      kind: this.kind,
      amount: this.amount,
      reason: this.reason,
      merchantRefundNo: this.merchantRefundNo,
      channel: this.channel,
      channelAccountId: this.channelAccountId,
      state: this.state,
      channelRefundNo: this.channelRefundNo,
      businessDate: this.businessDate,
      failureCode: this.failureCode,
      failureMessage: this.failureMessage,
      createdAt: new Date(this.createdAt.getTime()),
      updatedAt: new Date(this.updatedAt.getTime()),
      succeededAt: this.succeededAt && new Date(this.succeededAt.getTime()),
      failedAt: this.failedAt && new Date(this.failedAt.getTime()),
      version: this.version,
    };
  }

  /**
   * PENDING → SUCCEEDED. The same confirmation again (same channel refund number) is a repeat
   * and changes nothing; another number, or a refund that already FAILED, contradicts what is
   * recorded and is refused, because money cannot have both stayed and left.
   */
  succeed(confirmation: ChannelRefundConfirmation, now: Date): RefundTransitionResult {
    assertChannelRefundNo(confirmation.channelRefundNo);
    assertValidDate(confirmation.succeededAt, 'succeededAt');
    assertBusinessDate(confirmation.businessDate);
    assertValidDate(now, 'now');
    if (this.state === 'SUCCEEDED') {
      if (this.channelRefundNo === confirmation.channelRefundNo) {
        return { refund: this, changed: false };
      }
      throw new DomainError(
        'REFUND.CONFLICTING_OUTCOME',
        `Refund ${this.id} already succeeded as ${String(this.channelRefundNo)}; the channel now reports ${confirmation.channelRefundNo}`,
        undefined,
        { recorded: String(this.channelRefundNo), reported: confirmation.channelRefundNo },
      );
    }
    this.assertCanMoveTo('SUCCEEDED');
    const refund = this.next('SUCCEEDED', now, {
      channelRefundNo: confirmation.channelRefundNo,
      succeededAt: confirmation.succeededAt,
      businessDate: confirmation.businessDate,
      channelAccountId: this.channelAccountId ?? confirmation.channelAccountId,
    });
    return {
      refund,
      changed: true,
      event: {
        type: 'refund.succeeded',
        payload: {
          ...refund.facts(),
          channelRefundNo: confirmation.channelRefundNo,
          succeededAt: confirmation.succeededAt.toISOString(),
          businessDate: confirmation.businessDate,
        },
      },
    };
  }

  /** PENDING → FAILED. A repeat of the recorded failure changes nothing; a success cannot fail. */
  fail(refusal: ChannelRefundRefusal, now: Date): RefundTransitionResult {
    assertFailureCode(refusal.failureCode);
    assertFailureMessage(refusal.failureMessage);
    assertValidDate(refusal.failedAt, 'failedAt');
    assertValidDate(now, 'now');
    if (this.state === 'FAILED') {
      if (this.failureCode === refusal.failureCode) return { refund: this, changed: false };
      throw new DomainError(
        'REFUND.CONFLICTING_OUTCOME',
        `Refund ${this.id} already failed with ${String(this.failureCode)}; the channel now reports ${refusal.failureCode}`,
        undefined,
        { recorded: String(this.failureCode), reported: refusal.failureCode },
      );
    }
    this.assertCanMoveTo('FAILED');
    const refund = this.next('FAILED', now, {
      failureCode: refusal.failureCode,
      failureMessage: refusal.failureMessage,
      failedAt: refusal.failedAt,
      channelAccountId: this.channelAccountId ?? refusal.channelAccountId,
    });
    return {
      refund,
      changed: true,
      event: {
        type: 'refund.failed',
        payload: {
          ...refund.facts(),
          failureCode: refusal.failureCode,
          failureMessage: refusal.failureMessage,
          failedAt: refusal.failedAt.toISOString(),
        },
      },
    };
  }

  private facts(): RefundFactsPayload {
    return {
      refundId: this.id,
      paymentId: this.paymentId,
      merchantId: this.merchantId,
      transactionId: this.transactionId,
      kind: this.kind,
      channel: this.channel,
      ...(this.channelAccountId === undefined ? {} : { channelAccountId: this.channelAccountId }),
      amount: this.amount.toJSON(),
    };
  }

  private assertCanMoveTo(to: RefundState): void {
    if (!canRefundTransition(this.state, to)) {
      throw new DomainError(
        'REFUND.ILLEGAL_TRANSITION',
        `Refund ${this.id} cannot move from ${this.state} to ${to}`,
        undefined,
        { from: this.state, to },
      );
    }
  }

  private next(state: RefundState, now: Date, changes: Partial<RefundProps>): Refund {
    return Refund.fromProps({
      ...this.toProps(),
      ...changes,
      state,
      updatedAt: now,
      version: this.version + 1,
    });
  }
}

/** The merchant's reason (退款原因): optional, at most 256 characters, no control characters. */
export function assertRefundReason(value: unknown): asserts value is string | undefined {
  if (value === undefined) return;
  if (
    typeof value !== 'string' ||
    value.trim() === '' ||
    Array.from(value).length > REFUND_REASON_MAX_LENGTH ||
    CONTROL_CHARACTERS.test(value)
  ) {
    throw new DomainError(
      'REFUND.INVALID_REASON',
      `reason, when given, must be 1-${REFUND_REASON_MAX_LENGTH} characters, not blank, without control characters`,
      'reason',
    );
  }
}

export function assertMerchantRefundNo(value: unknown): asserts value is string | undefined {
  if (value === undefined) return;
  if (typeof value !== 'string' || !MERCHANT_REFUND_NO_PATTERN.test(value)) {
    throw new DomainError(
      'REFUND.INVALID_MERCHANT_REFUND_NO',
      `merchantRefundNo must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-', got ${show(value)}`,
      'merchantRefundNo',
    );
  }
}

function assertPositiveAmount(value: unknown): asserts value is Money {
  if (!(value instanceof Money) || !value.isPositive()) {
    throw new DomainError(
      'REFUND.INVALID_AMOUNT',
      'A refund amount must be a positive whole number of minor units (fen).',
      'amount.amountMinor',
    );
  }
}

function assertChannelRefundNo(value: unknown): void {
  if (typeof value !== 'string' || !CHANNEL_REFUND_NO_PATTERN.test(value)) {
    throw new DomainError(
      'REFUND.INVALID_CHANNEL_REFUND_NO',
      `channelRefundNo must be 1-64 printable ASCII characters, got ${show(value)}`,
      'channelRefundNo',
    );
  }
}

function assertBusinessDate(value: unknown): void {
  if (
    typeof value !== 'string' ||
    !BUSINESS_DATE_PATTERN.test(value) ||
    Number.isNaN(Date.parse(`${value}T00:00:00Z`))
  ) {
    throw new DomainError(
      'REFUND.INVALID_BUSINESS_DATE',
      `businessDate must be YYYY-MM-DD, got ${show(value)}`,
      'businessDate',
    );
  }
}

function assertFailureCode(value: unknown): void {
  if (typeof value !== 'string' || !FAILURE_CODE_PATTERN.test(value)) {
    throw new DomainError(
      'REFUND.INVALID_FAILURE_CODE',
      `failureCode must be 1-64 characters of A-Z, a-z, 0-9, '_', '.', ':' or '-', got ${show(value)}`,
      'failureCode',
    );
  }
}

function assertFailureMessage(value: unknown): void {
  if (typeof value !== 'string' || value.length > 512) {
    throw new DomainError(
      'REFUND.INVALID_FAILURE_MESSAGE',
      'failureMessage must be a string of at most 512 characters',
      'failureMessage',
    );
  }
}

function assertId(value: unknown, prefix: 'ref' | 'pay' | 'mch' | 'app' | 'txn', param: string) {
  if (!isId(value, prefix)) {
    throw new DomainError(
      'REFUND.INVALID_ID',
      `${param} must be a ${prefix}_ id, got ${show(value)}`,
      param,
    );
  }
}

function assertValidDate(value: unknown, param: string): asserts value is Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new DomainError('REFUND.INVALID_TIMESTAMP', `${param} must be a valid Date`, param);
  }
}

/** What each state must (and must not) carry, so a stored refund is coherent. */
function assertStateFields(props: RefundProps): void {
  const expected: Record<string, boolean> = {
    channelRefundNo: props.state === 'SUCCEEDED',
    succeededAt: props.state === 'SUCCEEDED',
    businessDate: props.state === 'SUCCEEDED',
    failureCode: props.state === 'FAILED',
    failureMessage: props.state === 'FAILED',
    failedAt: props.state === 'FAILED',
  };
  for (const [field, mustBePresent] of Object.entries(expected)) {
    if ((props[field as keyof RefundProps] !== undefined) !== mustBePresent) {
      throw new DomainError(
        'REFUND.INCONSISTENT_STATE',
        `A ${props.state} refund must ${mustBePresent ? '' : 'not '}have ${field}`,
        field,
      );
    }
  }
}

function show(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  }
  return String(value);
}
