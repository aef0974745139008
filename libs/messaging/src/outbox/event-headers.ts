import { MessageHeaders, type EventContract } from '@paylab/contracts';

export interface EventHeaderFields {
  messageId: string;
  contract: EventContract;
  correlationId: string;
  causationId?: string;
  producer: string;
  occurredAt: Date | string;
}

/** The PayLab headers of one event message: what the relay sends and consumers decode. */
export function eventHeaders(fields: EventHeaderFields): Record<string, string> {
  return {
    [MessageHeaders.messageId]: fields.messageId,
    [MessageHeaders.eventType]: fields.contract.type,
    [MessageHeaders.schemaVersion]: String(fields.contract.version),
    [MessageHeaders.correlationId]: fields.correlationId,
    [MessageHeaders.producer]: fields.producer,
    [MessageHeaders.occurredAt]:
      typeof fields.occurredAt === 'string' ? fields.occurredAt : fields.occurredAt.toISOString(),
    ...(fields.causationId ? { [MessageHeaders.causationId]: fields.causationId } : {}),
  };
}
