import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ChannelPaymentSucceeded, Topics, type EnvelopeOf } from '@paylab/contracts';
import { Inbox, PermanentMessageError } from '@paylab/messaging';
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
    // The server only hands us envelopes the catalogue validated for this topic; a future event
    // type on it is not ours to clear, but a new version of this one must not pass unnoticed.
    if (envelope.type !== ChannelPaymentSucceeded.type) return;
    if (envelope.version !== ChannelPaymentSucceeded.version) {
      throw new PermanentMessageError(
        `settlement does not understand ${envelope.type} v${envelope.version}`,
      );
    }
    // Redelivery of the same message is a no-op (inbox); a new message for an already-cleared
    // transaction is a no-op too (UNIQUE transaction_id), see Clearings.
    await this.inbox.consumeOnce(CLEARING_CONSUMER, envelope, async (manager) => {
      await this.clearings.clearChannelPayment(manager, envelope);
    });
  }
}
