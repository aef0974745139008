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

/** The business date (营业日) a merchant's money at an instant belongs to, under its terms. */
export interface MerchantBusinessDates {
  /**
   * The cut-off comes from the terms in force on the instant's Asia/Shanghai calendar date; the
   * business date is that date or the next (at or after the cut-off). Clearing calls it per item.
   */
  businessDateAt(
    manager: EntityManager,
    merchantId: string,
    instant: Date,
  ): Promise<{ businessDate: string; terms: SettlementTerms }>;
}

export const MERCHANT_BUSINESS_DATES = Symbol('MERCHANT_BUSINESS_DATES');
