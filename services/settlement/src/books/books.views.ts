import { z } from 'zod';
import { moneyView, trialBalanceView } from '../ledger/ledger.views';

/**
 * Response shapes of the books endpoints; the zod schemas are the single source of the types and
 * of the OpenAPI document.
 */
export const storedTrialBalanceView = trialBalanceView;
export type StoredTrialBalance = z.infer<typeof storedTrialBalanceView>;

export const datedTrialBalanceView = trialBalanceView.extend({
  businessDate: z
    .string()
    .optional()
    .describe('The closed date this trial balance was taken at; absent for the live one (now)'),
  closedAt: z.string().optional().describe('When the date was closed; absent for the live one'),
});
export type DatedTrialBalanceView = z.infer<typeof datedTrialBalanceView>;

export const identityCheckView = z.object({
  name: z.string().describe('e.g. PENDING_SUBLEDGER'),
  statement: z.string().describe('What the identity states, in words'),
  currency: z.string().length(3),
  leftMinor: z.number().int(),
  rightMinor: z.number().int(),
  differenceMinor: z.number().int().describe('left − right; 0 when the identity holds'),
  holds: z.boolean(),
});

export const booksReportView = z.object({
  businessDate: z.string(),
  closedAt: z.string(),
  accountsSnapshotted: z.number().int(),
  trialBalanceBalanced: z.boolean(),
  healthy: z.boolean().describe('Every check holds and the trial balance balances'),
  trialBalance: storedTrialBalanceView,
  checks: z
    .array(identityCheckView)
    .describe('Accounting identity checks (会计恒等式), per currency'),
});
export type BooksReportView = z.infer<typeof booksReportView>;

export const balanceSnapshotView = z.object({
  businessDate: z.string(),
  closedAt: z.string(),
  accounts: z
    .array(
      z.object({
        account: z.string().describe('Account key, e.g. MERCHANT_PAYABLE_PENDING:mch_…'),
        nameZh: z.string().nullable().describe('科目名称; null for a key the chart does not know'),
        normalSide: z.enum(['DEBIT', 'CREDIT']),
        currency: z.string().length(3),
        debits: moneyView,
        credits: moneyView,
        balance: moneyView.describe('Signed on the normal side (余额方向)'),
      }),
    )
    .describe('Every account with a line dated on or before the date'),
});
export type BalanceSnapshotView = z.infer<typeof balanceSnapshotView>;

const storyEntryView = z.object({
  kind: z.enum([
    'CLEARING',
    'REFUND',
    'LATE_PAYMENT_SUSPENSE',
    'LATE_PAYMENT_RETURN',
    'SETTLEMENT_BATCH',
    'RESERVE_RELEASE',
    'PAYOUT_SENT',
    'PAYOUT_PAID',
    'PAYOUT_FAILED',
    'OTHER',
  ]),
  entryId: z.string(),
  postedAt: z.string(),
  businessDate: z.string(),
  description: z.string(),
  references: z.record(z.string(), z.string()),
  lines: z.array(
    z.object({ account: z.string(), side: z.enum(['DEBIT', 'CREDIT']), amount: moneyView }),
  ),
});
export type StoryEntryView = z.infer<typeof storyEntryView>;

export const paymentStoryView = z.object({
  paymentId: z.string(),
  entries: z
    .array(storyEntryView)
    .describe(
      'Entries about the payment itself, in posting order: clearing, refunds, late payment',
    ),
  settlementItems: z
    .array(
      z.object({
        seq: z.number().int(),
        kind: z.enum(['PAYMENT', 'REFUND', 'LATE_PAYMENT_RETURN']),
        refundId: z.string().nullable(),
        businessDate: z.string(),
        net: moneyView.describe("The item's share of its batch (净额)"),
        batchId: z.string().nullable().describe('The batch that owns it; null while unbatched'),
      }),
    )
    .describe("The payment's settlement items (结算明细)"),
  batches: z
    .array(
      z.object({
        batchId: z.string(),
        settlementDate: z.string(),
        state: z.string(),
        entryId: z
          .string()
          .nullable()
          .describe("The batch's journal entry (per merchant, aggregated over all its items)"),
        paymentShare: moneyView.describe("Σ net of this payment's items in the batch"),
        entries: z
          .array(storyEntryView)
          .describe("The batch's entries and its payouts' (sent, paid, failed), in posting order"),
        payouts: z.array(
          z.object({
            payoutId: z.string(),
            attempt: z.number().int(),
            state: z.string(),
            amount: moneyView,
          }),
        ),
      }),
    )
    .describe('Settlement batches (结算批次) that took its items, and their payouts (代付)'),
});
export type PaymentStoryView = z.infer<typeof paymentStoryView>;
