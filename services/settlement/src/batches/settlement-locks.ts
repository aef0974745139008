import type { EntityManager } from 'typeorm';

/**
 * Serialises every movement into or out of merchants' available balances (可结算余额) for the
 * rest of the caller's transaction: building batches, sending a payout, a payout failing back,
 * an operator retry, releasing reserves. One lock for all merchants, not one each, because an end
 * of day builds ten thousand batches in one transaction and Postgres's lock table would not hold
 * ten thousand advisory locks; these movements are few and short outside the end of day.
 */
export async function lockAvailableBalances(manager: EntityManager): Promise<void> {
  await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
    'paylab.settlement.available-balances',
  ]);
}

/**
 * Orders terms changes against batch builds. A change reads the latest date whose batches were
 * built to decide when it takes effect; a build reads the terms in force on its date. A change
 * holds this lock shared from before that read until it commits, and a build holds it exclusively
 * from before its read: so a build either sees a change that says it applies to the build's date,
 * or the change sees the build and applies from the next date. Never a version that claims a date
 * whose batches were built without it. Two things this relies on: both transactions run at READ
 * COMMITTED (each statement sees what committed while it waited), and the end of day commits a
 * BUILD_BATCHES job row before the build starts (what a change reads as "built").
 */
export async function lockTermsAgainstBuilds(
  manager: EntityManager,
  mode: 'TERMS_CHANGE' | 'BATCH_BUILD',
): Promise<void> {
  await manager.query(
    mode === 'TERMS_CHANGE'
      ? `SELECT pg_advisory_xact_lock_shared(hashtextextended($1, 0))`
      : `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`,
    ['paylab.settlement.terms-and-batch-builds'],
  );
}
