import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { ROOT_LOGGER, type PaylabLogger } from '@paylab/platform';
import { PollingWorker } from '@paylab/platform';
import { PaymentOrders } from './payment-orders.service';

export const PAYMENT_EXPIRY_SWEEP_INTERVAL_MS = Symbol('PAYMENT_EXPIRY_SWEEP_INTERVAL_MS');

const BATCH_SIZE = 100;

/**
 * Closes unpaid orders past their deadline (订单超时关单) on every replica, every
 * PAYMENT_EXPIRY_SWEEP_INTERVAL_MS; replicas share the work through SKIP LOCKED.
 */
@Injectable()
export class OrderExpiryWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly worker: PollingWorker;

  constructor(
    payments: PaymentOrders,
    @Inject(PAYMENT_EXPIRY_SWEEP_INTERVAL_MS) intervalMs: number,
    @Inject(ROOT_LOGGER) logger: PaylabLogger,
  ) {
    this.worker = new PollingWorker(
      'payment-expiry',
      intervalMs,
      async () => (await payments.expireDue(new Date(), BATCH_SIZE)) >= BATCH_SIZE,
      logger.child({ component: 'payment-expiry' }),
    );
  }

  onApplicationBootstrap(): void {
    this.worker.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.stop();
  }
}
