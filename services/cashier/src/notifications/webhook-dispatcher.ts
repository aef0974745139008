import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { ROOT_LOGGER, type PaylabLogger } from '@paylab/platform';
import { PollingWorker } from '@paylab/platform';
import { MerchantNotifications } from './merchant-notifications.service';

export const WEBHOOK_POLL_INTERVAL_MS = Symbol('WEBHOOK_POLL_INTERVAL_MS');

/** How many webhooks one replica sends at once per pass. */
const BATCH_SIZE = 20;

/** Runs the webhook delivery worker on every replica for the application's lifetime. */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly worker: PollingWorker;

  constructor(
    notifications: MerchantNotifications,
    @Inject(WEBHOOK_POLL_INTERVAL_MS) intervalMs: number,
    @Inject(ROOT_LOGGER) logger: PaylabLogger,
  ) {
    this.worker = new PollingWorker(
      'merchant-webhooks',
      intervalMs,
      async () => (await notifications.deliverDue(BATCH_SIZE)) >= BATCH_SIZE,
      logger.child({ component: 'merchant-webhooks' }),
    );
  }

  onApplicationBootstrap(): void {
    this.worker.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.stop();
  }
}
