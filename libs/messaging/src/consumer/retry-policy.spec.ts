import { DomainError } from '@paylab/errors';
import {
  backoffDelayMs,
  decideAfterFailure,
  DEFAULT_RETRY_POLICY,
  PermanentMessageError,
  type RetryPolicy,
} from './retry-policy';

const policy: RetryPolicy = { maxAttempts: 5, baseMs: 100, maxMs: 1_000 };

describe('backoffDelayMs', () => {
  it('doubles from the base delay, starting at attempt 1', () => {
    const options = { baseMs: 100, maxMs: 100_000 };
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelayMs(attempt, options))).toEqual([
      100, 200, 400, 800, 1_600, 3_200,
    ]);
  });

  it('caps the delay at maxMs', () => {
    const options = { baseMs: 100, maxMs: 1_000 };
    expect([4, 5, 6, 10].map((attempt) => backoffDelayMs(attempt, options))).toEqual([
      800, 1_000, 1_000, 1_000,
    ]);
  });

  it('returns exactly maxMs when a doubling lands on it', () => {
    expect(backoffDelayMs(4, { baseMs: 125, maxMs: 1_000 })).toBe(1_000);
  });

  it('never exceeds maxMs even for very large attempts', () => {
    const options = { baseMs: 200, maxMs: 5_000 };
    for (const attempt of [31, 32, 100, 1_000, Number.MAX_SAFE_INTEGER]) {
      const delay = backoffDelayMs(attempt, options);
      expect(delay).toBe(5_000);
      expect(Number.isFinite(delay)).toBe(true);
    }
  });

  it('stays finite when the cap itself is huge', () => {
    const delay = backoffDelayMs(10_000, { baseMs: 1, maxMs: Number.MAX_SAFE_INTEGER });
    expect(Number.isFinite(delay)).toBe(true);
    expect(delay).toBe(2 ** 30);
  });

  it('follows the default policy: 200, 400, 800, 1600, 3200, then 5000', () => {
    expect(
      [1, 2, 3, 4, 5, 6].map((attempt) => backoffDelayMs(attempt, DEFAULT_RETRY_POLICY)),
    ).toEqual([200, 400, 800, 1_600, 3_200, 5_000]);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])(
    'rejects attempt %p',
    (attempt) => {
      expect(() => backoffDelayMs(attempt, policy)).toThrow(
        `attempt must be a positive integer, got ${attempt}`,
      );
    },
  );
});

describe('DEFAULT_RETRY_POLICY', () => {
  it('retries a few times with a bounded delay', () => {
    expect(DEFAULT_RETRY_POLICY).toEqual({ maxAttempts: 5, baseMs: 200, maxMs: 5_000 });
  });
});

describe('PermanentMessageError', () => {
  it('is an Error with its own name and the given message', () => {
    const error = new PermanentMessageError('merchant does not exist');
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(PermanentMessageError);
    expect(error.name).toBe('PermanentMessageError');
    expect(error.message).toBe('merchant does not exist');
  });
});

