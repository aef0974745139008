import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Money, type CurrencyCode } from '@paylab/money';
import type { DataSource, EntityManager } from 'typeorm';
import { ledgerAccount, normalSideOf, parseLedgerAccount, type JournalEntry } from './domain';
import { JournalEntryEntity, JournalLineEntity } from './journal.entities';
import type {
  AccountView,
  JournalEntryView,
  JournalLineView,
  MerchantBalancesView,
  TrialBalanceView,
} from './ledger.views';

interface SideTotalsRow {
  currency: string;
  debits: string;
  credits: string;
}

/**
 * The double-entry ledger (复式记账) in Postgres. Entries come only from postJournal, so they are
 * balanced when written; the database re-checks each at commit (a deferred constraint trigger)
 * and refuses updates and deletes, and the trial balance re-adds every line independently.
 */
@Injectable()
export class Ledger {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Stores a posted entry and its lines, inside the caller's transaction. */
  async post(manager: EntityManager, entry: JournalEntry): Promise<void> {
    await this.postAll(manager, [entry]);
  }

  /**
   * Stores many posted entries in a few statements (an end of day posts one per merchant). Arrays
   * go in as parameters through unnest, so ten thousand entries cost two round trips, not twenty
   * thousand; the database's deferred trigger still checks each entry balances at commit.
   */
  async postAll(manager: EntityManager, entries: readonly JournalEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await manager.query(
      // A null business_date is left to the trigger: the Shanghai date of posted_at, never a
      // closed date.
      `INSERT INTO ${this.entriesTable()} (id, posted_at, description, refs, business_date)
       SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::jsonb[], $5::date[])`,
      [
        entries.map((entry) => entry.id),
        entries.map((entry) => entry.postedAt.toISOString()),
        entries.map((entry) => entry.description),
        entries.map((entry) => JSON.stringify(entry.references)),
        entries.map((entry) => entry.businessDate ?? null),
      ],
    );
    const lines = entries.flatMap((entry) =>
      entry.lines.map((line, index) => ({ entryId: entry.id, lineNo: index + 1, line })),
    );
    await manager.query(
      `INSERT INTO ${this.linesTable()} (id, entry_id, line_no, account, side, amount_minor, currency)
       SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::bigint[], $7::char(3)[])`,
      [
        lines.map(({ line }) => line.id),
        lines.map(({ entryId }) => entryId),
        lines.map(({ lineNo }) => lineNo),
        lines.map(({ line }) => line.account),
        lines.map(({ line }) => line.side),
        lines.map(({ line }) => String(line.amount.amountMinor)),
        lines.map(({ line }) => line.amount.currency),
      ],
    );
  }

  async entry(entryId: string): Promise<JournalEntryView | undefined> {
    const entry = await this.dataSource
      .getRepository(JournalEntryEntity)
      .findOneBy({ id: entryId });
    if (!entry) return undefined;
    const lines = await this.dataSource
      .getRepository(JournalLineEntity)
      .find({ where: { entryId }, order: { lineNo: 'ASC' } });
    const views: JournalLineView[] = lines.map((line) => ({
      id: line.id,
      lineNo: line.lineNo,
      account: line.account,
      side: line.side,
      amount: { amountMinor: line.amountMinor, currency: line.currency },
    }));
    const currency = (lines[0]?.currency ?? 'CNY') as CurrencyCode;
    const total = (side: 'DEBIT' | 'CREDIT') =>
      lines
        .filter((line) => line.side === side)
        .reduce((sum, line) => sum.add(Money.of(line.amountMinor, currency)), Money.zero(currency));
    const totalDebits = total('DEBIT');
    const totalCredits = total('CREDIT');
    return {
      id: entry.id,
      postedAt: entry.postedAt.toISOString(),
      businessDate: entry.businessDate,
      description: entry.description,
      totalDebits: totalDebits.toJSON(),
      totalCredits: totalCredits.toJSON(),
      balanced: totalDebits.equals(totalCredits),
      lines: views,
    };
  }

  /**
   * A merchant's payables (应付商户款) per currency, signed on the liability's normal (credit)
   * side: positive is what we owe the merchant.
   */
  async merchantBalances(merchantId: string): Promise<MerchantBalancesView> {
    const pendingAccount = ledgerAccount('MERCHANT_PAYABLE_PENDING', merchantId);
    const availableAccount = ledgerAccount('MERCHANT_PAYABLE_AVAILABLE', merchantId);
    const rows = (await this.dataSource.query(
      `SELECT account, currency,
              COALESCE(SUM(amount_minor) FILTER (WHERE side = 'DEBIT'), 0)::text AS debits,
              COALESCE(SUM(amount_minor) FILTER (WHERE side = 'CREDIT'), 0)::text AS credits
         FROM ${this.linesTable()}
        WHERE account = ANY($1)
        GROUP BY account, currency
        ORDER BY currency`,
      [[pendingAccount, availableAccount]],
    )) as Array<SideTotalsRow & { account: string }>;
    const byCurrency = new Map<string, { pending: Money; available: Money }>();
    for (const row of rows) {
      const currency = row.currency as CurrencyCode;
      const current = byCurrency.get(currency) ?? {
        pending: Money.zero(currency),
        available: Money.zero(currency),
      };
      const debits = toMoney(row.debits, currency);
      const credits = toMoney(row.credits, currency);
      const signed =
        normalSideOf(row.account) === 'CREDIT'
          ? credits.subtract(debits)
          : debits.subtract(credits);
      if (row.account === pendingAccount) current.pending = current.pending.add(signed);
      else current.available = current.available.add(signed);
      byCurrency.set(currency, current);
    }
    return {
      merchantId,
      balances: [...byCurrency.entries()].map(([currency, { pending, available }]) => ({
        currency,
        pending: pending.toJSON(),
        available: available.toJSON(),
        negative: pending.add(available).isNegative(),
      })),
    };
  }

