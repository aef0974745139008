import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ChannelPaymentSucceeded, Topics, type EnvelopeOf } from '@paylab/contracts';
import { Inbox } from '@paylab/messaging';
import { Clearings } from './clearings.service';

/** The inbox name of this consumer: its processed message ids are kept under it. */
export const CLEARING_CONSUMER = 'settlement-clearing';

/** Clears (清分) every payment a channel confirmed (DESIGN §2 step 6). */
@Controller()
export class ChannelPaymentsConsumer {
  constructor(
    private readonly inbox: Inbox,
    private readonly clearings: Clearings,
  ) {}

  @EventPattern(Topics.channelPayments.name)
  async onChannelPayment(
    @Payload() envelope: EnvelopeOf<typeof ChannelPaymentSucceeded>,
  ): Promise<void> {
    // Redelivery of the same message is a no-op (inbox); other event types on the topic are not
    // ours, and an unknown version is dead-lettered (Inbox.consumeContract).
    await this.inbox.consumeContract(
      CLEARING_CONSUMER,
      ChannelPaymentSucceeded,
      envelope,
      async (manager) => {
        await this.clearings.clearChannelPayment(manager, envelope);
      },
    );
  }
}
