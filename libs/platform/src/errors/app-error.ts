/**
 * One error shape for every service: `{ error: { type, code, message, param?, requestId } }`.
 * The type says what kind of failure it is (and so the HTTP status); the code names the
 * precise reason (`PAYMENT.ILLEGAL_TRANSITION`) so clients can branch on it.
 */
export const ERROR_TYPES = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  conflict_error: 409,
  unsupported_media_type_error: 415,
  idempotency_error: 422,
  unprocessable_error: 422,
  rate_limit_error: 429,
  api_error: 500,
  service_unavailable_error: 503,
} as const;

export type ErrorType = keyof typeof ERROR_TYPES;

export interface ErrorBody {
  error: {
    type: ErrorType;
    code: string;
    message: string;
    param?: string;
    requestId?: string;
  };
}

export class AppError extends Error {
  constructor(
    readonly type: ErrorType,
    readonly code: string,
    message: string,
    readonly param?: string,
  ) {
    super(message);
    this.name = 'AppError';
  }

  get httpStatus(): number {
    return ERROR_TYPES[this.type];
  }

  toBody(requestId?: string): ErrorBody {
    return {
      error: {
        type: this.type,
        code: this.code,
        message: this.message,
        ...(this.param === undefined ? {} : { param: this.param }),
        ...(requestId === undefined ? {} : { requestId }),
      },
    };
  }
}
