import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  SETTLEMENT_ITEMS_PAGE_LIMIT,
  type RequestOf,
  type ResponseOf,
  type SettlementQuery,
} from '@paylab/contracts';
import { Money, type CurrencyCode } from '@paylab/money';
import type { DataSource } from 'typeorm';
import { settlementSchema } from '../config';
import { ledgerAccount, normalSideOf } from '../ledger/domain';
import { MerchantQueryError } from './domain/merchant-query-error';
import { decodeSettlementCursor, encodeSettlementCursor } from './domain/settlement-cursor';
import {
  renderSettlementStatement,
  statementFileName,
  statementItemsMatchTotals,
  type StatementBatch,
  type StatementItem,
} from './domain/settlement-statement';

type Request<Q extends string> = Extract<RequestOf<typeof SettlementQuery>, { query: Q }>;
type Response<Q extends string> = Extract<ResponseOf<typeof SettlementQuery>, { query: Q }>;
type SettlementView = Response<'LIST_SETTLEMENTS'>['data'][number];
type SettlementItemView = Response<'GET_SETTLEMENT'>['settlement']['items'][number];

/**
 * The most items a statement file may hold: the file travels back to cashier in one Kafka reply,
 * and the broker's default message limit is 1 MB (about 190 bytes a row). A larger batch needs a
 * file store; until then it is refused with SETTLEMENT.STATEMENT_TOO_LARGE rather than truncated.
 */
export const STATEMENT_MAX_ITEMS = 4_000;

const T = (table: string) => `"${settlementSchema}"."${table}"`;

/** The batch columns a view needs, with its latest payout (highest attempt) beside it. */
const BATCH_SELECT = `
  SELECT b.id, b.merchant_id, b.settlement_date::text AS settlement_date, b.currency, b.state,
         b.cycle, b.item_count, b.items_through_seq::text AS items_through_seq,
         b.due_through::text AS due_through,
         b.prev_items_through_seq::text AS prev_items_through_seq,
         b.prev_due_through::text AS prev_due_through,
         b.gross_minor::text AS gross_minor, b.fee_minor::text AS fee_minor,
         b.refund_minor::text AS refund_minor, b.items_net_minor::text AS items_net_minor,
         b.reserve_held_minor::text AS reserve_held_minor,
         b.reserve_released_minor::text AS reserve_released_minor,
         b.carried_in_minor::text AS carried_in_minor, b.net_minor::text AS net_minor,
         b.failure_code, b.failure_message, b.created_at, b.paid_at,
         p.id AS payout_id, p.request_no AS payout_request_no, p.state AS payout_state,
         p.amount_minor::text AS payout_amount_minor, p.bank_txn_no AS payout_bank_txn_no,
         p.failure_code AS payout_failure_code, p.failure_message AS payout_failure_message
    FROM ${T('settlement_batches')} b
    LEFT JOIN LATERAL (
      SELECT * FROM ${T('payouts')} p WHERE p.batch_id = b.id ORDER BY p.attempt DESC LIMIT 1
    ) p ON true`;

interface BatchRow {
  id: string;
  merchant_id: string;
  settlement_date: string;
  currency: string;
  state: SettlementView['state'];
  cycle: string;
  item_count: number;
  items_through_seq: string;
  due_through: string;
  prev_items_through_seq: string;
  prev_due_through: string | null;
  gross_minor: string;
  fee_minor: string;
  refund_minor: string;
  items_net_minor: string;
  reserve_held_minor: string;
  reserve_released_minor: string;
  carried_in_minor: string;
  net_minor: string;
  failure_code: string | null;
  failure_message: string | null;
  created_at: Date;
  paid_at: Date | null;
  payout_id: string | null;
  payout_request_no: string | null;
  payout_state: NonNullable<SettlementView['payout']>['state'] | null;
  payout_amount_minor: string | null;
  payout_bank_txn_no: string | null;
  payout_failure_code: string | null;
  payout_failure_message: string | null;
}

interface ItemRow {
  kind: SettlementItemView['kind'];
  payment_id: string;
  refund_id: string | null;
  transaction_id: string;
  business_date: string;
  occurred_at: Date;
  gross_minor: string;
  fee_minor: string;
  refund_minor: string;
  net_minor: string;
}

