import { Inject, Injectable } from '@nestjs/common';
import { BackgroundWorker, ROOT_LOGGER, type PaylabLogger } from '@paylab/platform';
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
export class OrderExpiryWorker extends BackgroundWorker {
  constructor(
    private readonly payments: PaymentOrders,
    @Inject(PAYMENT_EXPIRY_SWEEP_INTERVAL_MS) intervalMs: number,
    @Inject(ROOT_LOGGER) logger: PaylabLogger,
  ) {
    super('payment-expiry', intervalMs, logger.child({ component: 'payment-expiry' }));
  }

  protected async runPass(): Promise<boolean> {
    const expired = await this.payments.expireDue(new Date(), BATCH_SIZE);
    // PROCESSING orders close on acquiring's word; this only catches the ones it never sent.
    const stuck = await this.payments.closeStuckProcessing(new Date(), STUCK_BATCH_SIZE);
    return expired >= BATCH_SIZE || stuck >= STUCK_BATCH_SIZE;
  }
}
