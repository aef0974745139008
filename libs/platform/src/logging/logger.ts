import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';
import { Correlation } from './correlation';

export type PaylabLogger = Logger;

export function createLogger(service: string, level: string): PaylabLogger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin: () => {
      const scope = Correlation.current();
      return scope ? { correlationId: scope.correlationId, causationId: scope.causationId } : {};
    },
  });
}

/** Routes Nest's own log calls (bootstrap, router, exceptions) into the same JSON stream. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: PaylabLogger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    // Nest passes (message, stack, context); keep the stack as a field, not as text.
    const context = params.length > 0 ? params[params.length - 1] : undefined;
    const stack = params.length > 1 ? params[0] : undefined;
    this.logger.error({ context, stack }, stringify(message));
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(
    level: 'info' | 'warn' | 'debug' | 'trace' | 'fatal',
    message: unknown,
    params: unknown[],
  ) {
    const context = params.length > 0 ? params[params.length - 1] : undefined;
    this.logger[level]({ context }, stringify(message));
  }
}

function stringify(message: unknown): string {
  if (typeof message === 'string') return message;
  if (message instanceof Error) return message.message;
  return JSON.stringify(message);
}
