import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { newId } from '@paylab/ids';
import { AppError } from '@paylab/platform';
import type { CurrencyCode } from '@paylab/money';
import type { DataSource, EntityManager } from 'typeorm';
import { In, IsNull } from 'typeorm';
import { PlatformRefundEntity } from '../platform-transactions/platform-refund.entity';
import { PlatformTransactionEntity } from '../platform-transactions/platform-transaction.entity';
import {
  countByOutcome,
  isBreak,
  parseStatement,
  previousBusinessDate,
  reconcile,
  ReconError,
  type PlatformRecord,
  type PlatformRefundRecord,
  type ReconChannel,
  type ReconOutcome,
  type ReconResult,
  type StatementFormat,
  type StatementLine,
} from './domain';
import { DiscrepancyEntity, ReconResultEntity, ReconRunEntity } from './recon-run.entities';

export const CROSS_DAY_WINDOW_MINUTES = Symbol('CROSS_DAY_WINDOW_MINUTES');

export interface CreateReconRunRequest {
  channel: ReconChannel;
  /** Scope the run to one channel account (cha_…): its statement against its records only. */
  channelAccountId?: string;
  businessDate: string;
  statement: { format: StatementFormat; contentBase64: string };
}

export interface MoneyView {
  amountMinor: number;
  currency: string;
}

export interface StatementSideView {
  lineNo: number;
  channelTradeNo: string;
  merchantOrderNo: string | null;
  paymentId: string | null;
  refundNo: string | null;
  refundRequestNo: string | null;
  amount: MoneyView;
  status: string;
  paidAt: string;
  feeMinor: number | null;
}

export interface PlatformSideView {
  /** Set when the platform side is a refund (ref_…). */
  refundId?: string;
  transactionId: string;
  paymentId: string;
  channelTradeNo: string;
  amount: MoneyView;
  status: string;
  paidAt: string;
  businessDate: string;
}

export interface ReconRunView {
  id: string;
  channel: string;
  channelAccountId: string | null;
  businessDate: string;
  status: string;
  crossDayWindowMinutes: number;
  statement: { id: string; format: string; sha256: string; lineCount: number };
  counts: Record<ReconOutcome, number>;
  discrepancyCount: number;
  createdAt: string;
}

export interface DiscrepancyView {
  id: string;
  runId: string;
  type: string;
  status: string;
  channel: string;
  businessDate: string;
  channelTradeNo: string;
  detail: string | null;
  statement: StatementSideView | null;
  platform: PlatformSideView | null;
  createdAt: string;
}

export interface DiscrepancyPage {
  data: DiscrepancyView[];
  hasMore: boolean;
  nextCursor: string | null;
}

class ReconRunNotFound extends Error {
  readonly code = 'RECON_RUN.NOT_FOUND';
  constructor(id: string) {
    super(`No recon run ${id}.`);
    this.name = 'ReconRunNotFound';
  }
}

/** Postgres allows 65 535 bind parameters per statement; results have 11 columns. */
const INSERT_CHUNK = 1_000;

function statementSide(line: StatementLine): StatementSideView {
  return {
    lineNo: line.lineNo,
    channelTradeNo: line.channelTradeNo,
    merchantOrderNo: line.merchantOrderNo ?? null,
    paymentId: line.paymentId ?? null,
    refundNo: line.refundNo ?? null,
    refundRequestNo: line.refundRequestNo ?? null,
    amount: { amountMinor: line.amountMinor, currency: line.currency },
    status: line.status,
    paidAt: line.paidAt.toISOString(),
    feeMinor: line.feeMinor ?? null,
  };
}

function platformSide(record: PlatformRecord): PlatformSideView {
  return {
    transactionId: record.transactionId,
    paymentId: record.paymentId,
    channelTradeNo: record.channelTradeNo,
    amount: { amountMinor: record.amountMinor, currency: record.currency },
    status: record.status,
    paidAt: record.paidAt.toISOString(),
    businessDate: record.businessDate,
  };
}

function refundSide(refund: PlatformRefundRecord): PlatformSideView {
  return {
    refundId: refund.refundId,
    transactionId: refund.transactionId,
    paymentId: refund.paymentId,
    channelTradeNo: refund.channelTradeNo,
    amount: { amountMinor: refund.amountMinor, currency: refund.currency },
    status: 'REFUNDED',
    paidAt: refund.refundedAt.toISOString(),
    businessDate: refund.businessDate,
  };
}

function platformSideOf(result: ReconResult): PlatformSideView | null {
  if (result.platformRefund) return refundSide(result.platformRefund);
  return result.platformRecord ? platformSide(result.platformRecord) : null;
}

