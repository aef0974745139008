import { DynamicModule, Module } from '@nestjs/common';
import { DatabaseModule } from '@paylab/database';
import { PlatformModule, type PaylabLogger, RedisModule } from '@paylab/platform';
import {
  MESSAGING_ENTITIES,
  MESSAGING_MIGRATIONS,
  MessagingModule,
  RequestReplyModule,
} from '@paylab/messaging';
import {
  CloseCharge,
  CreateCharge,
  DecideRoute,
  OfferMethods,
  SettlementQuery,
  Topics,
} from '@paylab/contracts';
import { CheckoutController } from './checkout/checkout.controller';
import { Checkout } from './checkout/checkout.service';
import { cashierSchema, type CashierConfig } from './config';
import { IdempotentRequests } from './idempotency/idempotent-requests';
import { MerchantAuthGuard } from './merchant-auth/merchant-auth.guard';
import { RedisNonceStore } from './merchant-auth/redis-nonce-store';
import {
  MerchantNotifications,
  WEBHOOK_SETTINGS,
  type WebhookSettings,
} from './notifications/merchant-notifications.service';
import { NotificationsController } from './notifications/notifications.controller';
import { WEBHOOK_POLL_INTERVAL_MS, WebhookDispatcher } from './notifications/webhook-dispatcher';
import { WEBHOOK_ALLOW_LIST, WebhookTargets } from './notifications/webhook-targets';
import { ChannelPaymentsConsumer } from './payments/channel-payments.consumer';
import {
  OrderExpiryWorker,
  PAYMENT_EXPIRY_SWEEP_INTERVAL_MS,
} from './payments/order-expiry.worker';
import { PaymentOrders, PROCESSING_CLOSE_GRACE_MS } from './payments/payment-orders.service';
import { CASHIER_PUBLIC_BASE_URL, PaymentViews } from './payments/payment-views';
import { PaymentsController } from './payments/payments.controller';
import { CASHIER_ENTITIES, CASHIER_MIGRATIONS } from './persistence';
import { ChannelRefundsConsumer } from './refunds/channel-refunds.consumer';
import { RefundsController } from './refunds/refunds.controller';
import { Refunds } from './refunds/refunds.service';
import { MerchantSettlements } from './settlements/merchant-settlements.service';
import { SettlementBatchesConsumer } from './settlements/settlement-batches.consumer';
import { SettlementsController } from './settlements/settlements.controller';

@Module({})
export class CashierModule {
  static register(config: CashierConfig, logger: PaylabLogger): DynamicModule {
    return {
      module: CashierModule,
      imports: [
        PlatformModule.forRoot({
          serviceName: 'cashier',
          logger,
          operatorCredentials: config.OPERATOR_CREDENTIALS,
        }),
        DatabaseModule.forRoot({
          url: config.DATABASE_URL,
          schema: cashierSchema,
          poolSize: config.DATABASE_POOL_SIZE,
          applicationName: 'cashier',
          entities: [...MESSAGING_ENTITIES, ...CASHIER_ENTITIES],
          migrations: [...MESSAGING_MIGRATIONS, ...CASHIER_MIGRATIONS],
        }),
        RedisModule.forRoot(config.REDIS_URL),
        MessagingModule.forRoot({
          serviceName: 'cashier',
          brokers: config.KAFKA_BROKERS,
          outboxPollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
          publishes: [Topics.paymentOrders.name, Topics.refunds.name],
        }),
        // The payer (checkout) or the merchant (close, settlement reads) waits on these answers.
        RequestReplyModule.forRoot({
          serviceName: config.KAFKA_CONSUMER_GROUP ?? 'cashier',
          brokers: config.KAFKA_BROKERS,
          sends: [OfferMethods, DecideRoute, CreateCharge, CloseCharge, SettlementQuery],
          timeoutMs: config.CHECKOUT_REQUEST_TIMEOUT_MS,
        }),
      ],
      controllers: [
        PaymentsController,
        RefundsController,
        NotificationsController,
        ChannelPaymentsConsumer,
        ChannelRefundsConsumer,
        CheckoutController,
        SettlementsController,
        SettlementBatchesConsumer,
      ],
      providers: [
        PaymentOrders,
        PaymentViews,
        Refunds,
        MerchantSettlements,
        Checkout,
        MerchantNotifications,
        WebhookTargets,
        { provide: WEBHOOK_ALLOW_LIST, useValue: config.WEBHOOK_ALLOWED_HOSTS },
        WebhookDispatcher,
        OrderExpiryWorker,
        {
          provide: WEBHOOK_SETTINGS,
          useValue: {
            timeoutMs: config.WEBHOOK_TIMEOUT_MS,
            timeScale: config.WEBHOOK_TIME_SCALE,
          } satisfies WebhookSettings,
        },
        { provide: WEBHOOK_POLL_INTERVAL_MS, useValue: config.WEBHOOK_POLL_INTERVAL_MS },
        {
          provide: PAYMENT_EXPIRY_SWEEP_INTERVAL_MS,
          useValue: config.PAYMENT_EXPIRY_SWEEP_INTERVAL_MS,
        },
        IdempotentRequests,
        MerchantAuthGuard,
        RedisNonceStore,
        { provide: CASHIER_PUBLIC_BASE_URL, useValue: config.PUBLIC_BASE_URL },
        { provide: PROCESSING_CLOSE_GRACE_MS, useValue: config.PROCESSING_CLOSE_GRACE_MS },
      ],
    };
  }
}
