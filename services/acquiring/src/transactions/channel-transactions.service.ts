import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ChannelPaymentClosed, ChannelPaymentSucceeded } from '@paylab/contracts';
import { newId } from '@paylab/ids';
import { Outbox } from '@paylab/messaging';
import { Money, MoneyError, type CurrencyCode } from '@paylab/money';
import { type PaylabLogger, ROOT_LOGGER } from '@paylab/platform';
import type { DataSource, EntityManager } from 'typeorm';
import {
  ChannelError,
  type ChannelAdapter,
  type ChannelCode,
  type ChannelTradeSnapshot,
} from '../channels/channel-adapter';
import { ChannelAdapters } from '../channels/channel-adapters';
import { DomainError } from '../shared/domain-error';
import { ChannelTransactionEntity } from './channel-transaction.entity';
import {
  checkChargeReplay,
  checkChargeTerms,
  type ChargeTerms,
  type ConfirmedBy,
  decideCloseRequest,
  decideQueryAction,
  decideSettlement,
  type PaymentReport,
  type TransactionStatus,
  tradeAlreadyPaid,
} from './domain/channel-transaction';

export const ACQUIRING_SETTINGS = Symbol('ACQUIRING_SETTINGS');

export interface AcquiringSettings {
  activeQueryIntervalMs: number;
  activeQueryAfterMs: number;
}

export interface ChargeView {
  transactionId: string;
  channel: string;
  qrPayload: string;
}

export interface TransactionView {
  id: string;
  paymentId: string;
  merchantId: string;
  channel: string;
  channelAccountId: string | null;
  outTradeNo: string;
  channelTradeNo: string | null;
  amount: { amountMinor: number; currency: string };
  status: TransactionStatus;
  confirmedBy: ConfirmedBy | null;
  qrPayload: string;
  paidAt: string | null;
  businessDate: string | null;
  expiresAt: string;
  closedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ChargeInput {
  paymentId: string;
  merchantId: string;
  channel: ChannelCode;
  /** Routing's chosen account (cha_…); absent: the channel's default account. */
  channelAccountId?: string;
  amount: { amountMinor: number; currency: string };
  subject: string;
  expiresAt: Date;
}

/** What a requested close did (CloseCharge). */
export interface CloseOutcome {
  outcome: 'CLOSED' | 'NOT_CHARGED';
  transactionId: string | null;
}

/** What settling did: the first confirmation, or one that had no effect. */
export type SettleOutcome = 'SETTLED' | 'DUPLICATE';

/**
 * Channel transactions (渠道交易): charging at a channel, and settling them exactly once — from a
 * verified callback or an active query (主动查询) — with ChannelPaymentSucceeded written to the
 * outbox in the same database transaction as the status change.
 */
@Injectable()
export class ChannelTransactions {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly adapters: ChannelAdapters,
    @Inject(ACQUIRING_SETTINGS) private readonly settings: AcquiringSettings,
    @Inject(ROOT_LOGGER) private readonly logger: PaylabLogger,
  ) {}

