import { CreateReconciliation1732406800000 } from './migrations/1732406800000-create-reconciliation';
import { PlatformRefundsAndAccounts1732406810000 } from './migrations/1732406810000-platform-refunds-and-accounts';
import { PlatformRefundEntity } from './platform-transactions/platform-refund.entity';
import { PlatformTransactionEntity } from './platform-transactions/platform-transaction.entity';
import {
  DiscrepancyEntity,
  ReconResultEntity,
  ReconRunEntity,
} from './recon-runs/recon-run.entities';

/**
 * The entities and migrations of the reconciliation schema. The outbox and inbox tables come from
 * @paylab/messaging and are listed before these in reconciliation.module.ts.
 */
export const RECONCILIATION_ENTITIES: Function[] = [
  PlatformTransactionEntity,
  PlatformRefundEntity,
  ReconRunEntity,
  ReconResultEntity,
  DiscrepancyEntity,
];
export const RECONCILIATION_MIGRATIONS: Function[] = [
  CreateReconciliation1732406800000,
  PlatformRefundsAndAccounts1732406810000,
];
