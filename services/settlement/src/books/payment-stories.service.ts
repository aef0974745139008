import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { settlementSchema } from '../config';
import type { PaymentStoryView, StoryEntryView } from './books.views';
import { BooksError } from './domain/books-error';
import { classifyStoryEntry } from './domain/ledger-story';

const table = (name: string) => `"${settlementSchema}"."${name}"`;

interface EntryRow {
  id: string;
  posted_at: Date;
  business_date: string;
  description: string;
  refs: Record<string, string>;
}

interface LineRow {
  entry_id: string;
  account: string;
  side: 'DEBIT' | 'CREDIT';
  amount_minor: string;
  currency: string;
}

interface ItemRow {
  seq: string;
  kind: 'PAYMENT' | 'REFUND' | 'LATE_PAYMENT_RETURN';
  refund_id: string | null;
  business_date: string;
  currency: string;
  net_minor: string;
  batch_id: string | null;
  settlement_date: string | null;
  state: string | null;
  journal_entry_id: string | null;
}

interface PayoutRow {
  id: string;
  batch_id: string;
  attempt: number;
  state: string;
  amount_minor: string;
  currency: string;
}

/**
 * A payment's ledger story (账务故事): every entry about it (its clearing, refunds, a late payment
 * held in suspense and returned), then the settlement batch that took each of its items and that
 * batch's payouts. Batches own items by predicate, not by a column on the item: the batch of an
 * item is its merchant's batch, in its currency, with the smallest settlement date whose bounds
 * (items_through_seq, due_through) cover it.
 */
@Injectable()
export class PaymentStories {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async story(paymentId: string): Promise<PaymentStoryView> {
    const entries = (await this.dataSource.query(
      `SELECT id, posted_at, business_date::text AS business_date, description, refs
         FROM ${table('journal_entries')}
        WHERE refs ->> 'paymentId' = $1
        ORDER BY posted_at, id`,
      [paymentId],
    )) as EntryRow[];
    const items = (await this.dataSource.query(
      `SELECT i.seq::text AS seq, i.kind, i.refund_id, i.business_date::text AS business_date,
              i.currency, i.net_minor::text AS net_minor,
              b.id AS batch_id, b.settlement_date::text AS settlement_date, b.state, b.journal_entry_id
         FROM ${table('settlement_items')} i
         LEFT JOIN LATERAL (
           SELECT id, settlement_date, state, journal_entry_id
             FROM ${table('settlement_batches')} b
            WHERE b.merchant_id = i.merchant_id AND b.currency = i.currency
              AND i.seq <= b.items_through_seq AND i.business_date <= b.due_through
            ORDER BY b.settlement_date
            LIMIT 1) b ON true
        WHERE i.payment_id = $1
        ORDER BY i.seq`,
      [paymentId],
    )) as ItemRow[];
    if (entries.length === 0 && items.length === 0) {
      throw new BooksError(
        'BOOKS.PAYMENT_NOT_FOUND',
        `No ledger entry or settlement item mentions payment ${paymentId}`,
      );
    }

    const batchIds = [...new Set(items.flatMap((item) => (item.batch_id ? [item.batch_id] : [])))];
    const batchEntries =
      batchIds.length === 0
        ? []
        : ((await this.dataSource.query(
            `SELECT id, posted_at, business_date::text AS business_date, description, refs
               FROM ${table('journal_entries')}
              WHERE refs ->> 'batchId' = ANY($1)
              ORDER BY posted_at, id`,
            [batchIds],
          )) as EntryRow[]);
    const payouts =
      batchIds.length === 0
        ? []
        : ((await this.dataSource.query(
            `SELECT id, batch_id, attempt, state, amount_minor::text AS amount_minor, currency
               FROM ${table('payouts')}
              WHERE batch_id = ANY($1)
              ORDER BY batch_id, attempt`,
            [batchIds],
          )) as PayoutRow[]);
    const lines = await this.linesOf([...entries, ...batchEntries].map((entry) => entry.id));
    const storyOf = (entry: EntryRow): StoryEntryView => {
      const entryLines = lines.get(entry.id) ?? [];
      return {
        kind: classifyStoryEntry(entry.refs, entryLines),
        entryId: entry.id,
        postedAt: new Date(entry.posted_at).toISOString(),
        businessDate: entry.business_date,
        description: entry.description,
        references: entry.refs,
        lines: entryLines.map((line) => ({
          account: line.account,
          side: line.side,
          amount: { amountMinor: Number(line.amount_minor), currency: line.currency },
        })),
      };
    };

    return {
      paymentId,
      entries: entries.map(storyOf),
      settlementItems: items.map((item) => ({
        seq: Number(item.seq),
        kind: item.kind,
        refundId: item.refund_id,
        businessDate: item.business_date,
        net: { amountMinor: Number(item.net_minor), currency: item.currency },
        batchId: item.batch_id,
      })),
      batches: batchIds.map((batchId) => {
        const own = items.filter((item) => item.batch_id === batchId);
        const first = own[0];
        const stories = batchEntries.filter((entry) => entry.refs.batchId === batchId).map(storyOf);
        return {
          batchId,
          settlementDate: first.settlement_date ?? '',
          state: first.state ?? '',
          entryId:
            first.journal_entry_id ??
            stories.find((story) => story.kind === 'SETTLEMENT_BATCH')?.entryId ??
            null,
          paymentShare: {
            amountMinor: own.reduce((total, item) => total + Number(item.net_minor), 0),
            currency: first.currency,
          },
          entries: stories,
          payouts: payouts
            .filter((payout) => payout.batch_id === batchId)
            .map((payout) => ({
              payoutId: payout.id,
              attempt: payout.attempt,
              state: payout.state,
              amount: { amountMinor: Number(payout.amount_minor), currency: payout.currency },
            })),
        };
      }),
    };
  }

  private async linesOf(entryIds: string[]): Promise<Map<string, LineRow[]>> {
    const byEntry = new Map<string, LineRow[]>();
    if (entryIds.length === 0) return byEntry;
    const rows = (await this.dataSource.query(
      `SELECT entry_id, account, side, amount_minor::text AS amount_minor, currency
         FROM ${table('journal_lines')}
        WHERE entry_id = ANY($1)
        ORDER BY entry_id, line_no`,
      [[...new Set(entryIds)]],
    )) as LineRow[];
    for (const row of rows) {
      const list = byEntry.get(row.entry_id) ?? [];
      list.push(row);
      byEntry.set(row.entry_id, list);
    }
    return byEntry;
  }
}