  /**
   * Charges a payment at its channel (QR precreate). The channel is asked first and the row is
   * written after: precreate is idempotent per out_trade_no (the payment id), so a retry after a
   * crash in between gets the same QR, and a QR nobody received can never be paid. A repeat for
   * the same payment returns the transaction already recorded without asking the channel again.
   */
  async charge(input: ChargeInput): Promise<ChargeView> {
    const account = await this.adapters.account(input.channel, input.channelAccountId);
    const adapter = account.adapter;
    const terms: ChargeTerms = { ...input, amount: toMoney(input.amount) };
    checkChargeTerms(terms, new Date());
    const repository = this.dataSource.getRepository(ChannelTransactionEntity);
    const existing = await repository.findOneBy({ paymentId: input.paymentId });
    if (existing) {
      checkChargeReplay(existing, terms);
      return chargeViewOf(existing);
    }
    const result = await adapter.charge({
      outTradeNo: input.paymentId,
      amount: terms.amount,
      subject: input.subject,
      expiresAt: input.expiresAt,
    });
    const now = new Date();
    await repository
      .createQueryBuilder()
      .insert()
      .values({
        id: newId('txn'),
        paymentId: input.paymentId,
        merchantId: input.merchantId,
        channel: input.channel,
        channelAccountId: account.accountId,
        outTradeNo: input.paymentId,
        channelTradeNo: null,
        amountMinor: terms.amount.amountMinor,
        currency: terms.amount.currency,
        subject: input.subject,
        qrPayload: result.qrPayload,
        status: 'PENDING',
        confirmedBy: null,
        paidAt: null,
        businessDate: null,
        expiresAt: input.expiresAt,
        nextQueryAt: new Date(now.getTime() + this.settings.activeQueryAfterMs),
        closedAt: null,
        createdAt: now,
        updatedAt: now,
      })
      .orIgnore()
      .execute();
    // A concurrent charge of the same payment may have won the insert: answer with its row.
    const row = await repository.findOneByOrFail({ paymentId: input.paymentId });
    checkChargeReplay(row, terms);
    return chargeViewOf(row);
  }

  async find(id: string): Promise<TransactionView> {
    const row = await this.dataSource.getRepository(ChannelTransactionEntity).findOneBy({ id });
    if (!row) throw notFound(id);
    return viewOf(row);
  }

  /**
   * Settles a transaction on the channel's report that it is paid. Call inside a transaction;
   * the row is locked, so concurrent callbacks and queries take turns and only the first has an
   * effect. Throws SETTLEMENT.* when the report disagrees with the record.
   */
  async settleLocked(
    manager: EntityManager,
    row: ChannelTransactionEntity,
    report: PaymentReport,
    confirmedBy: ConfirmedBy,
  ): Promise<SettleOutcome> {
    const decision = decideSettlement(
      {
        status: row.status as TransactionStatus,
        amountMinor: row.amountMinor,
        currency: row.currency,
        channelTradeNo: row.channelTradeNo,
      },
      report,
    );
    if (decision.kind === 'duplicate') return 'DUPLICATE';
    if (row.status === 'CLOSED') {
      this.logger.warn(
        { transactionId: row.id, channelTradeNo: decision.channelTradeNo },
        'channel reports a closed transaction as paid; recording the payment',
      );
    }
    await manager.update(
      ChannelTransactionEntity,
      { id: row.id },
      {
        status: 'SUCCEEDED',
        channelTradeNo: decision.channelTradeNo,
        confirmedBy,
        paidAt: decision.paidAt,
        businessDate: decision.businessDate,
        updatedAt: new Date(),
      },
    );
    await this.outbox.publish(manager, ChannelPaymentSucceeded, {
      transactionId: row.id,
      paymentId: row.paymentId,
      merchantId: row.merchantId,
      channel: row.channel as ChannelCode,
      ...(row.channelAccountId ? { channelAccountId: row.channelAccountId } : {}),
      channelTradeNo: decision.channelTradeNo,
      amount: { amountMinor: row.amountMinor, currency: row.currency as CurrencyCode },
      paidAt: decision.paidAt.toISOString(),
      businessDate: decision.businessDate,
      confirmedBy,
    });
    this.logger.info(
      { transactionId: row.id, paymentId: row.paymentId, confirmedBy },
      'channel transaction succeeded',
    );
    return 'SETTLED';
  }

  /** Locks a transaction by the channel's reference to it (out_trade_no). */
  async lockByOutTradeNo(
    manager: EntityManager,
    channel: string,
    outTradeNo: string,
  ): Promise<ChannelTransactionEntity | null> {
    return manager
      .getRepository(ChannelTransactionEntity)
      .createQueryBuilder('txn')
      .setLock('pessimistic_write')
      .where('txn.channel = :channel AND txn.out_trade_no = :outTradeNo', { channel, outTradeNo })
      .getOne();
  }

