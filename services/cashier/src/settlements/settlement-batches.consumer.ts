import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import {
  SettlementBatchCreated,
  SettlementBatchFailed,
  SettlementBatchPaid,
  Topics,
  type EventEnvelope,
} from '@paylab/contracts';
import { Inbox } from '@paylab/messaging';
import { MerchantNotifications } from '../notifications/merchant-notifications.service';
import { failedSettlementWebhook, paidSettlementWebhook } from './domain/settlement-webhook';

/** The inbox name of this consumer: its processed message ids are kept under it. */
export const SETTLEMENT_WEBHOOKS_CONSUMER = 'cashier-settlement-webhooks';

/**
 * Tells merchants what became of their settlement (结算): a paid batch (SettlementBatchPaid) becomes
 * a settlement.paid webhook, a failed payout (SettlementBatchFailed) a settlement.failed one, queued
 * in the inbox transaction so a redelivered event queues nothing twice. A created batch
 * (SettlementBatchCreated) is not news to the merchant yet: no webhook.
 */
@Controller()
export class SettlementBatchesConsumer {
  constructor(
    private readonly inbox: Inbox,
    private readonly notifications: MerchantNotifications,
  ) {}

  @EventPattern(Topics.settlementBatches.name)
  async onSettlementBatch(@Payload() envelope: EventEnvelope): Promise<void> {
    if (envelope.type === SettlementBatchCreated.type) return;
    const paid = await this.inbox.consumeContract(
      SETTLEMENT_WEBHOOKS_CONSUMER,
      SettlementBatchPaid,
      envelope,
      async (manager, event) => {
        await this.notifications.enqueueForMerchant(manager, {
          type: 'settlement.paid',
          merchantId: event.payload.merchantId,
          settlementId: event.payload.batchId,
          data: paidSettlementWebhook(event.payload),
        });
      },
    );
    if (paid !== 'not ours') return;
    await this.inbox.consumeContract(
      SETTLEMENT_WEBHOOKS_CONSUMER,
      SettlementBatchFailed,
      envelope,
      async (manager, event) => {
        await this.notifications.enqueueForMerchant(manager, {
          type: 'settlement.failed',
          merchantId: event.payload.merchantId,
          settlementId: event.payload.batchId,
          data: failedSettlementWebhook(event.payload),
        });
      },
    );
  }
}
