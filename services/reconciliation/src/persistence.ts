/**
 * The entities and migrations of the reconciliation schema. The outbox and inbox tables come from
 * @paylab/messaging and are listed before these in reconciliation.module.ts.
 */
export const RECONCILIATION_ENTITIES: Function[] = [];
export const RECONCILIATION_MIGRATIONS: Function[] = [];
