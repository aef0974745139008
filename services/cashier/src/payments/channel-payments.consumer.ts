import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import {
  ChannelPaymentClosed,
  ChannelPaymentSucceeded,
  Topics,
  type EventEnvelope,
} from '@paylab/contracts';
import { Inbox } from '@paylab/messaging';
import { PaymentOrders } from './payment-orders.service';

/** The inbox name of this consumer: its processed message ids are kept under it. */
export const PAYMENT_STATUS_CONSUMER = 'cashier-payment-status';

/**
 * Follows the channel's word on each order: paid when a channel confirms the payment (step 5 of
 * the payment walkthrough), closed when acquiring closed its channel trade (ChannelPaymentClosed).
 */
@Controller()
export class ChannelPaymentsConsumer {
  constructor(
    private readonly inbox: Inbox,
    private readonly payments: PaymentOrders,
  ) {}

  @EventPattern(Topics.channelPayments.name)
  async onChannelPayment(@Payload() envelope: EventEnvelope): Promise<void> {
    // Redelivery of the same message is a no-op (inbox); other event types on the topic are not
    // ours, and an unknown version is dead-lettered (Inbox.consumeContract).
    await this.inbox.consumeContract(
      PAYMENT_STATUS_CONSUMER,
      ChannelPaymentSucceeded,
      envelope,
      async (manager, paid) => {
        await this.payments.applyChannelPayment(manager, paid);
      },
    );
    await this.inbox.consumeContract(
      PAYMENT_STATUS_CONSUMER,
      ChannelPaymentClosed,
      envelope,
      async (manager, closed) => {
        await this.payments.applyChannelClosed(manager, closed);
      },
    );
  }
}
