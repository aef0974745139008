import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ChannelPaymentSucceeded, Topics, type EnvelopeOf } from '@paylab/contracts';
import { Inbox, PermanentMessageError } from '@paylab/messaging';
import { PlatformTransactionEntity } from './platform-transaction.entity';

export const PROJECTION_CONSUMER = 'reconciliation.platform-transactions';

/**
 * Builds reconciliation's projection of platform transactions from the channel payments that
 * acquiring confirms. The inbox row and the projection row commit together, so a redelivered
 * event has no second effect.
 */
@Controller()
export class ChannelPaymentsConsumer {
  constructor(private readonly inbox: Inbox) {}

  @EventPattern(Topics.channelPayments.name)
  async onChannelPayment(
    @Payload() envelope: EnvelopeOf<typeof ChannelPaymentSucceeded>,
  ): Promise<void> {
    const event = envelope.payload;
    // Other event types on the topic are not ours; an unknown version is dead-lettered.
    await this.inbox.consumeContract(
      PROJECTION_CONSUMER,
      ChannelPaymentSucceeded,
      envelope,
      async (manager) => {
        // The wire schema allows any integer; a payment of zero or less can never be projected, so
        // it is dead-lettered at once (the transaction rolls back, the inbox row with it).
        if (event.amount.amountMinor <= 0) {
          throw new PermanentMessageError(
            `channel payment ${event.transactionId} has a non-positive amount ${event.amount.amountMinor}`,
          );
        }
        const inserted = (await manager
          .createQueryBuilder()
          .insert()
          .into(PlatformTransactionEntity)
          .values({
            transactionId: event.transactionId,
            paymentId: event.paymentId,
            merchantId: event.merchantId,
            channel: event.channel,
            channelAccountId: event.channelAccountId ?? null,
            channelTradeNo: event.channelTradeNo,
            amountMinor: event.amount.amountMinor,
            currency: event.amount.currency,
            status: 'SUCCEEDED',
            paidAt: new Date(event.paidAt),
            businessDate: event.businessDate,
            confirmedBy: event.confirmedBy,
            sourceMessageId: envelope.id,
          })
          .orIgnore()
          .returning(['transaction_id'])
          .execute()) as { raw: unknown[] };
        if (inserted.raw.length > 0) return;
        // Nothing inserted: the transaction is known already (a second event for it, under a new
        // message id), or its channel trade number belongs to another transaction.
        const existing = await manager.findOneBy(PlatformTransactionEntity, {
          transactionId: event.transactionId,
        });
        if (
          existing &&
          existing.channelTradeNo === event.channelTradeNo &&
          existing.amountMinor === event.amount.amountMinor &&
          existing.currency === event.amount.currency
        ) {
          return;
        }
        // Retrying cannot fix contradictory facts: dead-letter it for a person to look at.
        throw new PermanentMessageError(
          existing
            ? `transaction ${event.transactionId} was already recorded with other facts`
            : `channel trade number ${event.channel}/${event.channelTradeNo} already belongs to another transaction`,
        );
      },
    );
  }
}
