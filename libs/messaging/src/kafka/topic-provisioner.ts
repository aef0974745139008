import { deadLetterTopicOf, topicDefinition } from '@paylab/contracts';
import type { Kafka } from 'kafkajs';

/**
 * Creates the given topics and their dead-letter topics if they do not exist yet. Brokers run
 * with auto-creation off, so a typo in a topic name fails loudly instead of creating a stray topic.
 */
export async function provisionTopics(kafka: Kafka, topicNames: readonly string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const wanted = topicNames.flatMap((name) => {
      const definition = topicDefinition(name);
      if (!definition) throw new Error(`topic ${name} is not in the contracts catalogue`);
      return [
        { topic: name, numPartitions: definition.partitions },
        { topic: deadLetterTopicOf(name), numPartitions: 1 },
      ];
    });
    const missing = wanted.filter((topic) => !existing.has(topic.topic));
    if (missing.length > 0) {
      await admin.createTopics({ topics: missing, waitForLeaders: true });
    }
  } finally {
    await admin.disconnect();
  }
}
