import 'reflect-metadata';
import { openServiceDatabase } from '@paylab/database';
import { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS } from '@paylab/messaging';
import { databaseEnv, loadConfig } from '@paylab/platform';
import { z } from 'zod';
import { acquiringSchema } from '../services/acquiring/src/config';
import { ChannelAccountCredentialsEntity } from '../services/acquiring/src/channels/channel-account.entity';
import { ACQUIRING_ENTITIES, ACQUIRING_MIGRATIONS } from '../services/acquiring/src/persistence';
import { cashierSchema } from '../services/cashier/src/config';
import {
  DEMO_ALIPAY_APP_B_ID,
  DEMO_ALIPAY_APP_B_PRIVATE_KEY,
  DEMO_ALIPAY_BOOKS_APP_ID,
  DEMO_ALIPAY_BOOKS_APP_PRIVATE_KEY,
  DEMO_ALIPAY_PLATFORM_PUBLIC_KEY,
} from '../services/channel-sandbox/src/alipay/demo-keys';
import {
  DEMO_WECHAT_PAY_BOOKS_APIV3_KEY,
  DEMO_WECHAT_PAY_BOOKS_APPID,
  DEMO_WECHAT_PAY_BOOKS_MCHID,
  DEMO_WECHAT_PAY_BOOKS_MERCHANT_PRIVATE_KEY,
  DEMO_WECHAT_PAY_BOOKS_MERCHANT_SERIAL,
  DEMO_WECHAT_PAY_PLATFORM_PUBLIC_KEY,
  DEMO_WECHAT_PAY_PLATFORM_SERIAL,
} from '../services/channel-sandbox/src/wechat-pay/demo-keys';
import { DEMO_MERCHANTS, seedDemoMerchant } from '../services/cashier/src/merchants/demo-merchant';
import { CASHIER_ENTITIES, CASHIER_MIGRATIONS } from '../services/cashier/src/persistence';
import { routingSchema } from '../services/routing/src/config';
import {
  DEMO_BOOKS_CHANNEL_ACCOUNTS,
  DEMO_CHANNEL_ACCOUNTS,
  seedRoutingDemoData,
} from '../services/routing/src/demo-data';
import { ROUTING_ENTITIES, ROUTING_MIGRATIONS } from '../services/routing/src/persistence';

/**
 * Loads the demo data (`docker compose up` runs it once the services are healthy; local mode:
 * `npm run seed`). Each service's data goes through that service's own schema and migrations.
 * Idempotent: running it again changes nothing.
 */
export async function seedDemoData(
  databaseUrl: string,
  log: (line: string) => void = console.log,
): Promise<void> {
  const cashier = await openServiceDatabase({
    url: databaseUrl,
    schema: cashierSchema,
    entities: [...MESSAGING_ENTITIES, ...CASHIER_ENTITIES],
    migrations: [...MESSAGING_MIGRATIONS, ...CASHIER_MIGRATIONS],
    applicationName: 'seed',
  });
  try {
    for (const merchant of DEMO_MERCHANTS) {
      const outcome = await seedDemoMerchant(cashier, merchant);
      log(`[seed] cashier: demo merchant ${outcome}`);
      log(`  merchant id     ${merchant.merchantId}  (${merchant.merchantName})`);
      log(`  app id          ${merchant.appId}`);
      log(`  signing secret  ${merchant.signingSecret}`);
    }
  } finally {
    await cashier.destroy();
  }
  const routing = await openServiceDatabase({
    url: databaseUrl,
    schema: routingSchema,
    entities: [...MESSAGING_ENTITIES, ...ROUTING_ENTITIES],
    migrations: [...MESSAGING_MIGRATIONS, ...ROUTING_MIGRATIONS],
    applicationName: 'seed',
  });
  try {
    const outcome = await seedRoutingDemoData(routing);
    log(
      `[seed] routing: demo channel accounts (Coffee: two Alipay, WeChat Pay, UnionPay disabled; Books: Alipay, WeChat Pay) ${outcome}`,
    );
  } finally {
    await routing.destroy();
  }
  const acquiring = await openServiceDatabase({
    url: databaseUrl,
    schema: acquiringSchema,
    entities: [...MESSAGING_ENTITIES, ...ACQUIRING_ENTITIES],
    migrations: [...MESSAGING_MIGRATIONS, ...ACQUIRING_MIGRATIONS],
    applicationName: 'seed',
  });
  try {
    // Each channel's default account (Demo Coffee's everyday ones) signs with the credentials in
    // deploy/env/acquiring.env; every other account signs with its own DEMO keys, kept here.
    const createdAt = new Date();
    const accounts = [
      {
        id: DEMO_CHANNEL_ACCOUNTS.alipayLarge.id,
        channel: 'ALIPAY',
        label: `Demo Coffee's second Alipay app (${DEMO_ALIPAY_APP_B_ID})`,
        credentials: {
          appId: DEMO_ALIPAY_APP_B_ID,
          appPrivateKey: DEMO_ALIPAY_APP_B_PRIVATE_KEY,
          platformPublicKey: DEMO_ALIPAY_PLATFORM_PUBLIC_KEY,
        },
      },
      {
        id: DEMO_BOOKS_CHANNEL_ACCOUNTS.alipay.id,
        channel: 'ALIPAY',
        label: `Demo Books' Alipay app (${DEMO_ALIPAY_BOOKS_APP_ID})`,
        credentials: {
          appId: DEMO_ALIPAY_BOOKS_APP_ID,
          appPrivateKey: DEMO_ALIPAY_BOOKS_APP_PRIVATE_KEY,
          platformPublicKey: DEMO_ALIPAY_PLATFORM_PUBLIC_KEY,
        },
      },
      {
        id: DEMO_BOOKS_CHANNEL_ACCOUNTS.wechatPay.id,
        channel: 'WECHAT_PAY',
        label: `Demo Books' WeChat Pay merchant (${DEMO_WECHAT_PAY_BOOKS_MCHID})`,
        credentials: {
          mchid: DEMO_WECHAT_PAY_BOOKS_MCHID,
          appid: DEMO_WECHAT_PAY_BOOKS_APPID,
          merchantSerial: DEMO_WECHAT_PAY_BOOKS_MERCHANT_SERIAL,
          merchantPrivateKey: DEMO_WECHAT_PAY_BOOKS_MERCHANT_PRIVATE_KEY,
          platformSerial: DEMO_WECHAT_PAY_PLATFORM_SERIAL,
          platformPublicKey: DEMO_WECHAT_PAY_PLATFORM_PUBLIC_KEY,
          apiV3Key: DEMO_WECHAT_PAY_BOOKS_APIV3_KEY,
        },
      },
    ];
    for (const { label, ...account } of accounts) {
      const inserted = await acquiring
        .createQueryBuilder()
        .insert()
        .into(ChannelAccountCredentialsEntity)
        .values({ ...account, createdAt })
        .orIgnore()
        .returning(['id'])
        .execute();
      const outcome = (inserted.raw as unknown[]).length > 0 ? 'created' : 'already present';
      log(`[seed] acquiring: credentials of ${label} ${outcome}`);
    }
  } finally {
    await acquiring.destroy();
  }
}

if (require.main === module) {
  Promise.resolve()
    .then(() => seedDemoData(loadConfig('seed', z.object(databaseEnv)).DATABASE_URL))
    .catch((error: unknown) => {
      console.error('[seed] failed:', error instanceof Error ? error.message : error);
      process.exit(1);
    });
}
