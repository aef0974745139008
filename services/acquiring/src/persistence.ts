/**
 * The entities and migrations of the acquiring schema. The outbox and inbox tables come from
 * @paylab/messaging and are listed before these in acquiring.module.ts.
 */
export const ACQUIRING_ENTITIES: Function[] = [];
export const ACQUIRING_MIGRATIONS: Function[] = [];
