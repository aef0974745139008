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
  DEMO_ALIPAY_PLATFORM_PUBLIC_KEY,
} from '../services/channel-sandbox/src/alipay/demo-keys';
import { DEMO_MERCHANTS, seedDemoMerchant } from '../services/cashier/src/merchants/demo-merchant';
import { CASHIER_ENTITIES, CASHIER_MIGRATIONS } from '../services/cashier/src/persistence';
import { routingSchema } from '../services/routing/src/config';
import { DEMO_CHANNEL_ACCOUNTS, seedRoutingDemoData } from '../services/routing/src/demo-data';
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
      `[seed] routing: demo channel accounts (two Alipay, WeChat Pay; UnionPay disabled) ${outcome}`,
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
    // Each channel's default account signs with the credentials in deploy/env/acquiring.env;
    // the second Alipay app (大额账户) signs with its own DEMO key pair, kept here.
    const inserted = await acquiring
      .createQueryBuilder()
      .insert()
      .into(ChannelAccountCredentialsEntity)
      .values({
        id: DEMO_CHANNEL_ACCOUNTS.alipayLarge.id,
        channel: 'ALIPAY',
        credentials: {
          appId: DEMO_ALIPAY_APP_B_ID,
          appPrivateKey: DEMO_ALIPAY_APP_B_PRIVATE_KEY,
          platformPublicKey: DEMO_ALIPAY_PLATFORM_PUBLIC_KEY,
        },
        createdAt: new Date(),
      })
      .orIgnore()
      .returning(['id'])
      .execute();
    const outcome = (inserted.raw as unknown[]).length > 0 ? 'created' : 'already present';
    log(
      `[seed] acquiring: credentials of the second Alipay app (${DEMO_ALIPAY_APP_B_ID}) ${outcome}`,
    );
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
