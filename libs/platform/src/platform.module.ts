import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { OPERATOR_CREDENTIALS, OperatorAccessGuard } from './auth/operator-access.guard';
import type { OperatorCredential } from './auth/operator-credentials';
import { HttpErrorFilter } from './errors/http-error.filter';
import { HealthController } from './health/health.controller';
import { HealthRegistry } from './health/health-registry';
import { RequestMediaTypeGuard } from './http/request-media-type.guard';
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
  /**
   * Who may call the service's internal and admin routes (config OPERATOR_CREDENTIALS).
   * Omitted means nobody: every route not marked @PublicEndpoint() answers 401.
   */
  operatorCredentials?: readonly OperatorCredential[];
}

/**
 * What every PayLab service has in common: health, metrics, correlated JSON logs and the
 * one error shape, the body media-type check and the one operator guard. Feature modules import nothing from here but the tokens they inject.
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
        { provide: OPERATOR_CREDENTIALS, useValue: options.operatorCredentials ?? [] },
        // Global guards run in this order and before any controller's own guard (the merchant
        // signature): a body of the wrong type is 415 before anyone looks at credentials.
        { provide: APP_GUARD, useClass: RequestMediaTypeGuard },
        { provide: APP_GUARD, useClass: OperatorAccessGuard },
        HealthRegistry,
        MetricsRegistry,
        HttpMetrics,
        HttpContextMiddleware,
      ],
      exports: [SERVICE_NAME, ROOT_LOGGER, HealthRegistry, MetricsRegistry],
    };
  }
}
