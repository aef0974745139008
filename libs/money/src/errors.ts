/**
 * Stable, machine-readable error codes. Callers (API error mappers, channel adapters) branch on
 * `code`, never on `message`, so messages can be reworded freely without breaking anyone.
 */
export type MoneyErrorCode =
  | 'MONEY.INVALID_AMOUNT'
  | 'MONEY.UNKNOWN_CURRENCY'
  | 'MONEY.TOO_MANY_DECIMALS'
  | 'MONEY.CURRENCY_MISMATCH'
  | 'MONEY.OVERFLOW'
  | 'MONEY.INVALID_RATE'
  | 'MONEY.INVALID_ROUNDING_MODE'
  | 'MONEY.DIVISION_BY_ZERO'
  | 'MONEY.INVALID_ALLOCATION';

export class MoneyError extends Error {
  readonly code: MoneyErrorCode;

  constructor(code: MoneyErrorCode, message: string) {
    super(message);
    this.name = 'MoneyError';
    this.code = code;
    // Keeps `instanceof MoneyError` reliable even if this code is ever down-levelled to ES5.
    Object.setPrototypeOf(this, new.target.prototype);
  }
}
