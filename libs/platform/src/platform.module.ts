import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { HttpErrorFilter } from './errors/http-error.filter';
import { HealthController } from './health/health.controller';
import { HealthRegistry } from './health/health-registry';
import { HttpContextMiddleware } from './logging/http-context.middleware';
import type { PaylabLogger } from './logging/logger';
import { ROOT_LOGGER } from './logging/tokens';
import { HttpMetrics } from './metrics/http-metrics';
import { MetricsController } from './metrics/metrics.controller';
import { MetricsRegistry } from './metrics/metrics-registry';
import { SERVICE_NAME } from './platform.tokens';

export interface PlatformOptions {
  serviceName: string;
  logger: PaylabLogger;
}

/**
 * What every PayLab service has in common: health, metrics, correlated JSON logs and the
 * one error shape. Feature modules import nothing from here but the tokens they inject.
 */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformOptions): DynamicModule {
    return {
      module: PlatformModule,
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: SERVICE_NAME, useValue: options.serviceName },
        { provide: ROOT_LOGGER, useValue: options.logger },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
        HealthRegistry,
        MetricsRegistry,
        HttpMetrics,
        HttpContextMiddleware,
      ],
      exports: [SERVICE_NAME, ROOT_LOGGER, HealthRegistry, MetricsRegistry],
    };
  }
}
