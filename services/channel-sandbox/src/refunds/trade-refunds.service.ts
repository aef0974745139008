import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { planRefundFaults, REFUND_FAULT_KINDS } from '../alipay/domain/faults';
import { shanghaiBusinessDate } from '../alipay/domain/shanghai-time';
import { NotificationEntity } from '../alipay/notification.entity';
import { TradeEntity } from '../alipay/trade.entity';
import { takeActiveFaults, useUpFaults } from '../trades/trade-payments.service';
import { checkNewRefund, checkRefundReplay, RefundRefused } from './domain/refund';
import { RefundEntity } from './refund.entity';

type Channel = TradeEntity['channel'];

export interface RefundRequest {
  channel: Channel;
  merchantAccount: string;
  /** trade_no (transaction_id) wins over out_trade_no when both are given. */
  reference: { tradeNo?: string; outTradeNo?: string };
  /** The merchant's refund reference; null: the trade's out_trade_no (Alipay's default). */
  outRefundNo: string | null;
  amountMinor: number;
  /** WeChat Pay's amount.total, checked against the order's amount. */
  expectedTotalMinor?: number;
  reason: string | null;
  notifyUrl: string | null;
  /** How long the channel takes to finish a refund with no fault staged (ms). */
  processingMs: number;
  /** A refusal by fault is answered synchronously (Alipay) rather than as ABNORMAL later. */
  refusesSynchronously: boolean;
  newRefundNo: (now: Date) => string;
  newNotifyId: () => string;
}

export interface RefundTaken {
  refund: RefundEntity;
  trade: TradeEntity;
  /** True when the refund reference had been used before: nothing new happened. */
  replay: boolean;
}

/**
 * Refunds at a simulated channel, whatever the channel: one transaction locks the trade, answers a
 * repeated refund reference with the refund already recorded, checks what is left to refund,
 * uses up the staged refund faults, records the refund and queues its notification for when its
 * result is due — so a refund never exists without its notification, and never twice.
 */
@Injectable()
export class TradeRefunds {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async refund(request: RefundRequest): Promise<RefundTaken> {
    // A refusal by fault must still use the fault up, so it is returned out of the transaction
    // (which commits) and thrown after.
    const result = await this.dataSource.transaction(async (manager) => {
      const trade = await lockTrade(manager, request);
      const outRefundNo = request.outRefundNo ?? trade.outTradeNo;
      const existing = await manager.getRepository(RefundEntity).findOneBy({
        channel: request.channel,
        merchantAccount: request.merchantAccount,
        outRefundNo,
      });
      if (existing) {
        checkRefundReplay(existing, { tradeNo: trade.tradeNo, amountMinor: request.amountMinor });
        return { refund: existing, trade, replay: true };
      }
      if (
        request.expectedTotalMinor !== undefined &&
        request.expectedTotalMinor !== trade.amountMinor
      ) {
        throw new RefundRefused(
          'TOTAL_MISMATCH',
          `amount.total ${request.expectedTotalMinor} is not the order's amount ${trade.amountMinor}`,
        );
      }
      checkNewRefund(trade, request.amountMinor);
      const plan = planRefundFaults(
        await takeActiveFaults(manager, request.channel, REFUND_FAULT_KINDS),
      );
      await useUpFaults(manager, plan.applied);
      if (plan.fails && request.refusesSynchronously) {
        return new RefundRefused(
          'REFUSED_BY_FAULT',
          'the channel refuses this refund (instructor fault REFUND_FAILS)',
        );
      }
      const now = new Date();
      const completesAt = new Date(
        now.getTime() + Math.max(request.processingMs, plan.delaySeconds * 1000),
      );
      const refund: RefundEntity = {
        refundNo: request.newRefundNo(now),
        channel: request.channel,
        merchantAccount: request.merchantAccount,
        tradeNo: trade.tradeNo,
        outRefundNo,
        amountMinor: request.amountMinor,
        reason: request.reason,
        outcome: plan.fails ? 'ABNORMAL' : 'SUCCESS',
        notifyUrl: request.notifyUrl,
        createdAt: now,
        completesAt,
        businessDate: shanghaiBusinessDate(completesAt),
        appliedFaultIds: plan.applied,
      };
      await manager.insert(RefundEntity, refund);
      if (refund.outcome === 'SUCCESS') {
        // Counted from acceptance, as the channels' cumulative refund_fee is.
        trade.refundedMinor += request.amountMinor;
        await manager.update(
          TradeEntity,
          { tradeNo: trade.tradeNo },
          { refundedMinor: trade.refundedMinor },
        );
      }
      if (request.notifyUrl && !plan.dropNotification) {
        await manager.insert(NotificationEntity, {
          tradeNo: trade.tradeNo,
          refundNo: refund.refundNo,
          notifyUrl: request.notifyUrl,
          notifyId: request.newNotifyId(),
          status: 'PENDING',
          attempts: 0,
          nextAttemptAt: completesAt,
          createdAt: now,
        });
      }
      return { refund, trade, replay: false };
    });
    if (result instanceof RefundRefused) throw result;
    return result;
  }

