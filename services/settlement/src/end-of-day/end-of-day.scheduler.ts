import { Inject, Injectable } from '@nestjs/common';
import { BackgroundWorker, ROOT_LOGGER, type PaylabLogger } from '@paylab/platform';
import { latestDueBusinessDate } from '../calendar/domain/business-date';
import { SETTLEMENT_CONFIG, type SettlementConfig } from '../config';
import { EndOfDay } from './end-of-day.service';

/**
 * The end-of-day schedule: every EOD_POLL_INTERVAL_MS, run every date whose end of day is due
 * (the previous local date once midnight and the grace have passed). Every replica ticks; the
 * run's advisory lock lets one of them work and the others skip. After downtime the first tick
 * catches up every missed date, in order.
 */
@Injectable()
export class EndOfDayScheduler extends BackgroundWorker {
  constructor(
    private readonly endOfDay: EndOfDay,
    @Inject(SETTLEMENT_CONFIG) private readonly config: SettlementConfig,
    @Inject(ROOT_LOGGER) logger: PaylabLogger,
  ) {
    super('end-of-day', config.EOD_POLL_INTERVAL_MS, logger);
  }

  protected async runPass(): Promise<boolean> {
    if (!this.config.EOD_SCHEDULE_ENABLED) return false;
    const due = latestDueBusinessDate(new Date(), this.config.EOD_GRACE_MS);
    await this.endOfDay.runThrough(due, 'SCHEDULE', null);
    return false;
  }
}
