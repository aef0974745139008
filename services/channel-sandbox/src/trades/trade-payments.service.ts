import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AppError } from '@paylab/platform';
import type { DataSource, EntityManager } from 'typeorm';
import {
  type ActiveFault,
  CLOSE_FAULT_KINDS,
  type FaultChannel,
  type FaultKind,
  PAYMENT_FAULT_KINDS,
  planPaymentFaults,
} from '../alipay/domain/faults';
import { shanghaiBusinessDate } from '../alipay/domain/shanghai-time';
import { NotificationEntity } from '../alipay/notification.entity';
import { TradeEntity } from '../alipay/trade.entity';
import { statusAt } from './domain/trade-expiry';
import { FaultEntity } from '../faults/fault.entity';

type Channel = TradeEntity['channel'];

export interface Payer {
  /** The channel's id of the payer (Alipay buyer_id, WeChat Pay openid). */
  buyerUserId: string;
  buyerLogonId: string | null;
}

/**
 * The payer pays a sandbox trade, whatever the channel: the trade becomes TRADE_SUCCESS, the
 * faults staged for its channel are used up and recorded on it, and its notifications are
 * queued for the NotificationWorker — one transaction, so a payment never exists without its
 * callbacks, and a statement downloaded later shows the same faults.
 */
@Injectable()
export class TradePayments {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async pay(
    channel: Channel,
    qrToken: string,
    payer: Payer,
    newNotifyId: () => string,
  ): Promise<TradeEntity> {
    return this.dataSource.transaction(async (manager) => {
      const trade = await manager
        .getRepository(TradeEntity)
        .createQueryBuilder('trade')
        .setLock('pessimistic_write')
        .where('trade.qr_token = :qrToken AND trade.channel = :channel', { qrToken, channel })
        .getOne();
      if (!trade) throw qrNotFound();
      const now = new Date();
      const status = statusAt(trade.status, trade.expiresAt, now);
      if (status === 'TRADE_SUCCESS') {
        throw new AppError('conflict_error', 'TRADE.ALREADY_PAID', 'This order is already paid.');
      }
      if (status === 'TRADE_CLOSED') {
        throw new AppError(
          'conflict_error',
          'TRADE.CLOSED',
          trade.status === 'TRADE_CLOSED'
            ? 'This order was closed; it cannot be paid.'
            : 'This order expired (time_expire has passed); it cannot be paid.',
        );
      }
      const plan = planPaymentFaults(await takeActiveFaults(manager, channel, PAYMENT_FAULT_KINDS));
      await useUpFaults(manager, plan.applied);
      const paid: Partial<TradeEntity> = {
        status: 'TRADE_SUCCESS',
        paidAt: now,
        businessDate: shanghaiBusinessDate(now),
        buyerUserId: payer.buyerUserId,
        buyerLogonId: payer.buyerLogonId,
        statementFaults: plan.statement,
        appliedFaultIds: plan.applied,
      };
      await manager.update(TradeEntity, { tradeNo: trade.tradeNo }, paid);
      if (trade.notifyUrl && !plan.callback.drop) {
        // Duplicates share one notification id, as a channel re-sending the same event would.
        const notifyId = newNotifyId();
        const firstAttemptAt = new Date(now.getTime() + plan.callback.delaySeconds * 1000);
        for (let copy = 0; copy < plan.callback.copies; copy += 1) {
          await manager.insert(NotificationEntity, {
            tradeNo: trade.tradeNo,
            notifyUrl: trade.notifyUrl,
            notifyId,
            status: 'PENDING',
            attempts: 0,
            nextAttemptAt: firstAttemptAt,
            createdAt: now,
          });
        }
      }
      return { ...trade, ...paid } as TradeEntity;
    });
  }
}

/**
 * Closes an unpaid trade (关单) inside the caller's transaction, for every channel. With a
 * CLOSE_CROSSES_PAYMENT fault staged, the close is acknowledged but the trade stays payable (the
 * fault is used up): the payment that follows reaches the platform after its order was closed.
 */
export async function closeTrade(
  manager: EntityManager,
  trade: Pick<TradeEntity, 'tradeNo' | 'channel'>,
): Promise<void> {
  const [crossing] = await takeActiveFaults(manager, trade.channel, CLOSE_FAULT_KINDS);
  if (crossing) {
    await useUpFaults(manager, [crossing.id]);
    return;
  }
  await manager.update(
    TradeEntity,
    { tradeNo: trade.tradeNo },
    { status: 'TRADE_CLOSED', closedAt: new Date() },
  );
}

export function qrNotFound(): AppError {
  return new AppError(
    'not_found_error',
    'TRADE.NOT_FOUND',
    'No sandbox order behind this QR code.',
  );
}

/**
 * The channel's staged faults of the given kinds that are not used up, oldest first, locked so
 * that two payments (or refunds) at once never both use the last one.
 */
export async function takeActiveFaults(
  manager: EntityManager,
  channel: Channel | FaultChannel,
  kinds: readonly FaultKind[],
): Promise<ActiveFault[]> {
  const rows = await manager
    .getRepository(FaultEntity)
    .createQueryBuilder('fault')
    .setLock('pessimistic_write')
    .where('fault.channel = :channel AND fault.remaining > 0', { channel })
    .andWhere('fault.kind IN (:...kinds)', { kinds })
    .orderBy('fault.id', 'ASC')
    .getMany();
  return rows.map((row) => ({
    id: Number(row.id),
    kind: row.kind,
    params: row.params,
  })) as ActiveFault[];
}

/** Uses up one of each applied fault's `remaining`. */
export async function useUpFaults(manager: EntityManager, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  await manager.query(
    `UPDATE "faults" SET "remaining" = "remaining" - 1 WHERE "id" = ANY($1::bigint[])`,
    [ids],
  );
}