  /** A refund by the merchant's reference, with its trade; null when there is none. */
  async find(
    channel: Channel,
    merchantAccount: string,
    outRefundNo: string,
  ): Promise<{ refund: RefundEntity; trade: TradeEntity } | null> {
    const refund = await this.dataSource
      .getRepository(RefundEntity)
      .findOneBy({ channel, merchantAccount, outRefundNo });
    if (!refund) return null;
    const trade = await this.dataSource
      .getRepository(TradeEntity)
      .findOneByOrFail({ tradeNo: refund.tradeNo });
    return { refund, trade };
  }

  /** The refunds that succeeded on a business date (completed by now), for a statement. */
  async succeededOn(
    channel: Channel,
    merchantAccount: string,
    businessDate: string,
  ): Promise<Array<{ refund: RefundEntity; trade: TradeEntity }>> {
    const refunds = await this.dataSource
      .getRepository(RefundEntity)
      .createQueryBuilder('refund')
      .where('refund.channel = :channel AND refund.merchant_account = :merchantAccount', {
        channel,
        merchantAccount,
      })
      .andWhere('refund.business_date = :businessDate AND refund.outcome = :outcome', {
        businessDate,
        outcome: 'SUCCESS',
      })
      .andWhere('refund.completes_at <= now()')
      .orderBy('refund.completes_at', 'ASC')
      .addOrderBy('refund.refund_no', 'ASC')
      .getMany();
    if (refunds.length === 0) return [];
    const trades = await this.dataSource
      .getRepository(TradeEntity)
      .createQueryBuilder('trade')
      .where('trade.trade_no IN (:...tradeNos)', {
        tradeNos: [...new Set(refunds.map((refund) => refund.tradeNo))],
      })
      .getMany();
    const byNo = new Map(trades.map((trade) => [trade.tradeNo, trade]));
    return refunds.map((refund) => ({ refund, trade: byNo.get(refund.tradeNo)! }));
  }
}

async function lockTrade(manager: EntityManager, request: RefundRequest): Promise<TradeEntity> {
  const query = manager
    .getRepository(TradeEntity)
    .createQueryBuilder('trade')
    .setLock('pessimistic_write')
    .where('trade.channel = :channel AND trade.merchant_account = :merchantAccount', {
      channel: request.channel,
      merchantAccount: request.merchantAccount,
    });
  if (request.reference.tradeNo) {
    query.andWhere('trade.trade_no = :tradeNo', { tradeNo: request.reference.tradeNo });
  } else if (request.reference.outTradeNo) {
    query.andWhere('trade.out_trade_no = :outTradeNo', {
      outTradeNo: request.reference.outTradeNo,
    });
  } else {
    throw new RefundRefused('TRADE_NOT_EXIST', 'no trade reference was given');
  }
  const trade = await query.getOne();
  if (!trade) throw new RefundRefused('TRADE_NOT_EXIST', 'no such trade');
  return trade;
}
