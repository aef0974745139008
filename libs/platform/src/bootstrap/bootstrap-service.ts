import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import type { z } from 'zod';
import type { BaseConfig } from '../config/env-schemas';
import { ConfigurationError, loadConfig } from '../config/load-config';
import { HealthRegistry, type DependencyCheck } from '../health/health-registry';
import { createLogger, NestPinoLogger, type PaylabLogger } from '../logging/logger';
import { configureHttpPipeline } from '../http/http-pipeline';
import { setupOpenApi, type OpenApiInfo } from '../openapi/setup-openapi';

export interface ServiceDefinition<C extends BaseConfig> {
  name: string;
  configSchema: z.ZodType<C>;
  openApi: OpenApiInfo;
  /** Builds the root module from validated configuration, so no provider reads process.env. */
  rootModule(config: C, logger: PaylabLogger): DynamicModule;
  /** The Kafka consumer, for services that consume events. */
  consumer?(config: C, logger: PaylabLogger): MicroserviceOptions;
}

export interface RunningService<C> {
  app: INestApplication;
  config: C;
  logger: PaylabLogger;
  stop(): Promise<void>;
}

/**
 * Creates and starts a service: validate configuration, build the app, connect the
 * consumer, listen. Used by every main.ts and by the tests that run a service in-process.
 */
export async function startService<C extends BaseConfig>(
  definition: ServiceDefinition<C>,
  env: Record<string, string | undefined> = process.env,
): Promise<RunningService<C>> {
  const started = Date.now();
  const config = loadConfig(definition.name, definition.configSchema, env);
  const logger = createLogger(definition.name, config.LOG_LEVEL);
  const app = await NestFactory.create(definition.rootModule(config, logger), {
    logger: new NestPinoLogger(logger),
    bodyParser: false,
    abortOnError: false,
  });
  configureHttpPipeline(app);
  setupOpenApi(app, definition.openApi);
  if (definition.consumer) {
    const consumer = definition.consumer(config, logger);
    // A consumer that can report its own readiness (joined its group) takes part in /health.
    const strategy = (consumer as { strategy?: Partial<DependencyCheck> }).strategy;
    if (typeof strategy?.check === 'function' && typeof strategy.name === 'string') {
      app.get(HealthRegistry).register(strategy as DependencyCheck);
    }
    app.connectMicroservice(consumer, { inheritAppConfig: true });
    await app.startAllMicroservices();
  }
  await app.listen(config.HTTP_PORT, config.HTTP_HOST);
  logger.info(
    { port: config.HTTP_PORT, startupMs: Date.now() - started },
    `${definition.name} started`,
  );

  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= shutDown(app, logger, definition.name));
  return { app, config, logger, stop };
}

/**
 * Shutdown order matters: stop consuming first (so no handler runs against a closing
 * database); then app.close() stops the outbox relay (beforeApplicationShutdown), closes
 * the database and Redis connections (onApplicationShutdown) and finally the HTTP server.
 */
async function shutDown(app: INestApplication, logger: PaylabLogger, name: string): Promise<void> {
  const started = Date.now();
  for (const microservice of app.getMicroservices()) await microservice.close();
  await app.close();
  logger.info({ shutdownMs: Date.now() - started }, `${name} stopped`);
}

/** Entry point for main.ts: fail fast on bad configuration, stop cleanly on SIGTERM/SIGINT. */
export function runService<C extends BaseConfig>(definition: ServiceDefinition<C>): void {
  startService(definition)
    .then((service) => {
      const onSignal = (signal: NodeJS.Signals) => {
        service.logger.info({ signal }, 'shutdown requested');
        service.stop().then(
          () => process.exit(0),
          (error: unknown) => {
            service.logger.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
    })
    .catch((error: unknown) => {
      if (error instanceof ConfigurationError) {
        process.stderr.write(
          JSON.stringify({
            level: 'fatal',
            service: definition.name,
            msg: error.message,
            problems: error.problems,
          }) + '\n',
        );
      } else {
        process.stderr.write(
          JSON.stringify({
            level: 'fatal',
            service: definition.name,
            msg: 'start-up failed',
            err:
              error instanceof Error
                ? { message: error.message, stack: error.stack }
                : String(error),
          }) + '\n',
        );
      }
      process.exit(1);
    });
}
