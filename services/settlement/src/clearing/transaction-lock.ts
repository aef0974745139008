import type { EntityManager } from 'typeorm';

/**
 * Serialises everything settlement books for one channel transaction (its clearing, a late
 * payment's suspense, its refunds) for the rest of the caller's database transaction. Payment and
 * refund verdicts arrive on different topics and are handled in parallel: without one lock, a
 * refund could look for its payment's clearing while that clearing is being written, find none,
 * and park itself after the clearing had already looked for parked refunds — parked for good.
 */
export async function lockTransactionBookings(
  manager: EntityManager,
  transactionId: string,
): Promise<void> {
  await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
    `paylab.settlement.transaction.${transactionId}`,
  ]);
}
