import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import {
  ChannelRefundFailed,
  ChannelRefundSucceeded,
  Topics,
  type EventEnvelope,
} from '@paylab/contracts';
import { Inbox } from '@paylab/messaging';
import { Refunds } from './refunds.service';

/** The inbox name of this consumer: its processed message ids are kept under it. */
export const REFUND_STATUS_CONSUMER = 'cashier-refund-status';

/** Settles refunds when acquiring reports the channel's answer (ChannelRefundSucceeded/Failed). */
@Controller()
export class ChannelRefundsConsumer {
  constructor(
    private readonly inbox: Inbox,
    private readonly refunds: Refunds,
  ) {}

  @EventPattern(Topics.channelRefunds.name)
  async onChannelRefund(@Payload() envelope: EventEnvelope): Promise<void> {
    // Each contract takes only its own type ('not ours' otherwise); a redelivered message is a
    // no-op (inbox), and an unknown version is dead-lettered (Inbox.consumeContract).
    const succeeded = await this.inbox.consumeContract(
      REFUND_STATUS_CONSUMER,
      ChannelRefundSucceeded,
      envelope,
      (manager, event) => this.refunds.applyChannelRefundSucceeded(manager, event),
    );
    if (succeeded !== 'not ours') return;
    await this.inbox.consumeContract(
      REFUND_STATUS_CONSUMER,
      ChannelRefundFailed,
      envelope,
      (manager, event) => this.refunds.applyChannelRefundFailed(manager, event),
    );
  }
}
