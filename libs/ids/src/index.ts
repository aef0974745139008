export { IdError } from './errors';
export type { IdErrorCode } from './errors';
export { ID_PREFIXES, isIdPrefix } from './prefixes';
export type { IdKind, IdPrefix } from './prefixes';
export { IdGenerator } from './id-generator';
export type { IdGeneratorOptions } from './id-generator';
export { defaultIdGenerator, isId, newId, prefixOfId, timestampOfId } from './ids';
