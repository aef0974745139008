/**
 * The moment after which the asker of a request no longer waits for its answer (send time plus
 * its timeout), as an ISO-8601 instant in this Kafka header. A responder drops a request past its
 * deadline: the asker already reported it as timed out, and doing the work late (a charge opened
 * at the channel after a restart) would create effects nobody is waiting for.
 */
export const REQUEST_DEADLINE_HEADER = 'paylab-request-deadline';

export type DeadlineVerdict =
  { expired: false } | { expired: true; deadline: string; lateByMs: number };

/**
 * Whether a request is past its deadline. Requests without one (sent by an older client) or with
 * an unreadable one are answered as before: dropping them would turn a rollout into an outage.
 */
export function checkRequestDeadline(
  headers: Record<string, unknown> | undefined,
  now: Date = new Date(),
): DeadlineVerdict {
  const raw = headers?.[REQUEST_DEADLINE_HEADER];
  const first: unknown = Array.isArray(raw) ? raw[0] : raw;
  const text = Buffer.isBuffer(first) ? first.toString('utf8') : first;
  if (typeof text !== 'string') return { expired: false };
  const deadline = Date.parse(text);
  if (Number.isNaN(deadline)) return { expired: false };
  const lateByMs = now.getTime() - deadline;
  return lateByMs > 0 ? { expired: true, deadline: text, lateByMs } : { expired: false };
}
