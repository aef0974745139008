import { PermanentMessageError } from '@paylab/messaging';
import { MoneyError } from '@paylab/money';
import { LedgerError } from '../ledger/domain';
import { ClearingError } from './domain';
import { MissingFeeScheduleError } from './fee-schedules.service';

/** Domain and configuration errors are facts about the event: retrying cannot fix them. */
export async function asPermanent<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (
      error instanceof ClearingError ||
      error instanceof LedgerError ||
      error instanceof MoneyError ||
      error instanceof MissingFeeScheduleError
    ) {
      throw new PermanentMessageError(`${error.code}: ${error.message}`);
    }
    throw error;
  }
}
