import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  ChannelRefundFailed,
  ChannelRefundSucceeded,
  type PayloadOf,
  type RefundRequested,
} from '@paylab/contracts';
import { Outbox } from '@paylab/messaging';
import { Money, type CurrencyCode } from '@paylab/money';
import { type PaylabLogger, ROOT_LOGGER } from '@paylab/platform';
import type { DataSource, EntityManager } from 'typeorm';
import {
  type ChannelCode,
  type ChannelRefundNotification,
  type ChannelRefundResult,
} from '../channels/channel-adapter';
import { ChannelAdapters } from '../channels/channel-adapters';
import { shanghaiBusinessDate } from '../channels/domain/shanghai-time';
import { DomainError } from '../shared/domain-error';
import { ChannelTransactionEntity } from '../transactions/channel-transaction.entity';
import { ChannelRefundEntity } from './channel-refund.entity';
import {
  backoffMs,
  checkRefundable,
  type ChannelRefundStatus,
  decideAfterAnswer,
  decideOnNotification,
  type RefundConfirmedBy,
  type RefundStage,
} from './domain/channel-refund';

export const REFUND_SETTINGS = Symbol('REFUND_SETTINGS');

export interface RefundSettings {
  /** How often the refund worker looks for due refunds. */
  workerIntervalMs: number;
  /** Wait before the first active query of a refund the channel is still processing. */
  queryAfterMs: number;
  /** First wait after a channel call without a usable answer; doubles per attempt. */
  retryBaseMs: number;
  /** Ceiling of every wait. */
  retryMaxMs: number;
  /** A claimed refund is reserved this long; a crash mid-call makes it due again after it. */
  claimLeaseMs: number;
}

export interface ChannelRefundView {
  refundId: string;
  transactionId: string;
  paymentId: string;
  merchantId: string;
  channel: string;
  channelAccountId: string | null;
  kind: string;
  amount: { amountMinor: number; currency: string };
  reason: string | null;
  status: ChannelRefundStatus;
  stage: RefundStage;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  channelRefundNo: string | null;
  channelTradeNo: string | null;
  confirmedBy: RefundConfirmedBy | null;
  failureCode: string | null;
  failureMessage: string | null;
  refundedAt: string | null;
  businessDate: string | null;
  requestedAt: string;
  createdAt: string;
  updatedAt: string;
}

type RefundRequest = PayloadOf<typeof RefundRequested>;

/** What a refund notification did: settled the refund, nothing (a repeat), or was held. */
export type RefundNotificationOutcome = 'SETTLED' | 'DUPLICATE' | 'MISMATCH';

/**
 * Channel refunds (渠道退款): cashier's RefundRequested is checked against the channel
 * transaction and recorded; the refund worker submits it to the channel (idempotent per
 * refund id = out_request_no / out_refund_no) and follows it up with active queries until the
 * channel's answer, a verified notification or a query settles it. Every settlement writes its
 * ChannelRefundSucceeded / ChannelRefundFailed to the outbox in the same database transaction,
 * under the refund's row lock, so it is published exactly once.
 */
