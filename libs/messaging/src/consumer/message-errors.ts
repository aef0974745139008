/**
 * Thrown by a handler when a message can never be processed (it references something that
 * cannot exist, breaks an invariant). It skips the retries and goes straight to dead letter.
 */
export class PermanentMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentMessageError';
  }
}

/**
 * Thrown (or marked with `transient: true`) by an adapter when a dependency is unavailable for a
 * while and the same message will succeed once it is back (a channel that is down, a peer that
 * does not answer). The consumer retries it without limit instead of dead-lettering it.
 */
export class TransientError extends Error {
  readonly transient = true;

  constructor(
    /** What is unavailable, for readiness and logs: 'database', 'redis', 'channel ALIPAY', … */
    readonly dependency: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TransientError';
  }
}
