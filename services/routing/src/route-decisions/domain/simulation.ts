import type {
  CandidateTrace,
  ChannelCode,
  RouteCandidate,
  RoutingContext,
  RoutingStrategy,
  TraceReason,
} from './route-model';
import { decideRoute } from './route-request';
import { NoChannelAvailableError, RoutingError } from './routing-error';

/** What-if switches (模拟): the decision is taken as if these were set. Nothing is changed or stored. */
export interface RoutingOverrides {
  readonly disabledChannels?: readonly ChannelCode[];
  readonly enabledChannels?: readonly ChannelCode[];
  readonly disabledChannelAccounts?: readonly string[];
  readonly enabledChannelAccounts?: readonly string[];
}

export interface SimulationResult {
  readonly strategy: string;
  readonly outcome: 'ROUTED' | 'NO_CHANNEL_AVAILABLE';
  readonly chosen: RouteCandidate | null;
  readonly fallbacks: readonly RouteCandidate[];
  readonly trace: readonly CandidateTrace[];
}

/**
 * Decides as the real endpoint would, on a context with the overrides applied. "No channel" is
 * an answer here, not an error: the question was "what would happen if…".
 */
export function simulateRoute(
  strategy: RoutingStrategy,
  context: RoutingContext,
  overrides: RoutingOverrides,
): SimulationResult {
  const simulated = applyOverrides(context, overrides);
  try {
    const result = decideRoute(strategy, simulated);
    return {
      strategy: result.strategy,
      outcome: 'ROUTED',
      chosen: result.chosen,
      fallbacks: result.fallbacks,
      trace: annotate(result.trace, context, overrides),
    };
  } catch (error) {
    if (!(error instanceof NoChannelAvailableError)) throw error;
    return {
      strategy: error.strategy,
      outcome: 'NO_CHANNEL_AVAILABLE',
      chosen: null,
      fallbacks: [],
      trace: annotate(error.trace, context, overrides),
    };
  }
}

/** The context with the switches flipped; refuses overrides that name nothing or contradict. */
export function applyOverrides(
  context: RoutingContext,
  overrides: RoutingOverrides,
): RoutingContext {
  const disabledChannels = new Set(overrides.disabledChannels ?? []);
  const enabledChannels = new Set(overrides.enabledChannels ?? []);
  const disabledAccounts = new Set(overrides.disabledChannelAccounts ?? []);
  const enabledAccounts = new Set(overrides.enabledChannelAccounts ?? []);

  for (const code of disabledChannels) {
    if (enabledChannels.has(code))
      throw conflicting(`channel ${code}`, 'overrides.enabledChannels');
  }
  for (const id of disabledAccounts) {
    if (enabledAccounts.has(id)) {
      throw conflicting(`channel account ${id}`, 'overrides.enabledChannelAccounts');
    }
  }
  const knownChannels = new Set(context.channels.map((channel) => channel.code));
  for (const [param, codes] of [
    ['overrides.disabledChannels', disabledChannels],
    ['overrides.enabledChannels', enabledChannels],
  ] as const) {
    for (const code of codes) {
      if (!knownChannels.has(code)) {
        throw new RoutingError(
          'ROUTING.UNKNOWN_CHANNEL',
          `Channel ${code} is not in the channel catalogue.`,
          param,
        );
      }
    }
  }
  const merchantAccounts = new Set(
    context.accounts
      .filter((account) => account.merchantId === context.request.merchantId)
      .map((account) => account.id),
  );
  for (const [param, ids] of [
    ['overrides.disabledChannelAccounts', disabledAccounts],
    ['overrides.enabledChannelAccounts', enabledAccounts],
  ] as const) {
    for (const id of ids) {
      // The same answer for "no such account" and "another merchant's account": no leak.
      if (!merchantAccounts.has(id)) {
        throw new RoutingError(
          'ROUTING.UNKNOWN_CHANNEL_ACCOUNT',
          `Merchant ${context.request.merchantId} has no channel account ${id}.`,
          param,
        );
      }
    }
  }

  return {
    ...context,
    channels: context.channels.map((channel) =>
      disabledChannels.has(channel.code)
        ? { ...channel, enabled: false }
        : enabledChannels.has(channel.code)
          ? { ...channel, enabled: true }
          : channel,
    ),
    accounts: context.accounts.map((account) =>
      disabledAccounts.has(account.id)
        ? { ...account, enabled: false }
        : enabledAccounts.has(account.id)
          ? { ...account, enabled: true }
          : account,
    ),
  };
}

/** Adds a SIMULATED_OVERRIDE reason wherever an override touched the candidate or its channel. */
function annotate(
  trace: readonly CandidateTrace[],
  context: RoutingContext,
  overrides: RoutingOverrides,
): CandidateTrace[] {
  const channelEnabled = new Map(
    context.channels.map((channel) => [channel.code, channel.enabled]),
  );
  const accountEnabled = new Map(context.accounts.map((account) => [account.id, account.enabled]));
  return trace.map((entry) => {
    const notes: TraceReason[] = [];
    const note = (what: string, setTo: boolean, actually: boolean | undefined) =>
      notes.push({
        code: 'SIMULATED_OVERRIDE',
        message: `Simulation: ${what} treated as ${setTo ? 'enabled' : 'disabled'} (actually ${actually ? 'enabled' : 'disabled'}).`,
      });
    if (overrides.disabledChannels?.includes(entry.channel)) {
      note(`channel ${entry.channel}`, false, channelEnabled.get(entry.channel));
    }
    if (overrides.enabledChannels?.includes(entry.channel)) {
      note(`channel ${entry.channel}`, true, channelEnabled.get(entry.channel));
    }
    if (overrides.disabledChannelAccounts?.includes(entry.channelAccountId)) {
      note(`account ${entry.channelAccountId}`, false, accountEnabled.get(entry.channelAccountId));
    }
    if (overrides.enabledChannelAccounts?.includes(entry.channelAccountId)) {
      note(`account ${entry.channelAccountId}`, true, accountEnabled.get(entry.channelAccountId));
    }
    return notes.length === 0 ? entry : { ...entry, reasons: [...entry.reasons, ...notes] };
  });
}

function conflicting(what: string, param: string): RoutingError {
  return new RoutingError(
    'ROUTING.CONFLICTING_OVERRIDES',
    `The simulation both enables and disables ${what}.`,
    param,
  );
}
