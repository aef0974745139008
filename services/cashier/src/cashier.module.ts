import { DynamicModule, Module } from '@nestjs/common';
import { DatabaseModule } from '@paylab/database';
import { PlatformModule, type PaylabLogger, RedisModule } from '@paylab/platform';
import { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS, MessagingModule } from '@paylab/messaging';
import { Topics } from '@paylab/contracts';
import { cashierSchema, type CashierConfig } from './config';
import { IdempotentRequests } from './idempotency/idempotent-requests';
import { MerchantAuthGuard } from './merchant-auth/merchant-auth.guard';
import { RedisNonceStore } from './merchant-auth/redis-nonce-store';
import { CASHIER_PUBLIC_BASE_URL, PaymentOrders } from './payments/payment-orders.service';
import { PaymentsController } from './payments/payments.controller';
import { CASHIER_ENTITIES, CASHIER_MIGRATIONS } from './persistence';

@Module({})
export class CashierModule {
  static register(config: CashierConfig, logger: PaylabLogger): DynamicModule {
    return {
      module: CashierModule,
      imports: [
        PlatformModule.forRoot({ serviceName: 'cashier', logger }),
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
          publishes: [Topics.paymentOrders.name],
        }),
      ],
      controllers: [PaymentsController],
      providers: [
        PaymentOrders,
        IdempotentRequests,
        MerchantAuthGuard,
        RedisNonceStore,
        { provide: CASHIER_PUBLIC_BASE_URL, useValue: config.PUBLIC_BASE_URL },
      ],
    };
  }
}
