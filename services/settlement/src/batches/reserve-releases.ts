import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ROOT_LOGGER, type PaylabLogger } from '@paylab/platform';
import type { DataSource } from 'typeorm';
import { journalForReserveRelease } from '../ledger/domain/settlement-journal';
import { Ledger } from '../ledger/ledger.service';
import { lockAvailableBalances } from './settlement-locks';

export interface ReleaseReservesOutcome {
  readonly businessDate: string;
  readonly released: number;
  readonly amountMinor: number;
}

/**
 * RELEASE_RESERVES (释放保证金): every rolling reserve hold whose release date has come goes back
 * to the merchant's available balance, in one transaction; the merchant's next batch reports it
 * as reserveReleased and pays it.
 */
@Injectable()
export class ReserveReleases {
  private readonly log: PaylabLogger;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly ledger: Ledger,
    @Inject(ROOT_LOGGER) logger: PaylabLogger,
  ) {
    this.log = logger.child({ component: 'reserve-releases' });
  }

  async release(businessDate: string): Promise<ReleaseReservesOutcome> {
    return this.dataSource.transaction(async (manager) => {
      await lockAvailableBalances(manager);
      const due = (await manager.query(
        `SELECT id, merchant_id, currency, amount_minor::text AS amount, release_date::text AS release_date
           FROM settlement.reserve_holds
          WHERE released_on IS NULL AND release_date <= $1
          ORDER BY release_date, id
          FOR UPDATE`,
        [businessDate],
      )) as Array<{
        id: string;
        merchant_id: string;
        currency: string;
        amount: string;
        release_date: string;
      }>;
      const now = new Date();
      const journals = due.map((hold) =>
        journalForReserveRelease(
          {
            holdId: hold.id,
            merchantId: hold.merchant_id,
            currency: hold.currency.trim(),
            amountMinor: Number(hold.amount),
            releaseDate: hold.release_date,
          },
          { postedAt: now, businessDate },
        ),
      );
      await this.ledger.postAll(manager, journals);
      if (due.length > 0) {
        await manager.query(
          `UPDATE settlement.reserve_holds h
              SET released_on = $3, release_journal_entry_id = u.entry_id
             FROM unnest($1::text[], $2::text[]) AS u(id, entry_id)
            WHERE h.id = u.id AND h.released_on IS NULL`,
          [due.map((hold) => hold.id), journals.map((journal) => journal.id), businessDate],
        );
      }
      const outcome = {
        businessDate,
        released: due.length,
        amountMinor: due.reduce((total, hold) => total + Number(hold.amount), 0),
      };
      if (outcome.released > 0) this.log.info(outcome, 'rolling reserves released (保证金释放)');
      return outcome;
    });
  }
}
