export type IdErrorCode =
  | 'ID.INVALID_PREFIX'
  | 'ID.INVALID_ID'
  | 'ID.INVALID_TIMESTAMP'
  | 'ID.INVALID_RANDOM_SOURCE'
  | 'ID.OVERFLOW';

/** Carries a stable `code` so callers can branch on it without parsing messages. */
export class IdError extends Error {
  readonly code: IdErrorCode;

  constructor(code: IdErrorCode, message: string) {
    super(message);
    this.name = 'IdError';
    this.code = code;
    Object.setPrototypeOf(this, new.target.prototype);
  }
}