function toPlatformRefund(row: PlatformRefundEntity): PlatformRefundRecord {
  return {
    refundId: row.refundId,
    transactionId: row.transactionId,
    paymentId: row.paymentId,
    channel: row.channel as ReconChannel,
    channelAccountId: row.channelAccountId,
    channelTradeNo: row.channelTradeNo,
    channelRefundNo: row.channelRefundNo,
    amountMinor: row.amountMinor,
    currency: row.currency as CurrencyCode,
    refundedAt: row.refundedAt,
    businessDate: row.businessDate,
  };
}

function toPlatformRecord(row: PlatformTransactionEntity): PlatformRecord {
  return {
    transactionId: row.transactionId,
    paymentId: row.paymentId,
    channel: row.channel as ReconChannel,
    channelTradeNo: row.channelTradeNo,
    amountMinor: row.amountMinor,
    currency: row.currency as CurrencyCode,
    status: row.status as PlatformRecord['status'],
    paidAt: row.paidAt,
    businessDate: row.businessDate,
    channelAccountId: row.channelAccountId,
  };
}

/**
 * The request was validated before the matcher ran, so a broken matcher precondition here means
 * our own stored data is inconsistent: a 500 (api_error), never the client's 400.
 */
function asInternalFault<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof ReconError && error.code === 'RECON.INVALID_INPUT') {
      throw new AppError('api_error', 'RECON.INCONSISTENT_DATA', error.message);
    }
    throw error;
  }
}

async function insertChunked<T extends object>(
  manager: EntityManager,
  entity: new () => T,
  rows: T[],
): Promise<void> {
  for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
    await manager.insert(entity, rows.slice(start, start + INSERT_CHUNK) as never);
  }
}

/**
 * Recon runs (对账): parse the uploaded statement, match it against the projection, store the run,
 * one result per record and one OPEN discrepancy (差错) per break, all in one transaction. A
 * statement that does not parse stores nothing.
 */
