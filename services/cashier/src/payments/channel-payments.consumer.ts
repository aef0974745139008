import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ChannelPaymentSucceeded, Topics, type EnvelopeOf } from '@paylab/contracts';
import { Inbox } from '@paylab/messaging';
import { PaymentOrders } from './payment-orders.service';

/** The inbox name of this consumer: its processed message ids are kept under it. */
export const PAYMENT_STATUS_CONSUMER = 'cashier-payment-status';

/** Marks orders paid when a channel confirms the payment (DESIGN §2 step 5). */
@Controller()
export class ChannelPaymentsConsumer {
  constructor(
    private readonly inbox: Inbox,
    private readonly payments: PaymentOrders,
  ) {}

  @EventPattern(Topics.channelPayments.name)
  async onChannelPayment(
    @Payload() envelope: EnvelopeOf<typeof ChannelPaymentSucceeded>,
  ): Promise<void> {
    // Redelivery of the same message is a no-op (inbox); other event types on the topic are not
    // ours, and an unknown version is dead-lettered (Inbox.consumeContract).
    await this.inbox.consumeContract(
      PAYMENT_STATUS_CONSUMER,
      ChannelPaymentSucceeded,
      envelope,
      async (manager) => {
        await this.payments.applyChannelPayment(manager, envelope);
      },
    );
  }
}
