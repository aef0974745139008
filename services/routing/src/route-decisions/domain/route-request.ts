import { isCurrencyCode, Money } from '@paylab/money';
import type {
  Device,
  PaymentMethod,
  RouteDecisionResult,
  RouteRequest,
  RoutingContext,
  RoutingStrategy,
} from './route-model';
import { RoutingError } from './routing-error';

export interface RouteRequestInput {
  merchantId: string;
  method: PaymentMethod;
  amount: { amountMinor: number; currency: string };
  device?: Device;
}

/**
 * Business checks on a request whose shape is already valid: a positive, safe amount in a
 * currency PayLab knows. A known currency that no channel takes (USD, say) is not an input
 * error; it is a routing outcome, and the trace says which channels refused it.
 */
export function toRouteRequest(input: RouteRequestInput): RouteRequest {
  if (!isCurrencyCode(input.amount.currency)) {
    throw new RoutingError(
      'ROUTING.UNKNOWN_CURRENCY',
      `Currency ${input.amount.currency} is not an ISO 4217 code PayLab supports.`,
      'amount.currency',
    );
  }
  const { amountMinor } = input.amount;
  if (!Number.isSafeInteger(amountMinor) || amountMinor <= 0) {
    throw new RoutingError(
      'ROUTING.INVALID_AMOUNT',
      `amount.amountMinor must be a positive whole number of minor units (fen), got ${String(amountMinor)}.`,
      'amount.amountMinor',
    );
  }
  return {
    merchantId: input.merchantId,
    method: input.method,
    amount: Money.of(amountMinor, input.amount.currency),
    ...(input.device === undefined ? {} : { device: input.device }),
  };
}

/**
 * Runs a strategy, after the one check every strategy shares: a merchant with no channel
 * account at all is not configured for routing (or is unknown here; merchants live in cashier).
 * That gets its own code, because "sign up with a channel" is a different fix from "this amount
 * is over a limit", and an empty trace would explain nothing.
 */
export function decideRoute(
  strategy: RoutingStrategy,
  context: RoutingContext,
): RouteDecisionResult {
  const merchantId = context.request.merchantId;
  if (!context.accounts.some((account) => account.merchantId === merchantId)) {
    throw new RoutingError(
      'ROUTING.MERCHANT_HAS_NO_CHANNEL_ACCOUNTS',
      `Merchant ${merchantId} has no channel accounts, so no channel can be chosen. Check the merchant id, or open a channel account for it first.`,
      'merchantId',
    );
  }
  return strategy.decide(context);
}
