import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { throwError } from 'rxjs';
import { Correlation } from '../logging/correlation';
import { AppError, type ErrorType } from './app-error';
import { errorTypeOf, isCodedError } from './error-catalogue';

/** Nest's own HTTP exceptions (unknown route, body parser failures) mapped into our codes. */
const HTTP_STATUS_TO_APP_ERROR: Record<number, { type: ErrorType; code: string }> = {
  400: { type: 'invalid_request_error', code: 'REQUEST.INVALID' },
  401: { type: 'authentication_error', code: 'AUTH.UNAUTHENTICATED' },
  403: { type: 'permission_error', code: 'AUTH.FORBIDDEN' },
  404: { type: 'not_found_error', code: 'ROUTE.NOT_FOUND' },
  405: { type: 'invalid_request_error', code: 'ROUTE.METHOD_NOT_ALLOWED' },
  409: { type: 'conflict_error', code: 'REQUEST.CONFLICT' },
  413: { type: 'invalid_request_error', code: 'REQUEST.TOO_LARGE' },
  415: { type: 'unsupported_media_type_error', code: 'REQUEST.UNSUPPORTED_MEDIA_TYPE' },
  429: { type: 'rate_limit_error', code: 'REQUEST.RATE_LIMITED' },
};

/** body-parser's error types (the `type` field of its errors) that a client caused. */
const BODY_PARSER_ERRORS: Record<string, { code: string; message: string }> = {
  'entity.parse.failed': {
    code: 'REQUEST.MALFORMED_JSON',
    message: 'The request body is not valid JSON.',
  },
  'entity.too.large': {
    code: 'REQUEST.TOO_LARGE',
    message: 'The request body is larger than the 1 MB limit.',
  },
  'encoding.unsupported': {
    code: 'REQUEST.UNSUPPORTED_ENCODING',
    message: 'The request body encoding is not supported.',
  },
  'charset.unsupported': {
    code: 'REQUEST.UNSUPPORTED_CHARSET',
    message: 'The request body charset is not supported.',
  },
  'request.size.invalid': {
    code: 'REQUEST.SIZE_MISMATCH',
    message: 'The request body does not match its Content-Length.',
  },
};

/** Maps a body-parser failure to our error, or undefined for anything else. */
export function fromBodyParserError(error: unknown): AppError | undefined {
  const type =
    typeof error === 'object' && error !== null ? (error as { type?: unknown }).type : undefined;
  const known = typeof type === 'string' ? BODY_PARSER_ERRORS[type] : undefined;
  return known ? new AppError('invalid_request_error', known.code, known.message) : undefined;
}

/** The single place where errors become HTTP responses. */
export function toAppError(exception: unknown): AppError {
  if (exception instanceof AppError) return exception;
  if (isCodedError(exception)) {
    return new AppError(
      errorTypeOf(exception.code),
      exception.code,
      exception.message,
      exception.param,
    );
  }
  const bodyParserError = fromBodyParserError(exception);
  if (bodyParserError) return bodyParserError;
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const known = HTTP_STATUS_TO_APP_ERROR[status];
    if (known) return new AppError(known.type, known.code, exception.message);
    if (status >= 500) return new AppError('api_error', 'INTERNAL.UNEXPECTED', exception.message);
    return new AppError('invalid_request_error', 'REQUEST.INVALID', exception.message);
  }
  return new AppError(
    'api_error',
    'INTERNAL.UNEXPECTED',
    'An unexpected error occurred. It has been logged.',
  );
}

@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  catch(exception: unknown, host: ArgumentsHost) {
    // Message handlers keep their own error handling (retries, dead letters) in the messaging lib.
    if (host.getType() !== 'http') return throwError(() => exception);

    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const appError = toAppError(exception);
    if (appError.httpStatus >= 500) {
      this.logger.error(
        `${request.method} ${request.originalUrl} failed: ${describe(exception)}`,
        exception instanceof Error ? exception.stack : undefined,
      );
    }
    const requestId = Correlation.current()?.requestId;
    response.status(appError.httpStatus).json(appError.toBody(requestId));
    return undefined;
  }
}

function describe(exception: unknown): string {
  return exception instanceof Error ? exception.message : String(exception);
}
