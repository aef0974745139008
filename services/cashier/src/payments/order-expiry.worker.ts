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
/** Each stuck order costs a request to acquiring: a smaller batch. */
const STUCK_BATCH_SIZE = 10;

/**
 * Closes unpaid CREATED orders past their deadline (订单超时关单) on every replica, every
 * PAYMENT_EXPIRY_SWEEP_INTERVAL_MS; replicas share the work through SKIP LOCKED. PROCESSING
 * orders close when acquiring reports their channel trade closed; the few still PROCESSING long
 * after their deadline have their charge closed through acquiring (closeStuckProcessing).
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
      async () => {
        const expired = await payments.expireDue(new Date(), BATCH_SIZE);
        // PROCESSING orders close on acquiring's word; this only catches the ones it never sent.
        const stuck = await payments.closeStuckProcessing(new Date(), STUCK_BATCH_SIZE);
        return expired >= BATCH_SIZE || stuck >= STUCK_BATCH_SIZE;
      },
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
