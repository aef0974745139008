import {
  BeforeApplicationShutdown,
  DynamicModule,
  Inject,
  Injectable,
  Module,
  OnApplicationBootstrap,
} from '@nestjs/common';
import type { RequestContract } from '@paylab/contracts';
import { ROOT_LOGGER, type PaylabLogger } from '@paylab/platform';
import { backoffDelayMs } from '../consumer/retry-policy';
import { KafkaRequestClient } from './request-client';

export interface RequestReplyOptions {
  serviceName: string;
  brokers: string[];
  /** The requests this service sends. */
  sends: readonly RequestContract[];
  timeoutMs?: number;
}

@Injectable()
class RequestClientLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private stopped = false;
  private connecting: Promise<void> | undefined;

  constructor(
    private readonly client: KafkaRequestClient,
    @Inject(ROOT_LOGGER) private readonly logger: PaylabLogger,
  ) {}

  /** Connects in the background: the service starts (and reports Kafka) even when Kafka is down. */
  onApplicationBootstrap(): void {
    this.connecting = this.connectWithRetry();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.connecting;
    await this.client.close().catch(() => undefined);
  }

  private async connectWithRetry(): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt += 1) {
      try {
        await this.client.connect();
        return;
      } catch (error) {
        this.logger.warn(
          { err: error instanceof Error ? error.message : String(error), attempt },
          'request/reply client could not connect; requests fail with REQUEST.UNAVAILABLE until it does',
        );
        await new Promise((resolve) =>
          setTimeout(resolve, backoffDelayMs(attempt, { baseMs: 500, maxMs: 10_000 })),
        );
      }
    }
  }
}

/** Gives a service a KafkaRequestClient for the requests it sends, connected for its lifetime. */
@Module({})
export class RequestReplyModule {
  static forRoot(options: RequestReplyOptions): DynamicModule {
    return {
      module: RequestReplyModule,
      global: true,
      providers: [
        {
          provide: KafkaRequestClient,
          inject: [ROOT_LOGGER],
          useFactory: (logger: PaylabLogger) =>
            new KafkaRequestClient({
              serviceName: options.serviceName,
              brokers: options.brokers,
              logger,
              contracts: options.sends,
              defaultTimeoutMs: options.timeoutMs,
            }),
        },
        RequestClientLifecycle,
      ],
      exports: [KafkaRequestClient],
    };
  }
}
