/**
 * A broken business rule, raised by pure domain code with a stable `code` (`CHARGE.…`). It knows
 * nothing about HTTP: the service layer decides the response type from the code.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly param?: string,
  ) {
    super(message);
    this.name = 'DomainError';
    Object.setPrototypeOf(this, new.target.prototype);
  }
}