@Injectable()
export class ChannelRefunds {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly adapters: ChannelAdapters,
    @Inject(REFUND_SETTINGS) private readonly settings: RefundSettings,
    @Inject(ROOT_LOGGER) private readonly logger: PaylabLogger,
  ) {}

  /**
   * Records a refund request (call inside the inbox transaction). A repeat of the same refund
   * id changes nothing. One that cannot be refunded (unknown or unpaid transaction, more than
   * is left) is recorded FAILED and answered with ChannelRefundFailed at once; nothing goes to
   * the channel. The transaction's row lock makes concurrent refunds of it take turns, so two
   * refunds can never together exceed what was paid.
   */
  async accept(manager: EntityManager, request: RefundRequest): Promise<void> {
    const repository = manager.getRepository(ChannelRefundEntity);
    const transaction = await manager
      .getRepository(ChannelTransactionEntity)
      .createQueryBuilder('txn')
      .setLock('pessimistic_write')
      .where('txn.id = :id', { id: request.transactionId })
      .getOne();
    const [{ refunded }] = (await manager.query(
      `SELECT COALESCE(SUM("amount_minor"), 0)::text AS "refunded" FROM "channel_refunds"
       WHERE "transaction_id" = $1 AND "status" <> 'FAILED'`,
      [request.transactionId],
    )) as Array<{ refunded: string }>;
    const refusal = checkRefundable(
      transaction,
      {
        paymentId: request.paymentId,
        channel: request.channel,
        amountMinor: request.amount.amountMinor,
        currency: request.amount.currency,
      },
      Number(refunded),
    );
    const now = new Date();
    const inserted = await repository
      .createQueryBuilder()
      .insert()
      .values({
        refundId: request.refundId,
        transactionId: request.transactionId,
        paymentId: request.paymentId,
        merchantId: request.merchantId,
        channel: request.channel,
        channelAccountId: request.channelAccountId ?? null,
        kind: request.kind,
        amountMinor: request.amount.amountMinor,
        currency: request.amount.currency,
        reason: request.reason ?? null,
        status: refusal ? 'FAILED' : 'PENDING',
        stage: 'SUBMIT',
        attempts: 0,
        nextAttemptAt: now,
        lastError: null,
        channelRefundNo: null,
        channelTradeNo: transaction?.channelTradeNo ?? null,
        confirmedBy: null,
        failureCode: refusal?.code ?? null,
        failureMessage: refusal?.message ?? null,
        refundedAt: null,
        businessDate: null,
        requestedAt: new Date(request.requestedAt),
        createdAt: now,
        updatedAt: now,
      })
      .orIgnore()
      .returning(['refundId'])
      .execute();
    if ((inserted.raw as unknown[]).length === 0) {
      // The same refund id again (ON CONFLICT DO NOTHING): already recorded, nothing to do.
      this.logger.info({ refundId: request.refundId }, 'refund request repeated; nothing to do');
      return;
    }
    if (refusal) {
      const row = await repository.findOneByOrFail({ refundId: request.refundId });
      await this.publishFailed(manager, row, refusal.code, refusal.message, now);
      this.logger.warn(
        { refundId: request.refundId, code: refusal.code },
        'refund refused before reaching the channel',
      );
      return;
    }
    this.logger.info({ refundId: request.refundId }, 'channel refund accepted');
  }

  async find(refundId: string): Promise<ChannelRefundView> {
    const row = await this.dataSource.getRepository(ChannelRefundEntity).findOneBy({ refundId });
    if (!row) {
      throw new DomainError('REFUND.NOT_FOUND', `No channel refund ${refundId}.`, 'refundId');
    }
    return viewOf(row);
  }

  /**
   * Claims PENDING refunds whose next step is due, for this worker alone: FOR UPDATE SKIP LOCKED
   * keeps replicas apart, and moving next_attempt_at one lease ahead means a crash mid-call just
   * makes the refund due again (resubmitting is idempotent at the channel).
   */
  async claimDue(limit: number): Promise<string[]> {
    const rows: Array<{ refund_id: string }> = await this.dataSource.query(
      `WITH "claimed" AS (
         UPDATE "channel_refunds"
         SET "next_attempt_at" = now() + ($1::float8 * interval '1 millisecond')
         WHERE "refund_id" IN (
           SELECT "refund_id" FROM "channel_refunds"
           WHERE "status" = 'PENDING' AND "next_attempt_at" <= now()
           ORDER BY "next_attempt_at", "refund_id" LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING "refund_id")
       SELECT "refund_id" FROM "claimed"`,
      [this.settings.claimLeaseMs, limit],
    );
    return rows.map((row) => row.refund_id);
  }

  /**
   * One step of a PENDING refund: submit it (stage SUBMIT) or query it (QUERY) at the channel,
   * outside any database transaction, then act on the answer under the row lock — unless a
   * notification settled it meanwhile. No usable answer keeps the stage and backs off.
   */
  async advance(refundId: string): Promise<ChannelRefundView> {
    const row = await this.dataSource.getRepository(ChannelRefundEntity).findOneBy({ refundId });
    if (!row) throw new DomainError('REFUND.NOT_FOUND', `No channel refund ${refundId}.`);
    if (row.status !== 'PENDING') return viewOf(row);
    const transaction = await this.dataSource
      .getRepository(ChannelTransactionEntity)
      .findOneByOrFail({ id: row.transactionId });
    const stage = row.stage as RefundStage;
    const attempts = row.attempts + 1;
    let answer: ChannelRefundResult;
    try {
      // The account that took the payment signs its refund.
      const adapter = await this.adapters.adapterFor(transaction);
      answer =
        stage === 'SUBMIT'
          ? await adapter.refund({
              outTradeNo: transaction.outTradeNo,
              outRefundNo: row.refundId,
              amount: Money.of(row.amountMinor, row.currency as CurrencyCode),
              total: Money.of(transaction.amountMinor, transaction.currency as CurrencyCode),
              reason: row.reason ?? undefined,
            })
          : await adapter.queryRefund(transaction.outTradeNo, row.refundId);
    } catch (error) {
      // Network, timeout, 5xx, an answer we cannot trust: nothing final is known. Retry later.
      const message = error instanceof Error ? error.message : String(error);
      const delayMs = backoffMs(attempts, this.settings.retryBaseMs, this.settings.retryMaxMs);
      await this.dataSource.query(
        `UPDATE "channel_refunds" SET "attempts" = $2, "last_error" = $3,
           "next_attempt_at" = now() + ($4::float8 * interval '1 millisecond'), "updated_at" = now()
         WHERE "refund_id" = $1 AND "status" = 'PENDING'`,
        [refundId, attempts, message.slice(0, 1000), delayMs],
      );
      this.logger.warn(
        { err: error, refundId, stage, attempts, delayMs },
        'channel refund call failed; will retry',
      );
      return this.find(refundId);
    }
    const step = decideAfterAnswer(stage, answer, attempts, {
      queryAfterMs: this.settings.queryAfterMs,
      maxDelayMs: this.settings.retryMaxMs,
    });
    return this.dataSource.transaction(async (manager) => {
      const locked = await lockRefund(manager, { refundId });
      if (!locked) throw new DomainError('REFUND.NOT_FOUND', `No channel refund ${refundId}.`);
      if (locked.status !== 'PENDING') return viewOf(locked);
      const now = new Date();
      switch (step.kind) {
        case 'succeed':
          await this.succeedLocked(
            manager,
            locked,
            {
              channelRefundNo: answer.channelRefundNo,
              channelTradeNo: answer.channelTradeNo ?? transaction.channelTradeNo,
              refundedAt: answer.refundedAt ?? now,
            },
            step.confirmedBy,
          );
          break;
        case 'fail':
          await this.failLocked(manager, locked, step.code, step.message, now);
          break;
        case 'await':
        case 'resubmit':
          await manager.update(
            ChannelRefundEntity,
            { refundId },
            {
              stage: step.kind === 'await' ? 'QUERY' : 'SUBMIT',
              attempts,
              lastError: null,
              channelRefundNo: answer.channelRefundNo ?? locked.channelRefundNo,
              nextAttemptAt: new Date(now.getTime() + (step.kind === 'await' ? step.delayMs : 0)),
              updatedAt: now,
            },
          );
          break;
      }
      return viewOf(await manager.getRepository(ChannelRefundEntity).findOneByOrFail({ refundId }));
    });
  }

  /** Locks a refund by our reference at the channel (out_refund_no = refund id). */
  async lockForNotification(
    manager: EntityManager,
    channel: string,
    outRefundNo: string,
  ): Promise<ChannelRefundEntity | null> {
    return lockRefund(manager, { refundId: outRefundNo, channel });
  }

  /** Applies a verified refund notification to its locked refund (call inside a transaction). */
  async applyNotificationLocked(
    manager: EntityManager,
    row: ChannelRefundEntity,
    notice: ChannelRefundNotification,
  ): Promise<RefundNotificationOutcome> {
    const decision = decideOnNotification(
      {
        status: row.status as ChannelRefundStatus,
        amountMinor: row.amountMinor,
        currency: row.currency,
      },
      {
        status: notice.status,
        amountMinor: notice.amount.amountMinor,
        currency: notice.amount.currency,
      },
    );
    if (decision === 'duplicate') return 'DUPLICATE';
    if (decision === 'mismatch') {
      this.logger.error(
        { refundId: row.refundId, status: row.status, notice: notice.status },
        'refund notification contradicts the refund as recorded; held for review',
      );
      return 'MISMATCH';
    }
    const now = new Date();
    if (notice.status === 'SUCCEEDED') {
      await this.succeedLocked(
        manager,
        row,
        {
          channelRefundNo: notice.channelRefundNo,
          channelTradeNo: notice.channelTradeNo,
          refundedAt: notice.refundedAt ?? now,
        },
        'CALLBACK',
      );
    } else {
      await this.failLocked(
        manager,
        row,
        notice.failureCode ?? 'CHANNEL.REFUND_REFUSED',
        `The channel reported the refund ${notice.failureCode ?? 'failed'}.`,
        now,
      );
    }
    return 'SETTLED';
  }

  private async succeedLocked(
    manager: EntityManager,
    row: ChannelRefundEntity,
    facts: { channelRefundNo: string | null; channelTradeNo: string | null; refundedAt: Date },
    confirmedBy: RefundConfirmedBy,
  ): Promise<void> {
    const channelTradeNo = facts.channelTradeNo ?? row.channelTradeNo;
    if (!channelTradeNo) {
      throw new DomainError(
        'REFUND.CHANNEL_TRADE_NO_MISSING',
        `Refund ${row.refundId} succeeded without the channel's trade number.`,
      );
    }
    const channelRefundNo = facts.channelRefundNo ?? `${channelTradeNo}_${row.refundId}`;
    const businessDate = shanghaiBusinessDate(facts.refundedAt);
    const now = new Date();
    await manager.update(
      ChannelRefundEntity,
      { refundId: row.refundId },
      {
        status: 'SUCCEEDED',
        channelRefundNo,
        channelTradeNo,
        confirmedBy,
        refundedAt: facts.refundedAt,
        businessDate,
        lastError: null,
        updatedAt: now,
      },
    );
    await this.outbox.publish(manager, ChannelRefundSucceeded, {
      ...factsOf(row),
      channelRefundNo,
      channelTradeNo,
      refundedAt: facts.refundedAt.toISOString(),
      businessDate,
      confirmedBy,
    });
    this.logger.info(
      { refundId: row.refundId, paymentId: row.paymentId, confirmedBy },
      'channel refund succeeded',
    );
  }

  private async failLocked(
    manager: EntityManager,
    row: ChannelRefundEntity,
    code: string,
    message: string,
    now: Date,
  ): Promise<void> {
    await manager.update(
      ChannelRefundEntity,
      { refundId: row.refundId },
      { status: 'FAILED', failureCode: code, failureMessage: message, updatedAt: now },
    );
    await this.publishFailed(manager, row, code, message, now);
    this.logger.warn({ refundId: row.refundId, code }, 'channel refund failed');
  }

  private async publishFailed(
    manager: EntityManager,
    row: ChannelRefundEntity,
    code: string,
    message: string,
    failedAt: Date,
  ): Promise<void> {
    await this.outbox.publish(manager, ChannelRefundFailed, {
      ...factsOf(row),
      failureCode: code.slice(0, 64),
      failureMessage: message.slice(0, 512),
      failedAt: failedAt.toISOString(),
    });
  }
}

