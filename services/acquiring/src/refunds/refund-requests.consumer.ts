import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { RefundRequested, Topics, type EnvelopeOf } from '@paylab/contracts';
import { Inbox } from '@paylab/messaging';
import { ChannelRefunds } from './channel-refunds.service';

/** The inbox name of this consumer: its processed message ids are kept under it. */
export const REFUND_REQUESTS_CONSUMER = 'acquiring-refund-requests';

/** Takes cashier's refund requests (RefundRequested) to refund at the channel. */
@Controller()
export class RefundRequestsConsumer {
  constructor(
    private readonly inbox: Inbox,
    private readonly refunds: ChannelRefunds,
  ) {}

  @EventPattern(Topics.refunds.name)
  async onRefundEvent(@Payload() envelope: EnvelopeOf<typeof RefundRequested>): Promise<void> {
    // Redelivery is a no-op (inbox); RefundSucceeded / RefundFailed on the same topic are not
    // ours; an unknown version is dead-lettered. A refund that cannot be made is not dropped:
    // accept() records it FAILED and publishes ChannelRefundFailed.
    await this.inbox.consumeContract(
      REFUND_REQUESTS_CONSUMER,
      RefundRequested,
      envelope,
      async (manager, request) => {
        await this.refunds.accept(manager, request.payload);
      },
    );
  }
}
