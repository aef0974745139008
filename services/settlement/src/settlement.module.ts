import { DynamicModule, Module } from '@nestjs/common';
import { DatabaseModule } from '@paylab/database';
import { PlatformModule, type PaylabLogger, RedisModule } from '@paylab/platform';
import { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS, MessagingModule } from '@paylab/messaging';
import { Topics } from '@paylab/contracts';
import { settlementSchema, type SettlementConfig } from './config';
import { BOOKS_CLOSER } from './books/books.port';
import { BooksController } from './books/books.controller';
import { Books } from './books/books.service';
import { PaymentStories } from './books/payment-stories.service';
import { PaymentOrdersConsumer } from './clearing/payment-orders.consumer';
import { ClearingsController } from './clearing/clearings.controller';
import { Clearings } from './clearing/clearings.service';
import { FeeSchedules } from './clearing/fee-schedules.service';
import { LatePaymentClearings } from './late-payments/late-payment-clearings.service';
import { LedgerController } from './ledger/ledger.controller';
import { Ledger } from './ledger/ledger.service';
import { SETTLEMENT_ENTITIES, SETTLEMENT_MIGRATIONS } from './persistence';
import { RefundClearingsController } from './refunds/refund-clearings.controller';
import { RefundClearings } from './refunds/refund-clearings.service';
import { RefundsConsumer } from './refunds/refunds.consumer';

@Module({})
export class SettlementModule {
  static register(config: SettlementConfig, logger: PaylabLogger): DynamicModule {
    return {
      module: SettlementModule,
      imports: [
        PlatformModule.forRoot({
          serviceName: 'settlement',
          logger,
          operatorCredentials: config.OPERATOR_CREDENTIALS,
        }),
        DatabaseModule.forRoot({
          url: config.DATABASE_URL,
          schema: settlementSchema,
          poolSize: config.DATABASE_POOL_SIZE,
          applicationName: 'settlement',
          entities: [...MESSAGING_ENTITIES, ...SETTLEMENT_ENTITIES],
          migrations: [...MESSAGING_MIGRATIONS, ...SETTLEMENT_MIGRATIONS],
        }),
        RedisModule.forRoot(config.REDIS_URL),
        MessagingModule.forRoot({
          serviceName: 'settlement',
          brokers: config.KAFKA_BROKERS,
          outboxPollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
          publishes: [Topics.clearings.name],
        }),
      ],
      controllers: [
        ClearingsController,
        RefundClearingsController,
        LedgerController,
        BooksController,
        PaymentOrdersConsumer,
        RefundsConsumer,
      ],
      providers: [
        Clearings,
        LatePaymentClearings,
        RefundClearings,
        FeeSchedules,
        Ledger,
        Books,
        { provide: BOOKS_CLOSER, useExisting: Books },
        PaymentStories,
      ],
    };
  }
}
