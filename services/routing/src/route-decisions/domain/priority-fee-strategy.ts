import { Money, Rate } from '@paylab/money';
import type {
  CandidateTrace,
  ChannelAccountSnapshot,
  ChannelSnapshot,
  RouteCandidate,
  RouteDecisionResult,
  RouteRequest,
  RoutingContext,
  RoutingRuleSnapshot,
  RoutingStrategy,
  TraceReason,
} from './route-model';
import { NoChannelAvailableError } from './routing-error';

/**
 * The first strategy (规则优先 + 费率最低): keep every enabled account of the merchant whose
 * enabled channel offers the method and currency and whose per-transaction limits admit the
 * amount; rank the kept ones by
 *   1. priority — a matching routing rule's priority, else the account's own (lower first),
 *   2. the merchant fee rate (lower first: the merchant keeps more),
 *   3. the account id (so equal candidates always come out in the same order).
 * The first is chosen; the rest are its fallbacks, in order.
 *
 * Rules: a rule matches a candidate when it is for the request's method and prefers the
 * candidate's channel. Merchant rules override global ones: if the merchant has any rule for the
 * method, the global rules for that method are not consulted. Among several matching rules the
 * lowest priority wins (then the lowest id). Rules and account defaults share one scale.
 */
export class PriorityThenFeeStrategy implements RoutingStrategy {
  static readonly NAME = 'PRIORITY_THEN_FEE';
  readonly name = PriorityThenFeeStrategy.NAME;

  decide(context: RoutingContext): RouteDecisionResult {
    const { request } = context;
    const channels = new Map(context.channels.map((channel) => [channel.code, channel]));
    const rules = rulesInForce(context.rules, request);
    // Another merchant's account must never be a candidate, nor show up in this trace.
    const accounts = context.accounts
      .filter((account) => account.merchantId === request.merchantId)
      .slice()
      .sort((a, b) => compareText(a.id, b.id));

    const kept: Array<{ candidate: RouteCandidate; reasons: TraceReason[] }> = [];
    const dropped: CandidateTrace[] = [];
    for (const account of accounts) {
      const refusals = refusalsOf(account, channels.get(account.channel), request);
      if (refusals.length > 0) {
        dropped.push({
          channelAccountId: account.id,
          channel: account.channel,
          outcome: 'DROPPED',
          rank: null,
          reasons: refusals,
        });
        continue;
      }
      const rule = bestRuleFor(account, rules);
      kept.push({
        candidate: toCandidate(account, rule, request.amount),
        reasons: [eligible(account, request), priorityReason(account, rule)],
      });
    }

    if (kept.length === 0) {
      throw new NoChannelAvailableError(
        `No channel account of merchant ${request.merchantId} can take ${request.method} ${request.amount.toDecimalString()} ${request.amount.currency}: all ${dropped.length} candidate(s) were dropped. The trace says why.`,
        this.name,
        dropped,
      );
    }

    kept.sort((a, b) => compareCandidates(a.candidate, b.candidate));
    const ranked: CandidateTrace[] = kept.map(({ candidate, reasons }, index) => ({
      channelAccountId: candidate.channelAccountId,
      channel: candidate.channel,
      outcome: 'KEPT',
      rank: index + 1,
      reasons: [...reasons, rankReason(candidate, index, kept.length)],
    }));
    return {
      strategy: this.name,
      chosen: kept[0].candidate,
      fallbacks: kept.slice(1).map((entry) => entry.candidate),
      trace: [...ranked, ...dropped],
    };
  }
}

/** Every reason this account cannot take this payment; empty when it can. */
function refusalsOf(
  account: ChannelAccountSnapshot,
  channel: ChannelSnapshot | undefined,
  request: RouteRequest,
): TraceReason[] {
  const reasons: TraceReason[] = [];
  const { amount, method } = request;
  if (!account.enabled) {
    reasons.push({
      code: 'ACCOUNT_DISABLED',
      message: `Channel account ${account.id} (${account.channel} merchant no. ${account.channelMerchantNo}) is disabled.`,
    });
  }
  if (channel === undefined) {
    reasons.push({
      code: 'CHANNEL_UNKNOWN',
      message: `Channel ${account.channel} is not in the channel catalogue.`,
    });
    return reasons;
  }
  if (!channel.enabled) {
    reasons.push({
      code: 'CHANNEL_DISABLED',
      message: `Channel ${channel.code} (${channel.name}) is disabled for everyone.`,
    });
  }
  if (!channel.supportedMethods.includes(method)) {
    reasons.push({
      code: 'METHOD_UNSUPPORTED',
      message: `Channel ${channel.code} does not offer ${method}; it offers ${channel.supportedMethods.join(', ') || 'nothing'}.`,
    });
  }
  if (!channel.supportedCurrencies.includes(amount.currency)) {
    reasons.push({
      code: 'CURRENCY_UNSUPPORTED',
      message: `Channel ${channel.code} does not accept ${amount.currency}; it accepts ${channel.supportedCurrencies.join(', ') || 'nothing'}.`,
    });
  } else if (account.currency !== amount.currency) {
    reasons.push({
      code: 'CURRENCY_UNSUPPORTED',
      message: `Channel account ${account.id} settles in ${account.currency}, not ${amount.currency}.`,
    });
  }
  // Limits are in the account's currency; comparing them with another currency means nothing.
  if (account.currency === amount.currency) {
    const min = Money.of(account.minAmountMinor, amount.currency);
    const max = Money.of(account.maxAmountMinor, amount.currency);
    if (amount.lessThan(min)) {
      reasons.push({
        code: 'AMOUNT_BELOW_MIN',
        message: `${format(amount)} is below the account's per-transaction minimum of ${format(min)}.`,
      });
    }
    if (amount.greaterThan(max)) {
      reasons.push({
        code: 'AMOUNT_ABOVE_MAX',
        message: `${format(amount)} is above the account's per-transaction maximum of ${format(max)}.`,
      });
    }
  }
  return reasons;
}

