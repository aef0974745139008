import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { newId } from '@paylab/ids';
import { acceptCorrelationId, Correlation } from './correlation';
import { HttpMetrics } from '../metrics/http-metrics';
import { Inject } from '@nestjs/common';
import { ROOT_LOGGER } from './tokens';
import type { PaylabLogger } from './logger';

export const CORRELATION_HEADER = 'x-correlation-id';
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * Opens the correlation scope for each HTTP request, echoes the ids back, and writes one
 * access log line and one latency observation when the response finishes.
 */
@Injectable()
export class HttpContextMiddleware implements NestMiddleware {
  constructor(
    @Inject(ROOT_LOGGER) private readonly logger: PaylabLogger,
    private readonly metrics: HttpMetrics,
  ) {}

  use(request: Request, response: Response, next: NextFunction): void {
    const requestId = newId('req');
    const correlationId = acceptCorrelationId(request.header(CORRELATION_HEADER)) ?? requestId;
    response.setHeader(REQUEST_ID_HEADER, requestId);
    response.setHeader(CORRELATION_HEADER, correlationId);
    const started = process.hrtime.bigint();
    Correlation.run({ correlationId, requestId }, () => {
      response.on('finish', () => {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        // The matched route pattern keeps metric cardinality bounded (no ids in labels).
        const route = (request.route as { path?: string } | undefined)?.path ?? 'unmatched';
        this.metrics.observe(request.method, route, response.statusCode, seconds);
        if (
          !request.originalUrl.startsWith('/metrics') &&
          !request.originalUrl.startsWith('/health')
        ) {
          this.logger.info(
            {
              requestId,
              correlationId,
              method: request.method,
              url: request.originalUrl,
              status: response.statusCode,
              durationMs: Math.round(seconds * 1000),
            },
            'http request',
          );
        }
      });
      next();
    });
  }
}
