import { ClearingEntity } from './clearing/clearing.entity';
import { ChannelCostRateEntity, MerchantFeeRateEntity } from './clearing/fee-rate.entities';
import { JournalEntryEntity, JournalLineEntity } from './ledger/journal.entities';
import { CreateFeeSchedules1732406800000 } from './migrations/1732406800000-create-fee-schedules';
import { CreateClearingsAndLedger1732406810000 } from './migrations/1732406810000-create-clearings-and-ledger';

/**
 * The entities and migrations of the settlement schema. The outbox and inbox tables come from
 * @paylab/messaging and are listed before these in settlement.module.ts.
 */
export const SETTLEMENT_ENTITIES: Function[] = [
  MerchantFeeRateEntity,
  ChannelCostRateEntity,
  ClearingEntity,
  JournalEntryEntity,
  JournalLineEntity,
];
export const SETTLEMENT_MIGRATIONS: Function[] = [
  CreateFeeSchedules1732406800000,
  CreateClearingsAndLedger1732406810000,
];