  /**
   * Active query (主动查询) of one transaction: asks the channel and acts on the answer exactly as
   * a callback would — paid → SUCCEEDED (confirmedBy ACTIVE_QUERY) — and keeps asking until the
   * channel's own deadline has passed; then it closes the trade at the channel and only after
   * that records CLOSED, with ChannelPaymentClosed(EXPIRED) in the same database transaction.
   * Harmless to run twice at once: every change re-reads the row under a lock and applies only
   * to a PENDING transaction.
   */
  async queryAndApply(id: string): Promise<TransactionView> {
    const row = await this.dataSource.getRepository(ChannelTransactionEntity).findOneBy({ id });
    if (!row) throw notFound(id);
    if (row.status !== 'PENDING') return viewOf(row);
    const adapter = await this.adapters.adapterFor(row);
    const snapshot = await adapter.query(row.outTradeNo);
    const action = decideQueryAction(snapshot.status, row.expiresAt, new Date());
    if (action === 'settle') return this.applyPaid(id, snapshot);
    if (action === 'wait') return viewOf(row);
    const paid = await this.closeAtChannel(adapter, row.outTradeNo);
    if (paid) return this.applyPaid(id, paid);
    return this.recordClosed(id, 'EXPIRED');
  }

  /**
   * A requested close (关单) before cashier closes the order (CloseCharge): the trade is closed at
   * the channel first, then recorded CLOSED with ChannelPaymentClosed(CLOSE_REQUESTED). A payment
   * never charged is NOT_CHARGED; one the channel reports paid (the close is refused, or the
   * transaction is already SUCCEEDED) is settled as an active query would and refused with
   * CHANNEL.TRADE_ALREADY_PAID, so the order stays open for the payment on its way.
   */
  async closeCharge(paymentId: string, merchantId: string): Promise<CloseOutcome> {
    const row = await this.dataSource
      .getRepository(ChannelTransactionEntity)
      .findOneBy({ paymentId, merchantId });
    if (!row) return { outcome: 'NOT_CHARGED', transactionId: null };
    if (decideCloseRequest(row.status as TransactionStatus) === 'already-closed') {
      return { outcome: 'CLOSED', transactionId: row.id };
    }
    const adapter = await this.adapters.adapterFor(row);
    const paid = await this.closeAtChannel(adapter, row.outTradeNo);
    if (paid) {
      await this.applyPaid(row.id, paid);
      throw tradeAlreadyPaid();
    }
    const view = await this.recordClosed(row.id, 'CLOSE_REQUESTED');
    // A callback settled it between our read and the close: the payment wins.
    if (view.status === 'SUCCEEDED') throw tradeAlreadyPaid();
    return { outcome: 'CLOSED', transactionId: row.id };
  }

  /**
   * Closes a trade at the channel. Returns null once it is closed, or the channel's snapshot of
   * the payment if the payer paid before the close arrived.
   */
  private async closeAtChannel(
    adapter: ChannelAdapter,
    outTradeNo: string,
  ): Promise<ChannelTradeSnapshot | null> {
    try {
      await adapter.close(outTradeNo);
      return null;
    } catch (error) {
      if (!(error instanceof ChannelError && error.code === 'CHANNEL.TRADE_ALREADY_PAID')) {
        throw error;
      }
      const snapshot = await adapter.query(outTradeNo);
      if (snapshot.status !== 'SUCCEEDED') {
        throw new ChannelError(
          'CHANNEL.INVALID_RESPONSE',
          `The channel refused to close ${outTradeNo} as paid, but its query reads ${snapshot.status}.`,
        );
      }
      return snapshot;
    }
  }

  /** Settles a transaction from a query's answer that it is paid (confirmedBy ACTIVE_QUERY). */
  private async applyPaid(id: string, snapshot: ChannelTradeSnapshot): Promise<TransactionView> {
    return this.dataSource.transaction(async (manager) => {
      const row = await this.lockById(manager, id);
      if (row.status === 'SUCCEEDED') return viewOf(row);
      await this.settleLocked(
        manager,
        row,
        {
          channelTradeNo: snapshot.channelTradeNo!,
          amount: snapshot.amount!,
          paidAt: snapshot.paidAt!,
        },
        'ACTIVE_QUERY',
      );
      return viewOf(await manager.getRepository(ChannelTransactionEntity).findOneByOrFail({ id }));
    });
  }

