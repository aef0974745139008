import { Inject, Injectable } from '@nestjs/common';
import { BackgroundWorker, ROOT_LOGGER, type PaylabLogger } from '@paylab/platform';
import { MerchantNotifications } from './merchant-notifications.service';

export const WEBHOOK_POLL_INTERVAL_MS = Symbol('WEBHOOK_POLL_INTERVAL_MS');

/** How many webhooks one replica sends at once per pass. */
const BATCH_SIZE = 20;

/** Runs the webhook delivery worker on every replica for the application's lifetime. */
@Injectable()
export class WebhookDispatcher extends BackgroundWorker {
  constructor(
    private readonly notifications: MerchantNotifications,
    @Inject(WEBHOOK_POLL_INTERVAL_MS) intervalMs: number,
    @Inject(ROOT_LOGGER) logger: PaylabLogger,
  ) {
    super('merchant-webhooks', intervalMs, logger.child({ component: 'merchant-webhooks' }));
  }

  protected async runPass(): Promise<boolean> {
    return (await this.notifications.deliverDue(BATCH_SIZE)) >= BATCH_SIZE;
  }
}
