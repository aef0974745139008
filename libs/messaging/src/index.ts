export * from './consumer/dead-letter';
export * from './consumer/failure-classifier';
export { TransientError } from './consumer/message-errors';
export * from './consumer/paylab-kafka.server';
export * from './consumer/retry-policy';
export * from './inbox/inbox';
export * from './inbox/inbox-message.entity';
export * from './kafka/kafka-factory';
export * from './kafka/topic-provisioner';
export * from './messaging.module';
export * from './migrations/1732406400000-messaging-tables';
export * from './migrations/1732406400100-dead-letter-replays';
export * from './dead-letters/dead-letter-admin';
export * from './dead-letters/dead-letters.controller';
export * from './outbox/outbox';
export * from './outbox/outbox-message.entity';
export * from './outbox/outbox-relay';

import { InboxMessageEntity } from './inbox/inbox-message.entity';
import { MessagingTables1732406400000 } from './migrations/1732406400000-messaging-tables';
import { DeadLetterReplays1732406400100 } from './migrations/1732406400100-dead-letter-replays';
import { OutboxMessageEntity } from './outbox/outbox-message.entity';

/** Add these to a service's data source: the outbox and inbox tables live in its schema. */
export const MESSAGING_ENTITIES = [OutboxMessageEntity, InboxMessageEntity];
export const MESSAGING_MIGRATIONS = [MessagingTables1732406400000, DeadLetterReplays1732406400100];
export * from './kafka/topic-tools';
export * from './request-reply/answer-request';
export * from './request-reply/request-client';
export * from './request-reply/request-deadline';
export * from './request-reply/request-reply.module';
export * from './outbox/event-headers';
