import type { CandidateTrace } from './route-model';

/**
 * A broken routing rule, raised by pure domain code. It knows nothing about HTTP: the API layer
 * maps `code` to an error type and status. Callers branch on `code` (stable), never on
 * `message` (free to be reworded). `param` names the offending request field when there is one.
 */
export class RoutingError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly param?: string,
  ) {
    super(message);
    this.name = 'RoutingError';
    // Keeps `instanceof` reliable even if this code is ever down-levelled to ES5.
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

/**
 * Every candidate was dropped. The trace says why, candidate by candidate, so that whoever reads
 * the error (cashier, a student, an operator) never has to guess which limit or switch was hit.
 */
export class NoChannelAvailableError extends RoutingError {
  constructor(
    message: string,
    readonly strategy: string,
    readonly trace: readonly CandidateTrace[],
  ) {
    super('ROUTING.NO_CHANNEL_AVAILABLE', message);
    this.name = 'NoChannelAvailableError';
  }
}
