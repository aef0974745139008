/**
 * The entities and migrations of the cashier schema. The outbox and inbox tables come from
 * @paylab/messaging and are listed before these in cashier.module.ts.
 */
export const CASHIER_ENTITIES: Function[] = [];
export const CASHIER_MIGRATIONS: Function[] = [];
