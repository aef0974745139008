import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isId, newId } from '@paylab/ids';
import type { MoneyJSON } from '@paylab/money';
import type { DataSource } from 'typeorm';
import { RoutingConfiguration } from '../channels/routing-configuration';
import { decideRoute, toRouteRequest, type RouteRequestInput } from './domain/route-request';
import type {
  CandidateTrace,
  Device,
  PaymentMethod,
  RouteCandidate,
  RoutingStrategy,
} from './domain/route-model';
import { NoChannelAvailableError, RoutingError } from './domain/routing-error';
import { simulateRoute, type RoutingOverrides } from './domain/simulation';
import { RouteDecisionEntity } from './route-decision.entity';

/** The strategy every decision uses; one provider, so a new strategy is a one-line change. */
export const ROUTING_STRATEGY = Symbol('ROUTING_STRATEGY');

export interface RouteDecisionView {
  id: string;
  merchantId: string;
  method: PaymentMethod;
  amount: MoneyJSON;
  device: Device | null;
  strategy: string;
  outcome: 'ROUTED' | 'NO_CHANNEL_AVAILABLE';
  chosen: RouteCandidate | null;
  fallbacks: RouteCandidate[];
  trace: CandidateTrace[];
  createdAt: string;
}

export interface SimulationView extends Omit<RouteDecisionView, 'id' | 'createdAt'> {
  simulated: true;
  overrides: RoutingOverrides;
}

/** ROUTED is returned; NO_CHANNEL_AVAILABLE is stored too, and the caller turns it into a 422. */
export type DecisionOutcome =
  | { kind: 'ROUTED'; decision: RouteDecisionView }
  | { kind: 'NO_CHANNEL_AVAILABLE'; decision: RouteDecisionView; error: NoChannelAvailableError };

/** Route decisions (路由决策): decide, store with the trace, read back, simulate. */
@Injectable()
export class RouteDecisions {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly configuration: RoutingConfiguration,
    @Inject(ROUTING_STRATEGY) private readonly strategy: RoutingStrategy,
  ) {}

  /**
   * Decides and stores the decision in one transaction. REPEATABLE READ gives the strategy one
   * consistent snapshot of channels, accounts and rules even while an operator edits them.
   * A decision with no channel is stored as well, because its trace is the answer to "why?".
   * Invalid requests and unconfigured merchants throw before anything is written.
   */
  async decide(input: RouteRequestInput): Promise<DecisionOutcome> {
    const request = toRouteRequest(input);
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const context = await this.configuration.loadContext(manager, request);
      const base = {
        id: newId('rtd'),
        merchantId: request.merchantId,
        method: request.method,
        amountMinor: request.amount.amountMinor,
        currency: request.amount.currency,
        device: request.device ?? null,
        createdAt: new Date(),
      };
      let row: RouteDecisionEntity;
      let error: NoChannelAvailableError | undefined;
      try {
        const result = decideRoute(this.strategy, context);
        row = {
          ...base,
          strategy: result.strategy,
          outcome: 'ROUTED',
          chosenChannelAccountId: result.chosen.channelAccountId,
          chosen: result.chosen,
          fallbacks: [...result.fallbacks],
          trace: [...result.trace],
        };
      } catch (caught) {
        if (!(caught instanceof NoChannelAvailableError)) throw caught;
        error = caught;
        row = {
          ...base,
          strategy: caught.strategy,
          outcome: 'NO_CHANNEL_AVAILABLE',
          chosenChannelAccountId: null,
          chosen: null,
          fallbacks: [],
          trace: [...caught.trace],
        };
      }
      await manager.insert(RouteDecisionEntity, row);
      const decision = toView(row);
      return error
        ? { kind: 'NO_CHANNEL_AVAILABLE', decision, error }
        : { kind: 'ROUTED', decision };
    });
  }

  async find(decisionId: string): Promise<RouteDecisionView> {
    // A malformed id cannot exist; answer without asking the database.
    const row = isId(decisionId, 'rtd')
      ? await this.dataSource.getRepository(RouteDecisionEntity).findOneBy({ id: decisionId })
      : null;
    if (!row) {
      throw new RoutingError('ROUTE_DECISION.NOT_FOUND', `No route decision ${decisionId}.`);
    }
    return toView(row);
  }

  /** The same decision on the same data with the overrides applied; nothing is written. */
  async simulate(input: RouteRequestInput, overrides: RoutingOverrides): Promise<SimulationView> {
    const request = toRouteRequest(input);
    const context = await this.dataSource.transaction('REPEATABLE READ', (manager) =>
      this.configuration.loadContext(manager, request),
    );
    const result = simulateRoute(this.strategy, context, overrides);
    return {
      simulated: true,
      merchantId: request.merchantId,
      method: request.method,
      amount: request.amount.toJSON(),
      device: request.device ?? null,
      overrides,
      strategy: result.strategy,
      outcome: result.outcome,
      chosen: result.chosen,
      fallbacks: [...result.fallbacks],
      trace: [...result.trace],
    };
  }
}

function toView(row: RouteDecisionEntity): RouteDecisionView {
  return {
    id: row.id,
    merchantId: row.merchantId,
    method: row.method as PaymentMethod,
    amount: { amountMinor: row.amountMinor, currency: row.currency } as MoneyJSON,
    device: row.device as Device | null,
    strategy: row.strategy,
    outcome: row.outcome,
    chosen: row.chosen,
    fallbacks: row.fallbacks,
    trace: row.trace,
    createdAt: row.createdAt.toISOString(),
  };
}
