import type { INestApplication } from '@nestjs/common';
import express, { type NextFunction, type Request, type Response } from 'express';
import { AppError } from '../errors/app-error';
import { fromBodyParserError } from '../errors/http-error.filter';
import { mediaTypeOf } from './request-media-type.guard';
import {
  findProblemInBody,
  findProblemInTarget,
  isValidUtf8,
  type TextProblem,
} from './request-text';
import { HttpContextMiddleware } from '../logging/http-context.middleware';

/** Large enough for any merchant request or channel callback; anything bigger is refused. */
export const MAX_BODY_SIZE = '1mb';

type RequestWithRawBody = Request & { rawBody?: Buffer };

/**
 * JSON and form bodies (channel callbacks are forms), keeping the raw bytes for signature
 * checks. Parser failures become our own errors here: Nest would turn them into a generic
 * 400 (or a 500 for an oversized body) and lose what actually went wrong.
 */
export function installBodyParsers(app: INestApplication): void {
  const keepRawBody = (request: RequestWithRawBody, _response: Response, buffer: Buffer) => {
    request.rawBody = buffer;
  };
  const parsers = [
    express.json({ limit: MAX_BODY_SIZE, verify: keepRawBody }),
    express.urlencoded({ extended: false, limit: MAX_BODY_SIZE, verify: keepRawBody }),
  ];
  for (const parser of parsers) {
    app.use((request: Request, response: Response, next: NextFunction) =>
      parser(request, response, (error?: unknown) =>
        next(error === undefined ? undefined : (fromBodyParserError(error) ?? error)),
      ),
    );
  }
}

function invalidCharacters(problem: TextProblem): AppError {
  const subject = problem.where === 'path' ? 'The request path' : `"${problem.where}"`;
  return new AppError(
    'invalid_request_error',
    'REQUEST.INVALID_CHARACTERS',
    `${subject} ${problem.reason}.`,
    problem.param,
  );
}

/**
 * Refuses a path or query that Postgres could not store (NUL, bad percent-encoding or UTF-8)
 * before routing, so no guard or handler ever queries with it.
 */
export function rejectInvalidTarget(request: Request, _response: Response, next: NextFunction) {
  const problem = findProblemInTarget(request.originalUrl ?? request.url);
  next(problem ? invalidCharacters(problem) : undefined);
}

/** The same for a parsed body: every string and key, and a JSON body's bytes as UTF-8. */
export function rejectInvalidBody(
  request: RequestWithRawBody,
  _response: Response,
  next: NextFunction,
) {
  if (
    request.rawBody !== undefined &&
    mediaTypeOf(request.headers['content-type']) === 'application/json' &&
    !isValidUtf8(request.rawBody)
  ) {
    next(invalidCharacters({ where: 'body', reason: 'is not valid UTF-8' }));
    return;
  }
  const problem = findProblemInBody(request.body);
  next(problem ? invalidCharacters(problem) : undefined);
}

/**
 * The order every service's HTTP requests go through: correlation scope and access log first
 * (so even a rejected body gets a request id), then text Postgres would refuse in the path and
 * query, the body parsers and the same check of the body, then Nest's guards and routes.
 * Call before app.listen (NestFactory.create with bodyParser: false).
 */
export function configureHttpPipeline(app: INestApplication): void {
  (app.getHttpAdapter().getInstance() as express.Express).disable('x-powered-by');
  const context = app.get(HttpContextMiddleware);
  app.use(context.use.bind(context));
  app.use(rejectInvalidTarget);
  installBodyParsers(app);
  app.use(rejectInvalidBody);
}
