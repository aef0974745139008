import { DynamicModule, Module } from '@nestjs/common';
import { DatabaseModule } from '@paylab/database';
import { PlatformModule, type PaylabLogger, RedisModule } from '@paylab/platform';
import { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS, MessagingModule } from '@paylab/messaging';
import { Topics } from '@paylab/contracts';
import { SETTLEMENT_CONFIG, settlementSchema, type SettlementConfig } from './config';
import { BatchBuilder } from './batches/batch-builder';
import { ReserveReleases } from './batches/reserve-releases';
import { SettlementBatchesController } from './batches/settlement-batches.controller';
import { SettlementBatches } from './batches/settlement-batches.service';
import { SettlementItems } from './batches/settlement-items';
import { EndOfDayController } from './end-of-day/end-of-day.controller';
import { EndOfDayScheduler } from './end-of-day/end-of-day.scheduler';
import { EndOfDay } from './end-of-day/end-of-day.service';
import { BankNotificationsController } from './payouts/bank-notifications.controller';
import { PayoutWorker } from './payouts/payout.worker';
import { Payouts } from './payouts/payouts.service';
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
import { MerchantSettlements } from './merchant-queries/merchant-settlements.service';
import { SettlementQueriesController } from './merchant-queries/settlement-queries.controller';
import { Ledger } from './ledger/ledger.service';
import { BANK_CLIENT } from './payouts/bank/bank-client';
import { HttpBankClient } from './payouts/bank/http-bank-client';
import { SETTLEMENT_ENTITIES, SETTLEMENT_MIGRATIONS } from './persistence';
import { RefundClearingsController } from './refunds/refund-clearings.controller';
import { RefundClearings } from './refunds/refund-clearings.service';
import { RefundsConsumer } from './refunds/refunds.consumer';
import { SettlementTermsController } from './terms/settlement-terms.controller';
import { SettlementTermsAdmin } from './terms/settlement-terms.service';
import { SettlementTermsStore } from './terms/settlement-terms.store';
import { MERCHANT_BUSINESS_DATES, SETTLEMENT_TERMS_READER } from './terms/terms.port';

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
          publishes: [Topics.clearings.name, Topics.settlementBatches.name],
        }),
      ],
      controllers: [
        ClearingsController,
        RefundClearingsController,
        LedgerController,
        BooksController,
        PaymentOrdersConsumer,
        RefundsConsumer,
        SettlementQueriesController,
        SettlementTermsController,
        SettlementBatchesController,
        EndOfDayController,
        BankNotificationsController,
      ],
      providers: [
        Clearings,
        LatePaymentClearings,
        RefundClearings,
        FeeSchedules,
        Ledger,
        MerchantSettlements,
        {
          provide: BANK_CLIENT,
          useFactory: () =>
            new HttpBankClient({
              baseUrl: config.BANK_BASE_URL,
              clientId: config.BANK_CLIENT_ID,
              clientPrivateKey: config.BANK_CLIENT_PRIVATE_KEY,
              bankPublicKey: config.BANK_PUBLIC_KEY,
              payerAccountNo: config.BANK_PAYER_ACCOUNT_NO,
              notifyUrl: config.BANK_NOTIFY_URL,
              requestTimeoutMs: config.BANK_REQUEST_TIMEOUT_MS,
            }),
        },
        SettlementTermsStore,
        SettlementTermsAdmin,
        { provide: SETTLEMENT_TERMS_READER, useExisting: SettlementTermsStore },
        { provide: MERCHANT_BUSINESS_DATES, useExisting: SettlementTermsStore },
        { provide: SETTLEMENT_CONFIG, useValue: config },
        SettlementItems,
        Books,
        { provide: BOOKS_CLOSER, useExisting: Books },
        PaymentStories,
        ReserveReleases,
        BatchBuilder,
        SettlementBatches,
        Payouts,
        PayoutWorker,
        EndOfDay,
        EndOfDayScheduler,
      ],
    };
  }
}
