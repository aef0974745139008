/**
 * The entities and migrations of the routing schema. The outbox and inbox tables come from
 * @paylab/messaging and are listed before these in routing.module.ts.
 */
export const ROUTING_ENTITIES: Function[] = [];
export const ROUTING_MIGRATIONS: Function[] = [];
