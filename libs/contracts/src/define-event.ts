import type { z } from 'zod';
import type { EventEnvelope } from './wire';

export interface EventContract<
  TType extends string = string,
  TSchema extends z.ZodType = z.ZodType,
> {
  readonly type: TType;
  readonly version: number;
  readonly topic: string;
  readonly description: string;
  readonly schema: TSchema;
  /** The partition key, taken from the payload: related events must share it to stay ordered. */
  readonly keyOf: (payload: z.infer<TSchema>) => string;
}

export type PayloadOf<C extends EventContract> = z.infer<C['schema']>;
export type EnvelopeOf<C extends EventContract> = EventEnvelope<PayloadOf<C>>;

export function defineEvent<TType extends string, TSchema extends z.ZodType>(
  contract: EventContract<TType, TSchema>,
): EventContract<TType, TSchema> {
  return Object.freeze(contract);
}
