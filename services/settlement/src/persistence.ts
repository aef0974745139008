/**
 * The entities and migrations of the settlement schema. The outbox and inbox tables come from
 * @paylab/messaging and are listed before these in settlement.module.ts.
 */
export const SETTLEMENT_ENTITIES: Function[] = [];
export const SETTLEMENT_MIGRATIONS: Function[] = [];
