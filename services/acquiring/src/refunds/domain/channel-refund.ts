/**
 * The rules of a channel refund (渠道退款), pure: what may be refunded against a channel
 * transaction, what the worker does after each answer of the channel, and how a refund
 * notification applies. Every state has an exit:
 *
 *   PENDING/SUBMIT --answer SUCCEEDED--> SUCCEEDED   (SYNC_RESPONSE)
 *   PENDING/SUBMIT --answer FAILED-----> FAILED      (a business refusal)
 *   PENDING/SUBMIT --answer PROCESSING-> PENDING/QUERY after a delay
 *   PENDING/QUERY  --SUCCEEDED / FAILED-> SUCCEEDED (ACTIVE_QUERY) / FAILED
 *   PENDING/QUERY  --NOT_FOUND---------> PENDING/SUBMIT now (resubmitting is idempotent)
 *   PENDING/*      --no usable answer--> same stage, retried with backoff (never failed)
 *   PENDING/*      --notification------> SUCCEEDED (CALLBACK) / FAILED
 */
export type ChannelRefundStatus = 'PENDING' | 'SUCCEEDED' | 'FAILED';
export type RefundStage = 'SUBMIT' | 'QUERY';
export type RefundConfirmedBy = 'SYNC_RESPONSE' | 'CALLBACK' | 'ACTIVE_QUERY';

/** A permanent refusal, with a stable code for ChannelRefundFailed. */
export interface RefundRefusal {
  code: string;
  message: string;
}

export interface RefundableTransaction {
  paymentId: string;
  channel: string;
  status: string;
  amountMinor: number;
  currency: string;
}

export interface RefundAsk {
  paymentId: string;
  channel: string;
  amountMinor: number;
  currency: string;
}

/**
 * Whether a refund may be sent to the channel: the transaction is ours, of the same payment,
 * channel and currency, SUCCEEDED, and with every refund not FAILED (PENDING ones included,
 * they may still succeed) it stays within what was paid. Null when it may; else why not.
 */
export function checkRefundable(
  transaction: RefundableTransaction | null,
  ask: RefundAsk,
  alreadyRefundedMinor: number,
): RefundRefusal | null {
  if (!transaction) {
    return {
      code: 'REFUND.TRANSACTION_NOT_FOUND',
      message: 'Acquiring has no such channel transaction.',
    };
  }
  if (transaction.paymentId !== ask.paymentId || transaction.channel !== ask.channel) {
    return {
      code: 'REFUND.TRANSACTION_MISMATCH',
      message: `The channel transaction belongs to payment ${transaction.paymentId} on ${transaction.channel}, not ${ask.paymentId} on ${ask.channel}.`,
    };
  }
  if (transaction.currency !== ask.currency) {
    return {
      code: 'REFUND.CURRENCY_MISMATCH',
      message: `The transaction is in ${transaction.currency}, the refund in ${ask.currency}.`,
    };
  }
  if (transaction.status !== 'SUCCEEDED') {
    return {
      code: 'REFUND.TRANSACTION_NOT_SUCCEEDED',
      message: `The channel transaction is ${transaction.status}; only a paid transaction can be refunded.`,
    };
  }
  if (!Number.isSafeInteger(ask.amountMinor) || ask.amountMinor <= 0) {
    return { code: 'REFUND.INVALID_AMOUNT', message: 'A refund amount must be positive.' };
  }
  if (alreadyRefundedMinor + ask.amountMinor > transaction.amountMinor) {
    return {
      code: 'REFUND.EXCEEDS_TRANSACTION_AMOUNT',
      message: `Refunding ${ask.amountMinor} after ${alreadyRefundedMinor} would exceed the ${transaction.amountMinor} paid.`,
    };
  }
  return null;
}

/** The channel's answer about a refund, as the adapters normalize it. */
export type ChannelAnswer =
  | { status: 'SUCCEEDED' }
  | { status: 'PROCESSING' }
  | { status: 'NOT_FOUND' }
  | { status: 'FAILED'; failureCode?: string; failureMessage?: string };

export type NextStep =
  | { kind: 'succeed'; confirmedBy: RefundConfirmedBy }
  | { kind: 'fail'; code: string; message: string }
  | { kind: 'await'; stage: 'QUERY'; delayMs: number }
  | { kind: 'resubmit' };

export interface RetrySettings {
  /** Wait before the first active query of a refund the channel is still processing. */
  queryAfterMs: number;
  /** Ceiling of every backoff. */
  maxDelayMs: number;
}

/** What to do after the channel answered a submission (stage SUBMIT) or a query (QUERY). */
export function decideAfterAnswer(
  stage: RefundStage,
  answer: ChannelAnswer,
  attempts: number,
  settings: RetrySettings,
): NextStep {
  switch (answer.status) {
    case 'SUCCEEDED':
      return {
        kind: 'succeed',
        confirmedBy: stage === 'SUBMIT' ? 'SYNC_RESPONSE' : 'ACTIVE_QUERY',
      };
    case 'FAILED':
      return {
        kind: 'fail',
        code: answer.failureCode || 'CHANNEL.REFUND_REFUSED',
        message: answer.failureMessage || 'The channel refused the refund.',
      };
    case 'PROCESSING':
      return {
        kind: 'await',
        stage: 'QUERY',
        // The first query never comes sooner than queryAfterMs, whatever the ceiling.
        delayMs: backoffMs(
          attempts,
          settings.queryAfterMs,
          Math.max(settings.maxDelayMs, settings.queryAfterMs),
        ),
      };
    case 'NOT_FOUND':
      // A submission never answers NOT_FOUND; a query that does means the channel never got it.
      return { kind: 'resubmit' };
  }
}

/**
 * Exponential backoff from `baseMs`, doubling per attempt already made (1 → base, 2 → 2×base,
 * …), capped at `maxMs`.
 */
export function backoffMs(attemptsMade: number, baseMs: number, maxMs: number): number {
  const exponent = Math.min(Math.max(attemptsMade - 1, 0), 30);
  return Math.min(baseMs * 2 ** exponent, maxMs);
}

export type NotificationDecision = 'apply' | 'duplicate' | 'mismatch';

/**
 * A verified refund notification against the refund as recorded: a PENDING refund takes it;
 * one already settled the same way ignores it; a different amount or a contradicting final
 * result (money back on a refund we recorded FAILED, or the reverse) is held for a person.
 */
export function decideOnNotification(
  refund: { status: ChannelRefundStatus; amountMinor: number; currency: string },
  notice: { status: 'SUCCEEDED' | 'FAILED'; amountMinor: number; currency: string },
): NotificationDecision {
  if (refund.amountMinor !== notice.amountMinor || refund.currency !== notice.currency) {
    return 'mismatch';
  }
  if (refund.status === 'PENDING') return 'apply';
  return refund.status === notice.status ? 'duplicate' : 'mismatch';
}
