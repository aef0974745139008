import { Inject, Injectable } from '@nestjs/common';
import { BackgroundWorker, type PaylabLogger, ROOT_LOGGER } from '@paylab/platform';
import {
  ACQUIRING_SETTINGS,
  type AcquiringSettings,
  ChannelTransactions,
} from './channel-transactions.service';

const BATCH_SIZE = 20;

/**
 * Active query (主动查询): callbacks get lost, so every PENDING transaction older than
 * ACTIVE_QUERY_AFTER_MS is asked about at the channel every ACTIVE_QUERY_INTERVAL_MS until it
 * is settled or, past its deadline, closed. Safe with several replicas (see claimDueQueries).
 */
@Injectable()
export class ActiveQueryWorker extends BackgroundWorker {
  constructor(
    private readonly transactions: ChannelTransactions,
    @Inject(ACQUIRING_SETTINGS) settings: AcquiringSettings,
    @Inject(ROOT_LOGGER) private readonly logger: PaylabLogger,
  ) {
    super('active-query', settings.activeQueryIntervalMs, logger);
  }

  protected async runPass(): Promise<boolean> {
    await this.pass();
    return false;
  }

  /** One pass: claim the due transactions, then query each; one failure does not stop the rest. */
  async pass(): Promise<void> {
    const ids = await this.transactions.claimDueQueries(BATCH_SIZE);
    for (const id of ids) {
      if (this.stopping) return;
      try {
        const view = await this.transactions.queryAndApply(id);
        this.logger.debug({ transactionId: id, status: view.status }, 'active query');
      } catch (error) {
        this.logger.warn({ err: error, transactionId: id }, 'active query failed; will retry');
      }
    }
  }
}