/**
 * A merchant's own money as settlement sees it, read for the merchant Open API (through cashier):
 * its balances from the ledger, its batches (结算批次) with their latest payout, one batch with its
 * items, and the batch's statement file. Every read is filtered by the merchant id cashier took
 * from the verified signature; another merchant's batch is simply not found.
 */
@Injectable()
export class MerchantSettlements {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Balances per currency on the liabilities' normal (credit) side, in one query over the four
   * payable accounts. A merchant with no postings gets an empty list: there is no currency to
   * report, and inventing CNY zeros would claim an account the merchant never had.
   */
  async balance(request: Request<'BALANCE'>): Promise<Response<'BALANCE'>> {
    const accounts = {
      pending: ledgerAccount('MERCHANT_PAYABLE_PENDING', request.merchantId),
      available: ledgerAccount('MERCHANT_PAYABLE_AVAILABLE', request.merchantId),
      reserved: ledgerAccount('MERCHANT_RESERVE', request.merchantId),
      inTransit: ledgerAccount('MERCHANT_PAYABLE_IN_TRANSIT', request.merchantId),
    };
    const rows = (await this.dataSource.query(
      `SELECT account, currency,
              COALESCE(SUM(amount_minor) FILTER (WHERE side = 'DEBIT'), 0)::text AS debits,
              COALESCE(SUM(amount_minor) FILTER (WHERE side = 'CREDIT'), 0)::text AS credits
         FROM ${T('journal_lines')}
        WHERE account = ANY($1)
        GROUP BY account, currency
        ORDER BY currency`,
      [Object.values(accounts)],
    )) as Array<{ account: string; currency: string; debits: string; credits: string }>;
    type Buckets = Record<keyof typeof accounts, Money>;
    const byCurrency = new Map<CurrencyCode, Buckets>();
    for (const row of rows) {
      const currency = row.currency as CurrencyCode;
      const zero = Money.zero(currency);
      const buckets = byCurrency.get(currency) ?? {
        pending: zero,
        available: zero,
        reserved: zero,
        inTransit: zero,
      };
      const debits = toMoney(row.debits, currency);
      const credits = toMoney(row.credits, currency);
      const signed =
        normalSideOf(row.account) === 'CREDIT'
          ? credits.subtract(debits)
          : debits.subtract(credits);
      const bucket = (Object.keys(accounts) as Array<keyof typeof accounts>).find(
        (key) => accounts[key] === row.account,
      )!;
      buckets[bucket] = buckets[bucket].add(signed);
      byCurrency.set(currency, buckets);
    }
    return {
      query: 'BALANCE',
      balance: {
        merchantId: request.merchantId,
        balances: [...byCurrency.entries()].map(([currency, buckets]) => ({
          currency,
          pending: buckets.pending.toJSON(),
          available: buckets.available.toJSON(),
          reserved: buckets.reserved.toJSON(),
          inTransit: buckets.inTransit.toJSON(),
        })),
        asOf: new Date().toISOString(),
      },
    };
  }

  /** Newest first by (settlement date, id), one page after the cursor's key (keyset pagination). */
  async list(request: Request<'LIST_SETTLEMENTS'>): Promise<Response<'LIST_SETTLEMENTS'>> {
    const after =
      request.cursor === undefined
        ? undefined
        : decodeSettlementCursor(request.merchantId, request.cursor);
    const conditions = ['b.merchant_id = $1'];
    const parameters: unknown[] = [request.merchantId];
    const bind = (value: unknown) => {
      parameters.push(value);
      return `$${parameters.length}`;
    };
    if (request.state !== undefined) conditions.push(`b.state = ${bind(request.state)}`);
    if (request.fromDate !== undefined)
      conditions.push(`b.settlement_date >= ${bind(request.fromDate)}::date`);
    if (request.toDate !== undefined)
      conditions.push(`b.settlement_date <= ${bind(request.toDate)}::date`);
    if (after) {
      conditions.push(
        `(b.settlement_date, b.id) < (${bind(after.settlementDate)}::date, ${bind(after.batchId)})`,
      );
    }
    const rows = (await this.dataSource.query(
      `${BATCH_SELECT}
        WHERE ${conditions.join(' AND ')}
        ORDER BY b.settlement_date DESC, b.id DESC
        LIMIT ${bind(request.limit + 1)}`,
      parameters,
    )) as BatchRow[];
    const page = rows.slice(0, request.limit);
    const hasMore = rows.length > request.limit;
    const last = page.at(-1);
    return {
      query: 'LIST_SETTLEMENTS',
      data: page.map(toSettlementView),
      hasMore,
      nextCursor:
        hasMore && last
          ? encodeSettlementCursor(request.merchantId, {
              settlementDate: last.settlement_date,
              batchId: last.id,
            })
          : null,
    };
  }

