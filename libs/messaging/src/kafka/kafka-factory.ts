import type { PaylabLogger } from '@paylab/platform';
import { Kafka, logLevel, Partitioners, type KafkaConfig, type ICustomPartitioner } from 'kafkajs';

/**
 * Pinned explicitly: kafkajs 2 changed its default partitioner once already. This one is
 * murmur2-compatible with the Java client, so a payment id lands on the same partition
 * whichever producer (Node or JVM) writes it.
 */
export const PINNED_PARTITIONER: ICustomPartitioner = Partitioners.DefaultPartitioner;

export interface KafkaConnectionOptions {
  clientId: string;
  brokers: string[];
  logger: PaylabLogger;
  /** How many times kafkajs retries a failed request before giving up (the relay has its own loop). */
  retries?: number;
}

const LEVEL_NAMES: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

export function kafkaClientConfig(options: KafkaConnectionOptions): KafkaConfig {
  const log = options.logger.child({ component: 'kafkajs' });
  return {
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    retry: { initialRetryTime: 200, maxRetryTime: 5_000, retries: options.retries ?? 5 },
    logLevel: logLevel.WARN,
    logCreator: () => (entry) => {
      const level = LEVEL_NAMES[entry.level] ?? 'info';
      const { message, ...fields } = entry.log;
      log[level]({ namespace: entry.namespace, ...fields }, message);
    },
  };
}

/** The only place a kafkajs client is constructed. */
export function createKafka(options: KafkaConnectionOptions): Kafka {
  return new Kafka(kafkaClientConfig(options));
}
