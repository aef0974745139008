import { DynamicModule, Module } from '@nestjs/common';
import { DatabaseModule } from '@paylab/database';
import { PlatformModule, type PaylabLogger } from '@paylab/platform';
import { AlipayGatewayController } from './alipay/alipay-gateway.controller';
import { AlipayNotificationChannel } from './alipay/alipay-notifier.service';
import { AlipayPayerController } from './alipay/alipay-payer.controller';
import { AlipayTrades } from './alipay/alipay-trades.service';
import { ALIPAY_SANDBOX_SETTINGS, type AlipaySandboxSettings } from './alipay/alipay.tokens';
import { BankApiController } from './bank/bank-api.controller';
import { BankNotificationWorker } from './bank/bank-notification-worker.service';
import { BankPayoutWorker } from './bank/bank-payout-worker.service';
import { BankPayouts } from './bank/bank-payouts.service';
import { BANK_SANDBOX_SETTINGS, type BankSandboxSettings } from './bank/bank.settings';
import { channelSandboxSchema, type ChannelSandboxConfig } from './config';
import { FaultsController } from './faults/faults.controller';
import {
  NOTIFICATION_CHANNELS,
  type NotificationChannel,
} from './notifications/notification-channel';
import { NotificationWorker } from './notifications/notification-worker.service';
import { CHANNEL_SANDBOX_ENTITIES, CHANNEL_SANDBOX_MIGRATIONS } from './persistence';
import { TradeRefunds } from './refunds/trade-refunds.service';
import { TradePayments } from './trades/trade-payments.service';
import { WechatPayApiController } from './wechat-pay/wechat-pay-api.controller';
import { WechatPayNotificationChannel } from './wechat-pay/wechat-pay-notification';
import { WechatPayPayerController } from './wechat-pay/wechat-pay-payer.controller';
import { WechatPayTrades } from './wechat-pay/wechat-pay-trades.service';

@Module({})
export class ChannelSandboxModule {
  static register(config: ChannelSandboxConfig, logger: PaylabLogger): DynamicModule {
    const settings: AlipaySandboxSettings = {
      publicBaseUrl: config.PUBLIC_BASE_URL.replace(/\/+$/, ''),
      apiBaseUrl: (config.API_BASE_URL ?? config.PUBLIC_BASE_URL).replace(/\/+$/, ''),
      callbackTimeScale: config.CALLBACK_TIME_SCALE,
      callbackPollIntervalMs: config.CALLBACK_POLL_INTERVAL_MS,
    };
    const bankSettings: BankSandboxSettings = {
      payoutDelayMs: config.BANK_PAYOUT_DELAY_MS,
      callbackTimeScale: config.CALLBACK_TIME_SCALE,
      pollIntervalMs: config.CALLBACK_POLL_INTERVAL_MS,
    };
    return {
      module: ChannelSandboxModule,
      imports: [
        PlatformModule.forRoot({
          serviceName: 'channel-sandbox',
          logger,
          operatorCredentials: config.OPERATOR_CREDENTIALS,
        }),
        DatabaseModule.forRoot({
          url: config.DATABASE_URL,
          schema: channelSandboxSchema,
          poolSize: config.DATABASE_POOL_SIZE,
          applicationName: 'channel-sandbox',
          entities: CHANNEL_SANDBOX_ENTITIES,
          migrations: CHANNEL_SANDBOX_MIGRATIONS,
        }),
      ],
      controllers: [
        AlipayGatewayController,
        AlipayPayerController,
        WechatPayApiController,
        WechatPayPayerController,
        FaultsController,
        BankApiController,
      ],
      providers: [
        TradePayments,
        TradeRefunds,
        AlipayTrades,
        AlipayNotificationChannel,
        WechatPayTrades,
        WechatPayNotificationChannel,
        {
          provide: NOTIFICATION_CHANNELS,
          useFactory: (...channels: NotificationChannel[]) => channels,
          inject: [AlipayNotificationChannel, WechatPayNotificationChannel],
        },
        NotificationWorker,
        { provide: ALIPAY_SANDBOX_SETTINGS, useValue: settings },
        BankPayouts,
        BankPayoutWorker,
        BankNotificationWorker,
        { provide: BANK_SANDBOX_SETTINGS, useValue: bankSettings },
      ],
    };
  }
}
