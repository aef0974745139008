import { ClearingEntity } from './clearing/clearing.entity';
import {
  ChannelCostRateEntity,
  MerchantFeeRateEntity,
  RefundFeePolicyEntity,
} from './clearing/fee-rate.entities';
import { LatePaymentClearingEntity } from './late-payments/late-payment-clearing.entity';
import { ParkedRefundEntity, RefundClearingEntity } from './refunds/refund-clearing.entity';
import { JournalEntryEntity, JournalLineEntity } from './ledger/journal.entities';
import { ReserveHoldEntity, SettlementBatchEntity } from './batches/settlement-batch.entities';
import { PayoutEntity } from './payouts/payout.entity';
import { CreateFeeSchedules1732406800000 } from './migrations/1732406800000-create-fee-schedules';
import { CreateClearingsAndLedger1732406810000 } from './migrations/1732406810000-create-clearings-and-ledger';
import { RefundsSuspenseAndAccountCosts1732406820000 } from './migrations/1732406820000-refunds-suspense-and-account-costs';
import { SettlementBatchesAndPayouts1733100000000 } from './migrations/1733100000000-settlement-batches-and-payouts';
import { SettlementTerms1733100000100 } from './migrations/1733100000100-settlement-terms';
import { Books1733100000200 } from './migrations/1733100000200-books';
import { DemoBooksChannelCosts1733100000500 } from './migrations/1733100000500-demo-books-channel-costs';

/**
 * The entities and migrations of the settlement schema. The outbox and inbox tables come from
 * @paylab/messaging and are listed before these in settlement.module.ts.
 */
export const SETTLEMENT_ENTITIES: Function[] = [
  MerchantFeeRateEntity,
  ChannelCostRateEntity,
  RefundFeePolicyEntity,
  ClearingEntity,
  LatePaymentClearingEntity,
  RefundClearingEntity,
  ParkedRefundEntity,
  JournalEntryEntity,
  JournalLineEntity,
  SettlementBatchEntity,
  ReserveHoldEntity,
  PayoutEntity,
];
export const SETTLEMENT_MIGRATIONS: Function[] = [
  CreateFeeSchedules1732406800000,
  CreateClearingsAndLedger1732406810000,
  RefundsSuspenseAndAccountCosts1732406820000,
  SettlementBatchesAndPayouts1733100000000,
  SettlementTerms1733100000100,
  Books1733100000200,
  DemoBooksChannelCosts1733100000500,
];
