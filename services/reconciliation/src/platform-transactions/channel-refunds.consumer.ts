import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ChannelRefundSucceeded, Topics, type EventEnvelope } from '@paylab/contracts';
import { Inbox, PermanentMessageError } from '@paylab/messaging';
import { PlatformRefundEntity } from './platform-refund.entity';

export const REFUND_PROJECTION_CONSUMER = 'reconciliation.platform-refunds';

/**
 * Builds reconciliation's projection of refunds from the ones the channels confirmed. Every
 * confirmed refund is projected, late payment returns included: the channel's statement lists
 * them all.
 */
@Controller()
export class ChannelRefundsConsumer {
  constructor(private readonly inbox: Inbox) {}

  @EventPattern(Topics.channelRefunds.name)
  async onChannelRefund(@Payload() envelope: EventEnvelope): Promise<void> {
    await this.inbox.consumeContract(
      REFUND_PROJECTION_CONSUMER,
      ChannelRefundSucceeded,
      envelope,
      async (manager, { id, payload: event }) => {
        if (event.amount.amountMinor <= 0) {
          throw new PermanentMessageError(
            `channel refund ${event.refundId} has a non-positive amount ${event.amount.amountMinor}`,
          );
        }
        const inserted = (await manager
          .createQueryBuilder()
          .insert()
          .into(PlatformRefundEntity)
          .values({
            refundId: event.refundId,
            transactionId: event.transactionId,
            paymentId: event.paymentId,
            merchantId: event.merchantId,
            kind: event.kind,
            channel: event.channel,
            channelAccountId: event.channelAccountId ?? null,
            channelTradeNo: event.channelTradeNo,
            channelRefundNo: event.channelRefundNo,
            amountMinor: event.amount.amountMinor,
            currency: event.amount.currency,
            refundedAt: new Date(event.refundedAt),
            businessDate: event.businessDate,
            sourceMessageId: id,
          })
          .orIgnore()
          .returning(['refund_id'])
          .execute()) as { raw: unknown[] };
        if (inserted.raw.length > 0) return;
        const existing = await manager.findOneBy(PlatformRefundEntity, {
          refundId: event.refundId,
        });
        if (
          existing &&
          existing.amountMinor === event.amount.amountMinor &&
          existing.currency === event.amount.currency &&
          existing.transactionId === event.transactionId
        ) {
          return;
        }
        throw new PermanentMessageError(
          `refund ${event.refundId} was already recorded with other facts`,
        );
      },
    );
  }
}
