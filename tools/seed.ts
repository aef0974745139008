import 'reflect-metadata';
import { openServiceDatabase } from '@paylab/database';
import { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS } from '@paylab/messaging';
import { databaseEnv, loadConfig } from '@paylab/platform';
import { z } from 'zod';
import { cashierSchema } from '../services/cashier/src/config';
import { DEMO_MERCHANT, seedDemoMerchant } from '../services/cashier/src/merchants/demo-merchant';
import { CASHIER_ENTITIES, CASHIER_MIGRATIONS } from '../services/cashier/src/persistence';
import { routingSchema } from '../services/routing/src/config';
import { seedRoutingDemoData } from '../services/routing/src/demo-data';
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
    const outcome = await seedDemoMerchant(cashier);
    log(`[seed] cashier: demo merchant ${outcome}`);
    log(`  merchant id     ${DEMO_MERCHANT.merchantId}  (${DEMO_MERCHANT.merchantName})`);
    log(`  app id          ${DEMO_MERCHANT.appId}`);
    log(`  signing secret  ${DEMO_MERCHANT.signingSecret}`);
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
    log(`[seed] routing: demo channel accounts (Alipay, WeChat Pay; UnionPay disabled) ${outcome}`);
  } finally {
    await routing.destroy();
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
