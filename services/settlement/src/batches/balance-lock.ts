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
