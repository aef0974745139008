import { z } from 'zod';

/**
 * Response shapes of the ledger endpoints. The zod schemas are the single source: the TypeScript
 * types are inferred from them and the OpenAPI document is generated from them.
 */
export const moneyView = z.object({
  amountMinor: z.number().int().describe('Integer minor units (fen for CNY)'),
  currency: z.string().length(3),
});
export type MoneyView = z.infer<typeof moneyView>;

export const journalLineView = z.object({
  id: z.string().describe('led_…'),
  lineNo: z.number().int(),
  account: z.string().describe('Account key, e.g. CHANNEL_RECEIVABLE:ALIPAY'),
  side: z.enum(['DEBIT', 'CREDIT']).describe('借 (DEBIT) or 贷 (CREDIT)'),
  amount: moneyView.describe('Always positive; the side gives the direction'),
});
export type JournalLineView = z.infer<typeof journalLineView>;

export const journalEntryView = z.object({
  id: z.string().describe('jnl_…'),
  postedAt: z.string().describe('UTC instant'),
  businessDate: z
    .string()
    .nullable()
    .describe('Accounting date (账务日期) the entry counts for, YYYY-MM-DD (Asia/Shanghai)'),
  description: z.string(),
  totalDebits: moneyView,
  totalCredits: moneyView,
  balanced: z.boolean().describe('totalDebits = totalCredits (借贷平衡)'),
  lines: z.array(journalLineView),
});
export type JournalEntryView = z.infer<typeof journalEntryView>;

export const merchantBalancesView = z.object({
  merchantId: z.string(),
  balances: z
    .array(
      z.object({
        currency: z.string().length(3),
        pending: moneyView.describe(
          'MERCHANT_PAYABLE_PENDING: cleared, not yet due for settlement (待结算)',
        ),
        available: moneyView.describe('MERCHANT_PAYABLE_AVAILABLE: due, may be paid out (可结算)'),
        negative: z
          .boolean()
          .describe(
            'pending + available < 0: refunds took more than we owed, so the merchant owes us (负余额)',
          ),
      }),
    )
    .describe('One row per currency the merchant has ledger lines in; empty when none'),
});
export type MerchantBalancesView = z.infer<typeof merchantBalancesView>;

export const trialBalanceView = z.object({
  balanced: z
    .boolean()
    .describe('Every currency balances and no single entry is unbalanced (试算平衡)'),
  entryCount: z.number().int(),
  currencies: z.array(
    z.object({
      currency: z.string().length(3),
      totalDebits: moneyView,
      totalCredits: moneyView,
      balanced: z.boolean(),
    }),
  ),
  unbalancedEntryIds: z
    .array(z.string())
    .describe('Entries whose own lines do not balance (at most 100); empty in a healthy ledger'),
});
export type TrialBalanceView = z.infer<typeof trialBalanceView>;

export const accountView = z.object({
  account: z
    .string()
    .describe('Account key, e.g. LATE_PAYMENT_SUSPENSE or CHANNEL_RECEIVABLE:ALIPAY'),
  type: z.enum(['ASSET', 'LIABILITY', 'EQUITY', 'INCOME', 'EXPENSE']),
  normalSide: z.enum(['DEBIT', 'CREDIT']),
  nameZh: z.string(),
  balances: z
    .array(
      z.object({
        currency: z.string().length(3),
        debits: moneyView,
        credits: moneyView,
        balance: moneyView.describe('Signed on the normal side: negative is the opposite side'),
      }),
    )
    .describe('One row per currency'),
  lines: z
    .array(
      z.object({
        entryId: z.string(),
        lineId: z.string(),
        postedAt: z.string(),
        description: z.string(),
        side: z.enum(['DEBIT', 'CREDIT']),
        amount: moneyView,
      }),
    )
    .describe('The latest 100 lines, newest first'),
});
export type AccountView = z.infer<typeof accountView>;