  /** Records a trade closed at the channel, with ChannelPaymentClosed, if it is still PENDING. */
  private async recordClosed(
    id: string,
    reason: 'EXPIRED' | 'CLOSE_REQUESTED',
  ): Promise<TransactionView> {
    return this.dataSource.transaction(async (manager) => {
      const row = await this.lockById(manager, id);
      if (row.status !== 'PENDING') return viewOf(row);
      const now = new Date();
      await manager.update(
        ChannelTransactionEntity,
        { id },
        { status: 'CLOSED', closedAt: now, updatedAt: now },
      );
      await this.outbox.publish(manager, ChannelPaymentClosed, {
        transactionId: row.id,
        paymentId: row.paymentId,
        merchantId: row.merchantId,
        channel: row.channel as ChannelCode,
        ...(row.channelAccountId ? { channelAccountId: row.channelAccountId } : {}),
        reason,
        closedAt: now.toISOString(),
      });
      this.logger.info(
        { transactionId: id, paymentId: row.paymentId, reason },
        'channel transaction closed',
      );
      return viewOf(await manager.getRepository(ChannelTransactionEntity).findOneByOrFail({ id }));
    });
  }

  private async lockById(manager: EntityManager, id: string): Promise<ChannelTransactionEntity> {
    return manager
      .getRepository(ChannelTransactionEntity)
      .createQueryBuilder('txn')
      .setLock('pessimistic_write')
      .where('txn.id = :id', { id })
      .getOneOrFail();
  }

  /**
   * Claims PENDING transactions whose next query is due, for this worker alone: FOR UPDATE SKIP
   * LOCKED means two replicas never take the same row, and moving next_query_at one interval
   * ahead is both the lease (a crash mid-query just makes it due again) and the schedule.
   */
  async claimDueQueries(limit: number): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `WITH "claimed" AS (
         UPDATE "channel_transactions"
         SET "next_query_at" = now() + ($1::float8 * interval '1 millisecond')
         WHERE "id" IN (
           SELECT "id" FROM "channel_transactions"
           WHERE "status" = 'PENDING' AND "next_query_at" <= now()
           ORDER BY "next_query_at", "id" LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING "id")
       SELECT "id" FROM "claimed"`,
      [this.settings.activeQueryIntervalMs, limit],
    );
    return rows.map((row) => row.id);
  }
}

function toMoney(amount: ChargeInput['amount']): Money {
  try {
    return Money.of(amount.amountMinor, amount.currency as CurrencyCode);
  } catch (error) {
    if (!(error instanceof MoneyError)) throw error;
    const unknownCurrency = error.code === 'MONEY.UNKNOWN_CURRENCY';
    throw new DomainError(
      unknownCurrency ? 'CHARGE.UNSUPPORTED_CURRENCY' : 'CHARGE.INVALID_AMOUNT',
      error.message,
      unknownCurrency ? 'amount.currency' : 'amount.amountMinor',
    );
  }
}

function notFound(id: string): DomainError {
  return new DomainError('TRANSACTION.NOT_FOUND', `No channel transaction ${id}.`);
}

function chargeViewOf(row: ChannelTransactionEntity): ChargeView {
  return { transactionId: row.id, channel: row.channel, qrPayload: row.qrPayload };
}

export function viewOf(row: ChannelTransactionEntity): TransactionView {
  return {
    id: row.id,
    paymentId: row.paymentId,
    merchantId: row.merchantId,
    channel: row.channel,
    channelAccountId: row.channelAccountId,
    outTradeNo: row.outTradeNo,
    channelTradeNo: row.channelTradeNo,
    amount: { amountMinor: row.amountMinor, currency: row.currency },
    status: row.status as TransactionStatus,
    confirmedBy: row.confirmedBy as ConfirmedBy | null,
    qrPayload: row.qrPayload,
    paidAt: row.paidAt?.toISOString() ?? null,
    businessDate: row.businessDate,
    expiresAt: row.expiresAt.toISOString(),
    closedAt: row.closedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
