import type { Money, MoneyJSON } from '@paylab/money';

/** What the payer pays with (支付方式), as cashier offers it. */
export const PAYMENT_METHODS = ['ALIPAY', 'WECHAT_PAY', 'UNIONPAY'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/** The channels (支付渠道) PayLab can route to; the same codes the event contracts use. */
export const CHANNEL_CODES = ['ALIPAY', 'WECHAT_PAY', 'UNIONPAY'] as const;
export type ChannelCode = (typeof CHANNEL_CODES)[number];

/** The payer's device. Recorded with every decision; the first strategy does not use it yet. */
export const DEVICES = ['MOBILE', 'DESKTOP'] as const;
export type Device = (typeof DEVICES)[number];

/** A channel as routing sees it: a switch, and what it can carry at all. */
export interface ChannelSnapshot {
  readonly code: ChannelCode;
  readonly name: string;
  readonly enabled: boolean;
  readonly supportedMethods: readonly PaymentMethod[];
  readonly supportedCurrencies: readonly string[];
}

/**
 * A merchant's account at a channel (渠道商户号): the channel's merchant number for it, its own
 * switch, its per-transaction limits and the fee rate the merchant pays on it. Limits are minor
 * units of `currency`, the only currency the account settles in.
 */
export interface ChannelAccountSnapshot {
  readonly id: string;
  readonly merchantId: string;
  readonly channel: ChannelCode;
  readonly channelMerchantNo: string;
  readonly enabled: boolean;
  readonly currency: string;
  readonly minAmountMinor: number;
  readonly maxAmountMinor: number;
  /** The merchant fee rate (商户费率) in parts per million: 6000 = 0.60 %. */
  readonly merchantFeePpm: number;
  /** Default rank; lower goes first. A matching routing rule replaces it. */
  readonly priority: number;
}

/**
 * "For this method, prefer this channel at this priority." Scoped to one merchant, or global
 * (merchantId null). Lower priority values go first.
 */
export interface RoutingRuleSnapshot {
  readonly id: string;
  readonly merchantId: string | null;
  readonly method: PaymentMethod;
  readonly preferredChannel: ChannelCode;
  readonly priority: number;
}

/** A validated route request: the amount is already a Money with a positive value. */
export interface RouteRequest {
  readonly merchantId: string;
  readonly method: PaymentMethod;
  readonly amount: Money;
  readonly device?: Device;
}

/** Everything a strategy may look at. Loading it is the adapter's job; deciding is pure. */
export interface RoutingContext {
  readonly request: RouteRequest;
  readonly channels: readonly ChannelSnapshot[];
  /** The merchant's channel accounts; any other merchant's are ignored. */
  readonly accounts: readonly ChannelAccountSnapshot[];
  readonly rules: readonly RoutingRuleSnapshot[];
}

export const TRACE_REASON_CODES = [
  // Why a candidate was dropped.
  'ACCOUNT_DISABLED',
  'CHANNEL_UNKNOWN',
  'CHANNEL_DISABLED',
  'METHOD_UNSUPPORTED',
  'CURRENCY_UNSUPPORTED',
  'AMOUNT_BELOW_MIN',
  'AMOUNT_ABOVE_MAX',
  // Why a candidate was kept, and where it ranked.
  'ELIGIBLE',
  'RULE_PRIORITY',
  'DEFAULT_PRIORITY',
  'CHOSEN',
  'FALLBACK',
  // A what-if simulation changed this candidate's switches.
  'SIMULATED_OVERRIDE',
] as const;
export type TraceReasonCode = (typeof TRACE_REASON_CODES)[number];

export interface TraceReason {
  readonly code: TraceReasonCode;
  /** For people; never parse it, branch on `code`. */
  readonly message: string;
}

/** One line of the trace: one channel account, kept or dropped, and every reason why. */
export interface CandidateTrace {
  readonly channelAccountId: string;
  readonly channel: ChannelCode;
  readonly outcome: 'KEPT' | 'DROPPED';
  /** 1 for the chosen account, 2… for the fallbacks in order; null when dropped. */
  readonly rank: number | null;
  readonly reasons: readonly TraceReason[];
}

/** A kept candidate, with what ranked it. */
export interface RouteCandidate {
  readonly channelAccountId: string;
  readonly channel: ChannelCode;
  readonly channelMerchantNo: string;
  readonly merchantFeePpm: number;
  /** merchantFeePpm × amount, rounded HALF_UP: an estimate for ranking and display only. */
  readonly estimatedMerchantFee: MoneyJSON;
  readonly priority: number;
  /** Where `priority` came from: a routing rule, or the account's own default. */
  readonly prioritySource: 'RULE' | 'ACCOUNT';
  readonly ruleId: string | null;
}

export interface RouteDecisionResult {
  readonly strategy: string;
  readonly chosen: RouteCandidate;
  /** The other kept candidates in rank order: what to try if the chosen one fails. */
  readonly fallbacks: readonly RouteCandidate[];
  /** Every candidate considered, kept ones first in rank order, then dropped ones by id. */
  readonly trace: readonly CandidateTrace[];
}

/**
 * One way of deciding a route. Later strategies (cheapest, success-rate weighted, health-aware)
 * implement the same interface, so the service and its API do not change when one is added.
 * `decide` is pure: same context, same result. It throws NoChannelAvailableError, with the
 * trace, when every candidate is dropped.
 */
export interface RoutingStrategy {
  readonly name: string;
  decide(context: RoutingContext): RouteDecisionResult;
}
