import type { EntityManager } from 'typeorm';
import type { SettlementTerms } from './domain/settlement-terms';

/** How clearing and end of day read merchants' terms; the terms feature implements it. */
export interface SettlementTermsReader {
  /**
   * The terms in force on `businessDate` for each merchant id given: the latest version whose
   * effectiveFrom is on or before that date, or defaultTerms() for a merchant never configured.
   * One query for any number of merchants (end of day asks for ten thousand at once).
   */
  effectiveOn(
    manager: EntityManager,
    businessDate: string,
    merchantIds: readonly string[],
  ): Promise<Map<string, SettlementTerms>>;
}

export const SETTLEMENT_TERMS_READER = Symbol('SETTLEMENT_TERMS_READER');
