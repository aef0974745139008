import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { MERCHANT_BUSINESS_DATES, type MerchantBusinessDates } from '../terms/terms.port';

export interface NewSettlementItem {
  readonly kind: 'PAYMENT' | 'REFUND' | 'LATE_PAYMENT_RETURN';
  /** The clearing (clr_…) that moved the money: one item per clearing. */
  readonly sourceId: string;
  readonly merchantId: string;
  readonly transactionId: string;
  readonly paymentId: string;
  readonly refundId: string | null;
  readonly currency: string;
  readonly grossMinor: number;
  /** Fee charged (+) or returned (−). */
  readonly feeMinor: number;
  readonly refundMinor: number;
  /** Signed effect on what we owe the merchant. */
  readonly netMinor: number;
  /** When the money moved at the channel (paid or refunded). */
  readonly occurredAt: Date;
}

/**
 * The settlement sub-ledger (待结算明细): every cleared movement of a merchant's money, written in
 * the clearing's own transaction, with the business date its merchant's cut-off gives it. Batches
 * read it; nothing updates it.
 */
@Injectable()
export class SettlementItems {
  constructor(
    @Inject(MERCHANT_BUSINESS_DATES) private readonly businessDates: MerchantBusinessDates,
  ) {}

  async record(manager: EntityManager, item: NewSettlementItem): Promise<void> {
    const { businessDate } = await this.businessDates.businessDateAt(
      manager,
      item.merchantId,
      item.occurredAt,
    );
    await manager.query(
      `INSERT INTO settlement.settlement_items
         (kind, source_id, merchant_id, transaction_id, payment_id, refund_id, currency,
          gross_minor, fee_minor, refund_minor, net_minor, occurred_at, business_date)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
       ON CONFLICT (kind, source_id) DO NOTHING`,
      [
        item.kind,
        item.sourceId,
        item.merchantId,
        item.transactionId,
        item.paymentId,
        item.refundId,
        item.currency,
        item.grossMinor,
        item.feeMinor,
        item.refundMinor,
        item.netMinor,
        item.occurredAt,
        businessDate,
      ],
    );
  }
}