  /**
   * One account (科目) with its balance per currency and its latest lines, e.g. to see both legs
   * of a late payment in LATE_PAYMENT_SUSPENSE. `account` must be a valid key (LedgerError else).
   */
  async account(account: string): Promise<AccountView> {
    const parsed = parseLedgerAccount(account);
    const totals = (await this.dataSource.query(
      `SELECT currency,
              COALESCE(SUM(amount_minor) FILTER (WHERE side = 'DEBIT'), 0)::text AS debits,
              COALESCE(SUM(amount_minor) FILTER (WHERE side = 'CREDIT'), 0)::text AS credits
         FROM ${this.linesTable()}
        WHERE account = $1
        GROUP BY currency
        ORDER BY currency`,
      [parsed.key],
    )) as SideTotalsRow[];
    const lines = (await this.dataSource.query(
      `SELECT l.entry_id, l.id, l.side, l.amount_minor::text AS amount_minor, l.currency,
              e.posted_at, e.description
         FROM ${this.linesTable()} l JOIN ${this.entriesTable()} e ON e.id = l.entry_id
        WHERE l.account = $1
        ORDER BY e.posted_at DESC, l.id DESC
        LIMIT 100`,
      [parsed.key],
    )) as Array<{
      entry_id: string;
      id: string;
      side: 'DEBIT' | 'CREDIT';
      amount_minor: string;
      currency: string;
      posted_at: Date;
      description: string;
    }>;
    const normalSide = parsed.definition.normalSide;
    return {
      account: parsed.key,
      type: parsed.definition.type,
      normalSide,
      nameZh: parsed.definition.nameZh,
      balances: totals.map((row) => {
        const currency = row.currency as CurrencyCode;
        const debits = toMoney(row.debits, currency);
        const credits = toMoney(row.credits, currency);
        const balance =
          normalSide === 'DEBIT' ? debits.subtract(credits) : credits.subtract(debits);
        return {
          currency,
          debits: debits.toJSON(),
          credits: credits.toJSON(),
          balance: balance.toJSON(),
        };
      }),
      lines: lines.map((line) => ({
        entryId: line.entry_id,
        lineId: line.id,
        postedAt: new Date(line.posted_at).toISOString(),
        description: line.description,
        side: line.side,
        amount: { amountMinor: Number(line.amount_minor), currency: line.currency },
      })),
    };
  }

  /**
   * Trial balance (试算平衡) by totals, per currency, re-adding every stored line rather than
   * trusting that each entry balanced when posted. Also lists entries whose own lines do not
   * balance, which the totals alone could hide (two errors cancelling out). Both are full scans:
   * fine for an admin check on a teaching ledger; a production ledger would keep running totals.
   */
  async trialBalance(): Promise<TrialBalanceView> {
    const lines = this.linesTable();
    const totals = (await this.dataSource.query(
      `SELECT currency,
              COALESCE(SUM(amount_minor) FILTER (WHERE side = 'DEBIT'), 0)::text AS debits,
              COALESCE(SUM(amount_minor) FILTER (WHERE side = 'CREDIT'), 0)::text AS credits
         FROM ${lines}
        GROUP BY currency
        ORDER BY currency`,
    )) as SideTotalsRow[];
    const unbalanced = (await this.dataSource.query(
      `SELECT e.id
         FROM ${this.entriesTable()} e
         LEFT JOIN ${lines} l ON l.entry_id = e.id
        GROUP BY e.id
       HAVING COUNT(l.id) < 2
           OR COUNT(DISTINCT l.currency) <> 1
           OR COALESCE(SUM(CASE WHEN l.side = 'DEBIT' THEN l.amount_minor ELSE -l.amount_minor END), 0) <> 0
        ORDER BY e.id
        LIMIT 100`,
    )) as Array<{ id: string }>;
    const [{ count }] = (await this.dataSource.query(
      `SELECT COUNT(*)::int AS count FROM ${this.entriesTable()}`,
    )) as Array<{ count: number }>;
    const currencies = totals.map((row) => {
      const currency = row.currency as CurrencyCode;
      const totalDebits = toMoney(row.debits, currency);
      const totalCredits = toMoney(row.credits, currency);
      return {
        currency,
        totalDebits: totalDebits.toJSON(),
        totalCredits: totalCredits.toJSON(),
        balanced: totalDebits.equals(totalCredits),
      };
    });
    return {
      balanced: unbalanced.length === 0 && currencies.every((currency) => currency.balanced),
      entryCount: count,
      currencies,
      unbalancedEntryIds: unbalanced.map((row) => row.id),
    };
  }

  private linesTable(): string {
    return this.dataSource.getRepository(JournalLineEntity).metadata.tablePath;
  }

  private entriesTable(): string {
    return this.dataSource.getRepository(JournalEntryEntity).metadata.tablePath;
  }
}

/** SUM over bigint is numeric, which pg returns as text; Money.of refuses anything unsafe. */
function toMoney(text: string, currency: CurrencyCode): Money {
  return Money.of(Number(text), currency);
}