/** The rules that apply to this request: the merchant's own for the method, else the global ones. */
function rulesInForce(
  rules: readonly RoutingRuleSnapshot[],
  request: RouteRequest,
): RoutingRuleSnapshot[] {
  const forMethod = rules.filter((rule) => rule.method === request.method);
  const merchantRules = forMethod.filter((rule) => rule.merchantId === request.merchantId);
  return merchantRules.length > 0
    ? merchantRules
    : forMethod.filter((rule) => rule.merchantId === null);
}

function bestRuleFor(
  account: ChannelAccountSnapshot,
  rules: readonly RoutingRuleSnapshot[],
): RoutingRuleSnapshot | undefined {
  return rules
    .filter((rule) => rule.preferredChannel === account.channel)
    .sort((a, b) => a.priority - b.priority || compareText(a.id, b.id))[0];
}

function toCandidate(
  account: ChannelAccountSnapshot,
  rule: RoutingRuleSnapshot | undefined,
  amount: Money,
): RouteCandidate {
  return {
    channelAccountId: account.id,
    channel: account.channel,
    channelMerchantNo: account.channelMerchantNo,
    merchantFeePpm: account.merchantFeePpm,
    // HALF_UP is fine for an estimate; clearing (清分) computes the fee that is booked.
    estimatedMerchantFee: amount.applyRate(Rate.ppm(account.merchantFeePpm), 'HALF_UP').toJSON(),
    priority: rule?.priority ?? account.priority,
    prioritySource: rule ? 'RULE' : 'ACCOUNT',
    ruleId: rule?.id ?? null,
  };
}

function compareCandidates(a: RouteCandidate, b: RouteCandidate): number {
  return (
    a.priority - b.priority ||
    a.merchantFeePpm - b.merchantFeePpm ||
    compareText(a.channelAccountId, b.channelAccountId)
  );
}

function eligible(account: ChannelAccountSnapshot, request: RouteRequest): TraceReason {
  const min = Money.of(account.minAmountMinor, request.amount.currency);
  const max = Money.of(account.maxAmountMinor, request.amount.currency);
  return {
    code: 'ELIGIBLE',
    message: `Enabled, offers ${request.method} in ${request.amount.currency}, and ${format(request.amount)} is within ${format(min)} – ${format(max)}.`,
  };
}

function priorityReason(
  account: ChannelAccountSnapshot,
  rule: RoutingRuleSnapshot | undefined,
): TraceReason {
  if (rule) {
    return {
      code: 'RULE_PRIORITY',
      message: `${rule.merchantId === null ? 'Global' : 'Merchant'} rule ${rule.id} prefers ${rule.preferredChannel} for ${rule.method}: priority ${rule.priority} (instead of the account's ${account.priority}).`,
    };
  }
  return {
    code: 'DEFAULT_PRIORITY',
    message: `No routing rule prefers ${account.channel}; the account's own priority ${account.priority} applies.`,
  };
}

function rankReason(candidate: RouteCandidate, index: number, total: number): TraceReason {
  const basis = `priority ${candidate.priority}, merchant fee ${Rate.ppm(candidate.merchantFeePpm).toPercentString()} (about ${candidate.estimatedMerchantFee.amountMinor} minor units)`;
  if (index === 0) {
    return {
      code: 'CHOSEN',
      message: `Ranked 1 of ${total} by priority, then merchant fee, then id: ${basis}.`,
    };
  }
  return {
    code: 'FALLBACK',
    message: `Ranked ${index + 1} of ${total}: ${basis}. Tried if the accounts ranked above it fail.`,
  };
}

function format(money: Money): string {
  return `${money.toDecimalString()} ${money.currency}`;
}

/** Plain code-unit order, never locale order: ids must sort the same on every machine. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