  async get(request: Request<'GET_SETTLEMENT'>): Promise<Response<'GET_SETTLEMENT'>> {
    const batch = await this.batchOf(request.merchantId, request.settlementId);
    const items = await this.itemsOf(batch, SETTLEMENT_ITEMS_PAGE_LIMIT + 1);
    return {
      query: 'GET_SETTLEMENT',
      settlement: {
        ...toSettlementView(batch),
        items: items
          .slice(0, SETTLEMENT_ITEMS_PAGE_LIMIT)
          .map((item) => toItemView(item, batch.currency as CurrencyCode)),
        itemsTruncated: items.length > SETTLEMENT_ITEMS_PAGE_LIMIT,
      },
    };
  }

  async statement(
    request: Request<'SETTLEMENT_STATEMENT'>,
  ): Promise<Response<'SETTLEMENT_STATEMENT'>> {
    const row = await this.batchOf(request.merchantId, request.settlementId);
    if (row.item_count > STATEMENT_MAX_ITEMS) {
      throw new MerchantQueryError(
        'SETTLEMENT.STATEMENT_TOO_LARGE',
        `This settlement has ${row.item_count} items; statement files of more than ` +
          `${STATEMENT_MAX_ITEMS} items are not available through the API yet.`,
      );
    }
    const items = (await this.itemsOf(row, STATEMENT_MAX_ITEMS + 1)).map(toStatementItem);
    const batch = toStatementBatch(row);
    if (!statementItemsMatchTotals(batch, items)) {
      throw new MerchantQueryError(
        'SETTLEMENT.STATEMENT_INCONSISTENT',
        'This settlement cannot be stated right now: its items do not add up to its totals. ' +
          'It has been reported to operations.',
      );
    }
    return {
      query: 'SETTLEMENT_STATEMENT',
      fileName: statementFileName(row.id),
      contentType: 'text/csv; charset=utf-8',
      content: renderSettlementStatement(batch, items),
    };
  }

  private async batchOf(merchantId: string, batchId: string): Promise<BatchRow> {
    const rows = (await this.dataSource.query(
      `${BATCH_SELECT} WHERE b.id = $1 AND b.merchant_id = $2`,
      [batchId, merchantId],
    )) as BatchRow[];
    if (rows.length === 0) {
      throw new MerchantQueryError(
        'SETTLEMENT.NOT_FOUND',
        `No settlement ${batchId} for this merchant.`,
        'id',
      );
    }
    return rows[0];
  }

  /**
   * The batch's items by its ownership predicate: within its bounds and not within the bounds of
   * the batch before it (a null prev_due_through means no batch before, so nothing is excluded).
   */
  private async itemsOf(batch: BatchRow, limit: number): Promise<ItemRow[]> {
    return (await this.dataSource.query(
      `SELECT kind, payment_id, refund_id, transaction_id, business_date::text AS business_date,
              occurred_at, gross_minor::text AS gross_minor, fee_minor::text AS fee_minor,
              refund_minor::text AS refund_minor, net_minor::text AS net_minor
         FROM ${T('settlement_items')}
        WHERE merchant_id = $1 AND currency = $2
          AND seq <= $3::bigint AND business_date <= $4::date
          AND NOT (seq <= $5::bigint AND business_date <= COALESCE($6::date, '-infinity'::date))
        ORDER BY seq
        LIMIT $7`,
      [
        batch.merchant_id,
        batch.currency,
        batch.items_through_seq,
        batch.due_through,
        batch.prev_items_through_seq,
        batch.prev_due_through,
        limit,
      ],
    )) as ItemRow[];
  }
}

