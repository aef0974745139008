import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { PayoutEntity } from '../payouts/payout.entity';
import { settlementTotalsOf } from './batch-views';
import { SettlementError } from './domain/settlement-error';
import { ReserveHoldEntity, SettlementBatchEntity } from './settlement-batch.entities';

export interface SettlementBatchView {
  readonly id: string;
  readonly merchantId: string;
  readonly settlementDate: string;
  readonly currency: string;
  readonly state: SettlementBatchEntity['state'];
  readonly cycle: string;
  readonly termsVersion: number;
  readonly itemCount: number;
  readonly paymentCount: number;
  readonly refundCount: number;
  readonly latePaymentReturnCount: number;
  readonly totals: ReturnType<typeof settlementTotalsOf>;
  readonly minimumPayoutMinor: number;
  readonly journalEntryId: string | null;
  readonly failureCode: string | null;
  readonly failureMessage: string | null;
  readonly createdAt: string;
  readonly paidAt: string | null;
}

export interface PayoutView {
  readonly id: string;
  readonly attempt: number;
  readonly requestNo: string;
  readonly state: PayoutEntity['state'];
  readonly amountMinor: number;
  readonly currency: string;
  readonly payee: { bankCode: string; accountNo: string; accountName: string };
  readonly bankTxnNo: string | null;
  readonly failureCode: string | null;
  readonly failureMessage: string | null;
  readonly submitAttempts: number;
  readonly queryAttempts: number;
  readonly requestedBy: string;
  readonly createdAt: string;
  readonly finishedAt: string | null;
}

export interface SettlementBatchDetailView extends SettlementBatchView {
  readonly payouts: PayoutView[];
  readonly reserveHolds: Array<{
    id: string;
    amountMinor: number;
    releaseDate: string;
    releasedOn: string | null;
    role: 'HELD' | 'RELEASED';
  }>;
}

export interface SettlementBatchPage {
  readonly data: SettlementBatchView[];
}

/** Reads of settlement batches for operators (the merchant's own view goes through cashier). */
@Injectable()
export class SettlementBatches {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(filter: {
    merchantId?: string;
    settlementDate?: string;
    state?: SettlementBatchEntity['state'];
    limit: number;
  }): Promise<SettlementBatchPage> {
    const query = this.dataSource
      .getRepository(SettlementBatchEntity)
      .createQueryBuilder('b')
      .orderBy('b.settlement_date', 'DESC')
      .addOrderBy('b.id', 'DESC')
      .take(filter.limit);
    if (filter.merchantId) query.andWhere('b.merchant_id = :m', { m: filter.merchantId });
    if (filter.settlementDate)
      query.andWhere('b.settlement_date = :d', { d: filter.settlementDate });
    if (filter.state) query.andWhere('b.state = :s', { s: filter.state });
    return { data: (await query.getMany()).map(toView) };
  }

  async find(batchId: string): Promise<SettlementBatchDetailView> {
    const batch = await this.dataSource
      .getRepository(SettlementBatchEntity)
      .findOneBy({ id: batchId });
    if (!batch) {
      throw new SettlementError(
        'SETTLEMENT_BATCH.NOT_FOUND',
        `No settlement batch ${batchId}`,
        'batchId',
      );
    }
    const payouts = await this.dataSource
      .getRepository(PayoutEntity)
      .find({ where: { batchId }, order: { attempt: 'ASC' } });
    const holds = await this.dataSource
      .getRepository(ReserveHoldEntity)
      .createQueryBuilder('h')
      .where('h.held_in_batch_id = :batchId OR h.released_in_batch_id = :batchId', { batchId })
      .orderBy('h.created_at')
      .getMany();
    return {
      ...toView(batch),
      payouts: payouts.map((payout) => ({
        id: payout.id,
        attempt: payout.attempt,
        requestNo: payout.requestNo,
        state: payout.state,
        amountMinor: payout.amountMinor,
        currency: payout.currency.trim(),
        payee: {
          bankCode: payout.payeeBankCode,
          accountNo: payout.payeeAccountNo,
          accountName: payout.payeeAccountName,
        },
        bankTxnNo: payout.bankTxnNo,
        failureCode: payout.failureCode,
        failureMessage: payout.failureMessage,
        submitAttempts: payout.submitAttempts,
        queryAttempts: payout.queryAttempts,
        requestedBy: payout.requestedBy,
        createdAt: payout.createdAt.toISOString(),
        finishedAt: payout.finishedAt?.toISOString() ?? null,
      })),
      reserveHolds: holds.map((hold) => ({
        id: hold.id,
        amountMinor: hold.amountMinor,
        releaseDate: hold.releaseDate,
        releasedOn: hold.releasedOn,
        role: hold.heldInBatchId === batchId ? 'HELD' : 'RELEASED',
      })),
    };
  }
}

function toView(batch: SettlementBatchEntity): SettlementBatchView {
  return {
    id: batch.id,
    merchantId: batch.merchantId,
    settlementDate: batch.settlementDate,
    currency: batch.currency.trim(),
    state: batch.state,
    cycle: batch.cycle,
    termsVersion: batch.termsVersion,
    itemCount: batch.itemCount,
    paymentCount: batch.paymentCount,
    refundCount: batch.refundCount,
    latePaymentReturnCount: batch.latePaymentReturnCount,
    totals: settlementTotalsOf(batch),
    minimumPayoutMinor: batch.minimumPayoutMinor,
    journalEntryId: batch.journalEntryId,
    failureCode: batch.failureCode,
    failureMessage: batch.failureMessage,
    createdAt: batch.createdAt.toISOString(),
    paidAt: batch.paidAt?.toISOString() ?? null,
  };
}
