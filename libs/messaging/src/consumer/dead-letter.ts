import { deadLetterTopicOf, DeadLetterHeaders } from '@paylab/contracts';

export interface FailedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers: Record<string, string | undefined>;
}

export interface DeadLetterRecord {
  topic: string;
  message: {
    key: Buffer | string | null;
    value: Buffer | string | null;
    headers: Record<string, string>;
  };
}

/**
 * The original bytes and headers are kept untouched; the reason and the message's origin are
 * added as headers, so an operator can inspect it and replay it to the original topic.
 */
export function buildDeadLetter(
  failed: FailedMessage,
  reason: string,
  consumerGroup: string,
  attempts: number,
  now: Date = new Date(),
): DeadLetterRecord {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(failed.headers)) {
    if (value !== undefined) headers[name] = value;
  }
  Object.assign(headers, {
    [DeadLetterHeaders.reason]: reason.slice(0, 4_000),
    [DeadLetterHeaders.originalTopic]: failed.topic,
    [DeadLetterHeaders.originalPartition]: String(failed.partition),
    [DeadLetterHeaders.originalOffset]: failed.offset,
    [DeadLetterHeaders.consumerGroup]: consumerGroup,
    [DeadLetterHeaders.attempts]: String(attempts),
    [DeadLetterHeaders.failedAt]: now.toISOString(),
  });
  return {
    topic: deadLetterTopicOf(failed.topic),
    message: { key: failed.key, value: failed.value, headers },
  };
}
