export { MoneyError } from './errors';
export type { MoneyErrorCode } from './errors';
export { CURRENCIES, CURRENCY_CODES, isCurrencyCode, minorUnitsOf } from './currency';
export type { CurrencyCode } from './currency';
export { ROUNDING_MODES, divideRounded, isRoundingMode } from './rounding';
export type { RoundingMode } from './rounding';
export { Rate } from './rate';
export { Money } from './money';
export type { MoneyJSON } from './money';
