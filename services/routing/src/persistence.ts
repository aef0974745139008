import { ChannelAccountEntity } from './channels/channel-account.entity';
import { ChannelEntity } from './channels/channel.entity';
import { RoutingRuleEntity } from './channels/routing-rule.entity';
import { CreateRoutingTables1732406800000 } from './migrations/1732406800000-create-routing-tables';
import { RouteDecisionEntity } from './route-decisions/route-decision.entity';

/**
 * The entities and migrations of the routing schema. The outbox and inbox tables come from
 * @paylab/messaging and are listed before these in routing.module.ts.
 */
export const ROUTING_ENTITIES: Function[] = [
  ChannelEntity,
  ChannelAccountEntity,
  RoutingRuleEntity,
  RouteDecisionEntity,
];
export const ROUTING_MIGRATIONS: Function[] = [CreateRoutingTables1732406800000];
