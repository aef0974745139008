import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import {
  LatePaymentRecorded,
  PaymentOrderSucceeded,
  PaymentOrderSucceededV2,
  Topics,
  type EventEnvelope,
} from '@paylab/contracts';
import { Inbox } from '@paylab/messaging';
import { LatePaymentClearings } from '../late-payments/late-payment-clearings.service';
import { Clearings } from './clearings.service';

/** The inbox name of this consumer: its processed message ids are kept under it. */
export const CLEARING_CONSUMER = 'settlement-clearing';

/**
 * Clears (清分) from cashier's verdict on each channel payment: a paid order is the merchant's
 * money (PaymentOrderSucceededV2 → merchant payable); a late payment is not (LatePaymentRecorded
 * → suspense, until its return refund succeeds). Both arrive on the payment-orders topic keyed by
 * payment id, so one order's verdicts are handled in order.
 */
@Controller()
export class PaymentOrdersConsumer {
  constructor(
    private readonly inbox: Inbox,
    private readonly clearings: Clearings,
    private readonly latePayments: LatePaymentClearings,
  ) {}

  @EventPattern(Topics.paymentOrders.name)
  async onPaymentOrderEvent(@Payload() envelope: EventEnvelope): Promise<void> {
    // v1 of payment_order.succeeded carries no channel facts and settlement never cleared from
    // it; cashier publishes v2 beside it for us. Ignoring it is deliberate, not an unknown version.
    if (envelope.type === PaymentOrderSucceeded.type && envelope.version === 1) return;
    // Redelivery of the same message is a no-op (inbox); other event types on the topic are not
    // ours, and an unknown version is dead-lettered (Inbox.consumeContract).
    const outcome = await this.inbox.consumeContract(
      CLEARING_CONSUMER,
      PaymentOrderSucceededV2,
      envelope,
      async (manager, paid) => {
        await this.clearings.clearPaidOrder(manager, paid);
      },
    );
    if (outcome !== 'not ours') return;
    await this.inbox.consumeContract(
      CLEARING_CONSUMER,
      LatePaymentRecorded,
      envelope,
      async (manager, late) => {
        await this.latePayments.holdInSuspense(manager, late);
      },
    );
  }
}