@Injectable()
export class ReconRuns {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CROSS_DAY_WINDOW_MINUTES) private readonly crossDayWindowMinutes: number,
  ) {}

  async create(request: CreateReconRunRequest): Promise<ReconRunView> {
    const bytes = Buffer.from(request.statement.contentBase64, 'base64');
    // Parsing happens before any write, so a malformed file leaves no trace.
    const lines = parseStatement(request.statement.format, request.channel, bytes);
    const runId = newId('rcn');
    const createdAt = new Date();

    await this.dataSource.transaction(async (manager) => {
      // Scoped to one channel account, the platform side is that account's records only: the
      // statement is that account's bill, and the other accounts' records are not on it.
      const scope = {
        channel: request.channel,
        businessDate: request.businessDate,
        ...(request.channelAccountId ? { channelAccountId: request.channelAccountId } : {}),
      };
      const platformRecords = (await manager.findBy(PlatformTransactionEntity, scope)).map(
        toPlatformRecord,
      );
      const platformRefunds = (await manager.findBy(PlatformRefundEntity, scope)).map(
        toPlatformRefund,
      );
      const suspended = await this.suspendedFromPreviousDay(manager, request);
      const results = asInternalFault(() =>
        reconcile({
          channel: request.channel,
          businessDate: request.businessDate,
          statementLines: lines,
          platformRecords,
          platformRefunds,
          suspended,
          crossDayWindowMinutes: this.crossDayWindowMinutes,
        }),
      );

      await manager.insert(ReconRunEntity, {
        id: runId,
        channel: request.channel,
        channelAccountId: request.channelAccountId ?? null,
        businessDate: request.businessDate,
        status: 'COMPLETED',
        statementId: newId('stm'),
        statementFormat: request.statement.format,
        statementSha256: createHash('sha256').update(bytes).digest('hex'),
        statementLineCount: lines.length,
        crossDayWindowMinutes: this.crossDayWindowMinutes,
        createdAt,
      });
      await insertChunked(
        manager,
        ReconResultEntity,
        results.map((result, seq) => this.resultRow(runId, seq, result)),
      );
      const discrepancies: DiscrepancyEntity[] = [];
      results.forEach((result, seq) => {
        if (!isBreak(result.outcome)) return;
        discrepancies.push(
          Object.assign(new DiscrepancyEntity(), {
            id: newId('dsc'),
            runId,
            resultSeq: seq,
            type: result.outcome,
            status: 'OPEN',
            channel: request.channel,
            businessDate: request.businessDate,
            channelTradeNo: result.channelTradeNo,
            statementSide: result.statementLine ? statementSide(result.statementLine) : null,
            platformSide: platformSideOf(result),
            detail: result.detail,
            createdAt,
          }),
        );
      });
      await insertChunked(manager, DiscrepancyEntity, discrepancies);
    });
    return this.find(runId);
  }

  /**
   * The records the latest run of the previous business date held as CROSS_DAY, read fresh from
   * the projection. When that day has not been reconciled yet there is no suspense to carry.
   */
  private async suspendedFromPreviousDay(
    manager: EntityManager,
    request: CreateReconRunRequest,
  ): Promise<PlatformRecord[]> {
    const previousRun = await manager.findOne(ReconRunEntity, {
      where: {
        channel: request.channel,
        businessDate: previousBusinessDate(request.businessDate),
        channelAccountId: request.channelAccountId ?? IsNull(),
      },
      order: { id: 'DESC' },
    });
    if (!previousRun) return [];
    const held = await manager.find(ReconResultEntity, {
      where: { runId: previousRun.id, outcome: 'CROSS_DAY' },
    });
    const ids = held.map((row) => row.transactionId).filter((id): id is string => id !== null);
    if (ids.length === 0) return [];
    return (await manager.findBy(PlatformTransactionEntity, { transactionId: In(ids) })).map(
      toPlatformRecord,
    );
  }

  private resultRow(runId: string, seq: number, result: ReconResult): ReconResultEntity {
    return Object.assign(new ReconResultEntity(), {
      runId,
      seq,
      outcome: result.outcome,
      channelTradeNo: result.channelTradeNo,
      statementLineNo: result.statementLine?.lineNo ?? null,
      statementLine: result.statementLine ? statementSide(result.statementLine) : null,
      transactionId:
        result.platformRecord?.transactionId ?? result.platformRefund?.transactionId ?? null,
      refundId: result.platformRefund?.refundId ?? null,
      platformRecord: platformSideOf(result),
      detail: result.detail,
      duplicateOfLineNo: result.duplicateOfLineNo,
      carriedFromBusinessDate: result.carriedFromBusinessDate,
    });
  }

  async find(runId: string): Promise<ReconRunView> {
    const run = await this.dataSource.manager.findOneBy(ReconRunEntity, { id: runId });
    if (!run) throw new ReconRunNotFound(runId);
    const grouped = (await this.dataSource.manager.query(
      `SELECT outcome, count(*)::int AS n FROM recon_results WHERE run_id = $1 GROUP BY outcome`,
      [runId],
    )) as Array<{ outcome: ReconOutcome; n: number }>;
    const counts = countByOutcome([]);
    for (const row of grouped) counts[row.outcome] = row.n;
    const discrepancyCount = await this.dataSource.manager.countBy(DiscrepancyEntity, { runId });
    return {
      id: run.id,
      channel: run.channel,
      channelAccountId: run.channelAccountId,
      businessDate: run.businessDate,
      status: run.status,
      crossDayWindowMinutes: run.crossDayWindowMinutes,
      statement: {
        id: run.statementId,
        format: run.statementFormat,
        sha256: run.statementSha256,
        lineCount: run.statementLineCount,
      },
      counts,
      discrepancyCount,
      createdAt: run.createdAt.toISOString(),
    };
  }

  /** Cursor pagination in id order (ids are time-sortable), `startingAfter` a discrepancy id. */
  async discrepancies(
    runId: string,
    page: { limit: number; startingAfter?: string },
  ): Promise<DiscrepancyPage> {
    const exists = await this.dataSource.manager.existsBy(ReconRunEntity, { id: runId });
    if (!exists) throw new ReconRunNotFound(runId);
    const query = this.dataSource.manager
      .createQueryBuilder(DiscrepancyEntity, 'd')
      .where('d.run_id = :runId', { runId })
      .orderBy('d.id', 'ASC')
      .limit(page.limit + 1);
    if (page.startingAfter) query.andWhere('d.id > :after', { after: page.startingAfter });
    const rows = await query.getMany();
    const data = rows.slice(0, page.limit).map((row) => ({
      id: row.id,
      runId: row.runId,
      type: row.type,
      status: row.status,
      channel: row.channel,
      businessDate: row.businessDate,
      channelTradeNo: row.channelTradeNo,
      detail: row.detail,
      statement: (row.statementSide ?? null) as StatementSideView | null,
      platform: (row.platformSide ?? null) as PlatformSideView | null,
      createdAt: row.createdAt.toISOString(),
    }));
    const hasMore = rows.length > page.limit;
    return { data, hasMore, nextCursor: hasMore ? data[data.length - 1].id : null };
  }
}
