import { IdempotencyKeyEntity } from './idempotency/idempotency-key.entity';
import { MerchantAppEntity } from './merchants/merchant-app.entity';
import { MerchantEntity } from './merchants/merchant.entity';
import { CreateMerchants1732406600000 } from './migrations/1732406600000-create-merchants';
import { CreatePaymentOrders1732406700000 } from './migrations/1732406700000-create-payment-orders';
import { PaymentOrderEntity } from './payments/payment-order.entity';

/**
 * The entities and migrations of the cashier schema. The outbox and inbox tables come from
 * @paylab/messaging and are listed before these in cashier.module.ts.
 */
export const CASHIER_ENTITIES: Function[] = [
  MerchantEntity,
  MerchantAppEntity,
  PaymentOrderEntity,
  IdempotencyKeyEntity,
];
export const CASHIER_MIGRATIONS: Function[] = [
  CreateMerchants1732406600000,
  CreatePaymentOrders1732406700000,
];
