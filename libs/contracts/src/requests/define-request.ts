import { z } from 'zod';

/**
 * A request someone waits on (a route decision, channel credentials): sent over Kafka with
 * Nest's request/reply, answered on `<topic>.reply`, with a timeout on the caller's side.
 */
export interface RequestContract<
  TRequest extends z.ZodType = z.ZodType,
  TResponse extends z.ZodType = z.ZodType,
> {
  readonly topic: string;
  readonly description: string;
  readonly request: TRequest;
  readonly response: TResponse;
}

export type RequestOf<C extends RequestContract> = z.infer<C['request']>;
export type ResponseOf<C extends RequestContract> = z.infer<C['response']>;

export function defineRequest<TRequest extends z.ZodType, TResponse extends z.ZodType>(
  contract: RequestContract<TRequest, TResponse>,
): RequestContract<TRequest, TResponse> {
  return Object.freeze(contract);
}

/** Replies never rely on transport-level error serialisation: failures are data. */
export const replyEnvelope = z.discriminatedUnion('ok', [
  // Not `value` or `key`: Nest's Kafka serializer would take such an object for a raw Kafka message.
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({
    ok: z.literal(false),
    error: z.object({ code: z.string(), message: z.string(), param: z.string().optional() }),
  }),
]);
export type ReplyEnvelope = z.infer<typeof replyEnvelope>;

export function replyTopicOf(topic: string): string {
  return `${topic}.reply`;
}
