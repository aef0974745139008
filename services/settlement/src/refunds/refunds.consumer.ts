import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { RefundSucceeded, Topics, type EventEnvelope } from '@paylab/contracts';
import { Inbox } from '@paylab/messaging';
import { RefundClearings } from './refund-clearings.service';

/** The inbox name of this consumer. */
export const REFUND_CLEARING_CONSUMER = 'settlement-refund-clearing';

/**
 * Clears every refund cashier reports SUCCEEDED. A refund whose payment is not cleared yet (its
 * verdict travels on another topic) is parked and cleared together with the payment, rather than
 * retried in place or dead-lettered (RefundClearings explains why).
 */
@Controller()
export class RefundsConsumer {
  constructor(
    private readonly inbox: Inbox,
    private readonly refunds: RefundClearings,
  ) {}

  @EventPattern(Topics.refunds.name)
  async onRefundEvent(@Payload() envelope: EventEnvelope): Promise<void> {
    await this.inbox.consumeContract(
      REFUND_CLEARING_CONSUMER,
      RefundSucceeded,
      envelope,
      async (manager, refund) => {
        await this.refunds.clearRefundSucceeded(manager, refund);
      },
    );
  }
}