async function lockRefund(
  manager: EntityManager,
  where: { refundId: string; channel?: string },
): Promise<ChannelRefundEntity | null> {
  const query = manager
    .getRepository(ChannelRefundEntity)
    .createQueryBuilder('refund')
    .setLock('pessimistic_write')
    .where('refund.refund_id = :refundId', { refundId: where.refundId });
  if (where.channel) query.andWhere('refund.channel = :channel', { channel: where.channel });
  return query.getOne();
}

/** The facts every channel refund event carries. */
function factsOf(row: ChannelRefundEntity) {
  return {
    refundId: row.refundId,
    paymentId: row.paymentId,
    merchantId: row.merchantId,
    transactionId: row.transactionId,
    kind: row.kind as RefundRequest['kind'],
    channel: row.channel as ChannelCode,
    ...(row.channelAccountId ? { channelAccountId: row.channelAccountId } : {}),
    amount: { amountMinor: row.amountMinor, currency: row.currency as CurrencyCode },
  };
}

export function viewOf(row: ChannelRefundEntity): ChannelRefundView {
  return {
    refundId: row.refundId,
    transactionId: row.transactionId,
    paymentId: row.paymentId,
    merchantId: row.merchantId,
    channel: row.channel,
    channelAccountId: row.channelAccountId,
    kind: row.kind,
    amount: { amountMinor: row.amountMinor, currency: row.currency },
    reason: row.reason,
    status: row.status as ChannelRefundStatus,
    stage: row.stage as RefundStage,
    attempts: row.attempts,
    nextAttemptAt: row.status === 'PENDING' ? row.nextAttemptAt.toISOString() : null,
    lastError: row.lastError,
    channelRefundNo: row.channelRefundNo,
    channelTradeNo: row.channelTradeNo,
    confirmedBy: row.confirmedBy as RefundConfirmedBy | null,
    failureCode: row.failureCode,
    failureMessage: row.failureMessage,
    refundedAt: row.refundedAt?.toISOString() ?? null,
    businessDate: row.businessDate,
    requestedAt: row.requestedAt.toISOString(),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
