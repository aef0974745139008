/**
 * A broken business rule, raised by pure domain code. It knows nothing about HTTP: the API layer
 * maps `code` to an error type and status in one place, so the rules here never change when the
 * transport does. Callers branch on `code` (stable), never on `message` (free to be reworded).
 * `param` names the offending request field when there is one, for the `param` of the API error;
 * `details` carries machine-readable facts (e.g. the from/to states of a refused transition) so
 * nobody has to parse them back out of the message.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly param?: string,
    readonly details?: Readonly<Record<string, string>>,
  ) {
    super(message);
    this.name = 'DomainError';
    // Keeps `instanceof DomainError` reliable even if this code is ever down-levelled to ES5.
    Object.setPrototypeOf(this, new.target.prototype);
  }
}
