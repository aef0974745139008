import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ChannelPaymentSucceeded, Topics, type EnvelopeOf } from '@paylab/contracts';
import { Inbox, PermanentMessageError } from '@paylab/messaging';
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
    // Other event types on this topic are not ours; a new version of ours must not pass unseen.
    if (envelope.type !== ChannelPaymentSucceeded.type) return;
    if (envelope.version !== ChannelPaymentSucceeded.version) {
      throw new PermanentMessageError(
        `cashier does not understand ${envelope.type} v${envelope.version}`,
      );
    }
    // Redelivery of the same message: the inbox. The same transaction under a new message id:
    // the order (same transaction id = duplicate; see PaymentOrders.applyChannelPayment).
    await this.inbox.consumeOnce(PAYMENT_STATUS_CONSUMER, envelope, async (manager) => {
      await this.payments.applyChannelPayment(manager, envelope);
    });
  }
}
