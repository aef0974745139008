import { deadLetterTopicOf, DeadLetterHeaders, MessageHeaders } from '@paylab/contracts';
import { readTopic, type createKafka, type ReadMessage } from '@paylab/messaging';
import { waitFor } from './wait-for';

/**
 * The one dead letter a consumer group wrote for a message. Other groups on a shared broker may
 * dead-letter the same poison message too, so the group is part of the question.
 */
export async function deadLetterOf(
  kafka: ReturnType<typeof createKafka>,
  topic: string,
  messageId: string,
  consumerGroup: string,
  timeoutMs: number,
): Promise<ReadMessage> {
  const [letter] = await waitFor(
    `dead letter of ${messageId}`,
    async () =>
      (
        await readTopic(kafka, deadLetterTopicOf(topic), { minMessages: 1, timeoutMs: 3_000 })
      ).filter(
        (m) =>
          m.headers[MessageHeaders.messageId] === messageId &&
          m.headers[DeadLetterHeaders.consumerGroup] === consumerGroup,
      ),
    (found) => found.length === 1,
    { timeoutMs, intervalMs: 500 },
  );
  return letter;
}