describe('decideAfterFailure', () => {
  it('retries before maxAttempts with a growing delay', () => {
    const decisions = [1, 2, 3, 4].map((attempt) =>
      decideAfterFailure(new Error('db down'), attempt, policy),
    );
    expect(decisions).toEqual([
      { action: 'retry', delayMs: 100 },
      { action: 'retry', delayMs: 200 },
      { action: 'retry', delayMs: 400 },
      { action: 'retry', delayMs: 800 },
    ]);
  });

  it('caps the retry delay at maxMs', () => {
    const wide: RetryPolicy = { maxAttempts: 20, baseMs: 100, maxMs: 1_000 };
    expect(decideAfterFailure(new Error('x'), 10, wide)).toEqual({
      action: 'retry',
      delayMs: 1_000,
    });
  });

  it('dead-letters at maxAttempts and says why', () => {
    expect(decideAfterFailure(new Error('db down'), 5, policy)).toEqual({
      action: 'dead-letter',
      reason: 'gave up after 5 attempts: db down',
    });
  });

  it('dead-letters past maxAttempts too', () => {
    expect(decideAfterFailure(new Error('db down'), 9, policy)).toEqual({
      action: 'dead-letter',
      reason: 'gave up after 9 attempts: db down',
    });
  });

  it('dead-letters on the first failure when only one attempt is allowed', () => {
    const once: RetryPolicy = { ...policy, maxAttempts: 1 };
    expect(decideAfterFailure(new Error('boom'), 1, once)).toEqual({
      action: 'dead-letter',
      reason: 'gave up after 1 attempts: boom',
    });
  });

  it('sends a PermanentMessageError straight to dead letter on the first attempt', () => {
    expect(decideAfterFailure(new PermanentMessageError('unknown merchant'), 1, policy)).toEqual({
      action: 'dead-letter',
      reason: 'permanent failure: unknown merchant',
    });
  });

  it('keeps the permanent-failure reason at maxAttempts too', () => {
    expect(decideAfterFailure(new PermanentMessageError('bad'), 5, policy)).toEqual({
      action: 'dead-letter',
      reason: 'permanent failure: bad',
    });
  });

  it('recognises subclasses of PermanentMessageError', () => {
    class UnknownMerchant extends PermanentMessageError {}
    const decision = decideAfterFailure(new UnknownMerchant('mch gone'), 1, policy);
    expect(decision).toEqual({ action: 'dead-letter', reason: 'permanent failure: mch gone' });
  });

  it('does not treat an ordinary error named PermanentMessageError as permanent', () => {
    const impostor = new Error('looks permanent');
    impostor.name = 'PermanentMessageError';
    expect(decideAfterFailure(impostor, 1, policy)).toEqual({ action: 'retry', delayMs: 100 });
  });

  it.each<[unknown, string]>([
    ['plain string', 'plain string'],
    [42, '42'],
    [null, 'null'],
    [undefined, 'undefined'],
    [{ code: 'X' }, '[object Object]'],
  ])('handles a thrown non-Error value %p', (thrown, text) => {
    expect(decideAfterFailure(thrown, 1, policy)).toEqual({ action: 'retry', delayMs: 100 });
    expect(decideAfterFailure(thrown, 5, policy)).toEqual({
      action: 'dead-letter',
      reason: `gave up after 5 attempts: ${text}`,
    });
  });

  it('rejects an invalid attempt number rather than retrying', () => {
    expect(() => decideAfterFailure(new Error('x'), 0, policy)).toThrow(
      'attempt must be a positive integer',
    );
  });
});

describe('decideAfterFailure with transient failures', () => {
  const connectionLost = Object.assign(new Error('Connection terminated unexpectedly'), {});
  const transient = { baseMs: 200, maxMs: 10_000 };

  it('waits for the dependency without limit, far beyond maxAttempts', () => {
    for (const attempt of [1, 5, 6, 50, 10_000]) {
      const decision = decideAfterFailure(connectionLost, attempt, policy, transient);
      expect(decision).toMatchObject({ action: 'wait-for-dependency', dependency: 'database' });
    }
  });

  it('backs off exponentially from 200 ms and caps at 10 s by default', () => {
    const delays = [1, 2, 3, 6, 7, 100].map((attempt) => {
      const decision = decideAfterFailure(connectionLost, attempt, policy);
      return decision.action === 'wait-for-dependency' ? decision.delayMs : undefined;
    });
    expect(delays).toEqual([200, 400, 800, 6_400, 10_000, 10_000]);
  });

  it('dead-letters a DomainError on the first attempt', () => {
    class RefundError extends DomainError<'REFUND.EXCEEDS_PAID_AMOUNT'> {}
    expect(
      decideAfterFailure(new RefundError('REFUND.EXCEEDS_PAID_AMOUNT', 'too much'), 1, policy),
    ).toEqual({
      action: 'dead-letter',
      reason: 'refused by a business rule: REFUND.EXCEEDS_PAID_AMOUNT: too much',
    });
  });
});