function toSettlementView(row: BatchRow): SettlementView {
  const currency = row.currency as CurrencyCode;
  const money = (text: string) => toMoney(text, currency).toJSON();
  return {
    id: row.id,
    object: 'settlement',
    merchantId: row.merchant_id,
    settlementDate: row.settlement_date,
    state: row.state,
    cycle: row.cycle,
    itemCount: row.item_count,
    totals: {
      gross: money(row.gross_minor),
      fees: money(row.fee_minor),
      refunds: money(row.refund_minor),
      itemsNet: money(row.items_net_minor),
      reserveHeld: money(row.reserve_held_minor),
      reserveReleased: money(row.reserve_released_minor),
      carriedIn: money(row.carried_in_minor),
      net: money(row.net_minor),
    },
    payout:
      row.payout_id === null
        ? null
        : {
            id: row.payout_id,
            requestNo: row.payout_request_no!,
            state: row.payout_state!,
            amount: money(row.payout_amount_minor!),
            bankTxnNo: row.payout_bank_txn_no,
            failureCode: row.payout_failure_code,
            failureMessage: row.payout_failure_message,
          },
    failureCode: row.failure_code,
    failureMessage: row.failure_message,
    createdAt: row.created_at.toISOString(),
    paidAt: row.paid_at?.toISOString() ?? null,
  };
}

function toItemView(row: ItemRow, currency: CurrencyCode): SettlementItemView {
  const item = toStatementItem(row);
  return {
    kind: item.kind,
    paymentId: item.paymentId,
    refundId: item.refundId,
    transactionId: item.transactionId,
    businessDate: item.businessDate,
    occurredAt: item.occurredAt,
    // A batch is of one currency, and its items are selected by it.
    gross: { amountMinor: item.grossMinor, currency },
    fee: { amountMinor: item.feeMinor, currency },
    refund: { amountMinor: item.refundMinor, currency },
    net: { amountMinor: item.netMinor, currency },
  };
}

function toStatementItem(row: ItemRow): StatementItem {
  // The currency only matters for the safe-integer check here.
  const number = (text: string) => toMoney(text, 'CNY').amountMinor;
  return {
    kind: row.kind,
    paymentId: row.payment_id,
    refundId: row.refund_id,
    transactionId: row.transaction_id,
    businessDate: row.business_date,
    occurredAt: row.occurred_at.toISOString(),
    grossMinor: number(row.gross_minor),
    feeMinor: number(row.fee_minor),
    refundMinor: number(row.refund_minor),
    netMinor: number(row.net_minor),
  };
}

function toStatementBatch(row: BatchRow): StatementBatch {
  const currency = row.currency as CurrencyCode;
  const minor = (text: string) => toMoney(text, currency).amountMinor;
  return {
    batchId: row.id,
    merchantId: row.merchant_id,
    settlementDate: row.settlement_date,
    currency,
    cycle: row.cycle,
    state: row.state,
    itemCount: row.item_count,
    totals: {
      grossMinor: minor(row.gross_minor),
      feeMinor: minor(row.fee_minor),
      refundMinor: minor(row.refund_minor),
      itemsNetMinor: minor(row.items_net_minor),
      reserveHeldMinor: minor(row.reserve_held_minor),
      reserveReleasedMinor: minor(row.reserve_released_minor),
      carriedInMinor: minor(row.carried_in_minor),
      netMinor: minor(row.net_minor),
    },
    payout:
      row.payout_id === null
        ? null
        : {
            state: row.payout_state!,
            amountMinor: minor(row.payout_amount_minor!),
            bankTxnNo: row.payout_bank_txn_no,
          },
  };
}

/** bigint and SUM come back from pg as text; Money.of refuses anything not a safe integer. */
function toMoney(text: string, currency: CurrencyCode): Money {
  return Money.of(Number(text), currency);
}
