import { Controller, Get, Inject, Res } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { HealthRegistry, type ReadinessReport } from './health-registry';
import { SERVICE_NAME } from '../platform.tokens';
import { PublicEndpoint } from '../auth/operator-access';

@ApiTags('health')
@PublicEndpoint()
@Controller('health')
export class HealthController {
  constructor(
    private readonly registry: HealthRegistry,
    @Inject(SERVICE_NAME) private readonly serviceName: string,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process is up and its event loop answers.' })
  @ApiOkResponse({ description: 'Alive' })
  live(): { status: 'alive'; service: string } {
    return { status: 'alive', service: this.serviceName };
  }

  @Get()
  @ApiOperation({ summary: 'Readiness: every dependency (Postgres, Redis, Kafka) answers.' })
  @ApiOkResponse({ description: 'Ready to serve traffic' })
  @ApiServiceUnavailableResponse({ description: 'A dependency is down; the body says which' })
  async health(@Res({ passthrough: true }) response: Response): Promise<ReadinessReport> {
    return this.ready(response);
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness (same as GET /health).' })
  async ready(@Res({ passthrough: true }) response: Response): Promise<ReadinessReport> {
    const report = await this.registry.readiness(this.serviceName);
    response.status(report.status === 'ready' ? 200 : 503);
    return report;
  }
}
