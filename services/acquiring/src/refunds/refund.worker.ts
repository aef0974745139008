import { Inject, Injectable } from '@nestjs/common';
import { BackgroundWorker, type PaylabLogger, ROOT_LOGGER } from '@paylab/platform';
import { ChannelRefunds, REFUND_SETTINGS, type RefundSettings } from './channel-refunds.service';

const BATCH_SIZE = 20;

/**
 * Carries PENDING refunds forward: submits new ones to the channel and actively queries
 * (主动查询) those the channel is still processing, each when its next attempt is due, until
 * each is SUCCEEDED or FAILED. Safe with several replicas (see ChannelRefunds.claimDue).
 */
@Injectable()
export class RefundWorker extends BackgroundWorker {
  constructor(
    private readonly refunds: ChannelRefunds,
    @Inject(REFUND_SETTINGS) settings: RefundSettings,
    @Inject(ROOT_LOGGER) private readonly logger: PaylabLogger,
  ) {
    super('channel-refunds', settings.workerIntervalMs, logger);
  }

  protected async runPass(): Promise<boolean> {
    await this.pass();
    return false;
  }

  /** One pass: claim the due refunds, then advance each; one failure does not stop the rest. */
  async pass(): Promise<void> {
    const ids = await this.refunds.claimDue(BATCH_SIZE);
    for (const refundId of ids) {
      if (this.stopping) return;
      try {
        const view = await this.refunds.advance(refundId);
        this.logger.debug({ refundId, status: view.status, stage: view.stage }, 'refund step');
      } catch (error) {
        // Its claim lease makes it due again.
        this.logger.warn({ err: error, refundId }, 'refund step failed; will retry');
      }
    }
  }
}
