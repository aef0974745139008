import type { INestApplication } from '@nestjs/common';
import express, { type NextFunction, type Request, type Response } from 'express';
import { fromBodyParserError } from '../errors/http-error.filter';
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

/**
 * The order every service's HTTP requests go through: correlation scope and access log first
 * (so even a rejected body gets a request id), then the body parsers, then Nest's routes.
 * Call before app.listen (NestFactory.create with bodyParser: false).
 */
export function configureHttpPipeline(app: INestApplication): void {
  (app.getHttpAdapter().getInstance() as express.Express).disable('x-powered-by');
  const context = app.get(HttpContextMiddleware);
  app.use(context.use.bind(context));
  installBodyParsers(app);
}
