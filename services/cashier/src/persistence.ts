import { MerchantAppEntity } from './merchants/merchant-app.entity';
import { MerchantEntity } from './merchants/merchant.entity';
import { CreateMerchants1732406600000 } from './migrations/1732406600000-create-merchants';

/**
 * The entities and migrations of the cashier schema. The outbox and inbox tables come from
 * @paylab/messaging and are listed before these in cashier.module.ts.
 */
export const CASHIER_ENTITIES: Function[] = [MerchantEntity, MerchantAppEntity];
export const CASHIER_MIGRATIONS: Function[] = [CreateMerchants1732406600000];
