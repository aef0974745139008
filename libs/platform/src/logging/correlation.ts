import { AsyncLocalStorage } from 'node:async_hooks';

export interface CorrelationScope {
  /** Follows one business flow across services (a payment from order to reconciliation). */
  correlationId: string;
  /** The message or request that directly caused the work in this scope. */
  causationId?: string;
  /** This service's own id for the HTTP request, echoed in error bodies. */
  requestId?: string;
}

const storage = new AsyncLocalStorage<CorrelationScope>();

/**
 * Carries the correlation id through async work without threading it through every call,
 * so logs and outbox events written deep inside a use case still carry it.
 */
export const Correlation = {
  run<T>(scope: CorrelationScope, work: () => T): T {
    return storage.run(scope, work);
  },
  current(): CorrelationScope | undefined {
    return storage.getStore();
  },
};

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Incoming ids are echoed into logs and headers, so anything unusual is replaced, not trusted. */
export function acceptCorrelationId(candidate: unknown): string | undefined {
  return typeof candidate === 'string' && SAFE_ID.test(candidate) ? candidate : undefined;
}
