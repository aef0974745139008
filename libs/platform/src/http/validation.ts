import type { z } from 'zod';
import { AppError } from '../errors/app-error';

/**
 * Validates a request body (or query) against its schema. The first problem becomes the
 * error, with `param` naming the field the way the client wrote it (`amount.amountMinor`).
 */
export function parseRequest<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue.path.map(String).join('.');
  const unknownKeys =
    issue.code === 'unrecognized_keys' ? (issue as { keys?: string[] }).keys : undefined;
  const param = unknownKeys?.length
    ? [path, unknownKeys[0]].filter(Boolean).join('.')
    : path || undefined;
  const message = unknownKeys?.length
    ? `Unknown field ${param}.`
    : `${param ? `${param}: ` : ''}${issue.message}`;
  throw new AppError('invalid_request_error', 'REQUEST.VALIDATION_FAILED', message, param);
}
