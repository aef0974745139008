import { CreateReconciliation1732406800000 } from './migrations/1732406800000-create-reconciliation';
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
  ReconRunEntity,
  ReconResultEntity,
  DiscrepancyEntity,
];
export const RECONCILIATION_MIGRATIONS: Function[] = [CreateReconciliation1732406800000];
