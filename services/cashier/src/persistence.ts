import { IdempotencyKeyEntity } from './idempotency/idempotency-key.entity';
import { MerchantAppEntity } from './merchants/merchant-app.entity';
import { MerchantEntity } from './merchants/merchant.entity';
import { CreateMerchants1732406600000 } from './migrations/1732406600000-create-merchants';
import { CreatePaymentOrders1732406700000 } from './migrations/1732406700000-create-payment-orders';
import { CreateNotificationsAndLatePayments1732407200000 } from './migrations/1732407200000-create-notifications-and-late-payments';
import { CreateRefunds1732407600000 } from './migrations/1732407600000-create-refunds';
import { WebhookRefusedOutcome1733000000000 } from './migrations/1733000000000-webhook-refused-outcome';
import { IdempotencyOwnerToken1733000000100 } from './migrations/1733000000100-idempotency-owner-token';
import { SettlementWebhooks1733100000100 } from './migrations/1733100000100-settlement-webhooks';
import {
  MerchantNotificationAttemptEntity,
  MerchantNotificationEntity,
} from './notifications/merchant-notification.entities';
import { LatePaymentEntity } from './payments/late-payment.entity';
import { PaymentOrderEntity } from './payments/payment-order.entity';
import { RefundEntity } from './refunds/refund.entity';

/**
 * The entities and migrations of the cashier schema. The outbox and inbox tables come from
 * @paylab/messaging and are listed before these in cashier.module.ts.
 */
export const CASHIER_ENTITIES: Function[] = [
  MerchantEntity,
  MerchantAppEntity,
  PaymentOrderEntity,
  IdempotencyKeyEntity,
  MerchantNotificationEntity,
  MerchantNotificationAttemptEntity,
  LatePaymentEntity,
  RefundEntity,
];
export const CASHIER_MIGRATIONS: Function[] = [
  CreateMerchants1732406600000,
  CreatePaymentOrders1732406700000,
  CreateNotificationsAndLatePayments1732407200000,
  CreateRefunds1732407600000,
  WebhookRefusedOutcome1733000000000,
  IdempotencyOwnerToken1733000000100,
  SettlementWebhooks1733100000100,
];
