import { DomainError } from '@paylab/errors';
import type { CandidateTrace } from './route-model';

/** A broken routing rule (`ROUTING.…`), raised by pure domain code. */
export class RoutingError extends DomainError {}

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
