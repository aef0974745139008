import { isCodedError } from '@paylab/platform';
import type { ReplyEnvelope, RequestContract, RequestOf, ResponseOf } from '@paylab/contracts';

/**
 * The responder side of a request: validate the request, run the work, and turn the result or a
 * coded error (`AREA.REASON`) into a reply envelope. Unexpected errors become INTERNAL.UNEXPECTED
 * without their text, as over HTTP. Use it in a @MessagePattern(contract.topic) handler.
 */
export async function answerRequest<C extends RequestContract>(
  contract: C,
  data: unknown,
  work: (request: RequestOf<C>) => Promise<ResponseOf<C>>,
): Promise<ReplyEnvelope> {
  const parsed = contract.request.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const param = issue.path.map(String).join('.') || undefined;
    return {
      ok: false,
      error: {
        code: 'REQUEST.VALIDATION_FAILED',
        message: `${param ? `${param}: ` : ''}${issue.message}`,
        ...(param ? { param } : {}),
      },
    };
  }
  try {
    const value = contract.response.parse(await work(parsed.data as RequestOf<C>));
    return { ok: true, result: value };
  } catch (error) {
    if (isCodedError(error)) {
      return {
        ok: false,
        error: {
          code: error.code,
          message: error.message,
          ...(typeof error.param === 'string' ? { param: error.param } : {}),
        },
      };
    }
    return {
      ok: false,
      error: {
        code: 'INTERNAL.UNEXPECTED',
        message: 'The responder failed unexpectedly; it has been logged.',
      },
    };
  }
}
