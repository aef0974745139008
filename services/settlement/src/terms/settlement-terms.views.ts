import { z } from 'zod';
import { describeCycle, type SettlementTerms } from './domain/settlement-terms';

const cycleView = z.union([
  z.object({ kind: z.literal('T_PLUS_N'), days: z.number().int().min(1).max(30) }),
  z.object({ kind: z.literal('D_PLUS_0') }),
]);

/** One version of a merchant's settlement terms (结算条款) as the admin API shows it. */
export const termsView = z.object({
  merchantId: z.string().describe('mch_…'),
  version: z.number().int().describe('0 = the built-in defaults (never configured)'),
  cycle: cycleView.describe('Settlement cycle (结算周期)'),
  cycleLabel: z.string().describe('T+1, D+0, …'),
  cutoff: z.string().describe('Cut-off (日切时间) HH:MM, Asia/Shanghai'),
  minimumPayoutMinor: z.number().int().describe('Minimum payout (最低结算金额), fen'),
  reserve: z
    .object({ percentBp: z.number().int(), holdDays: z.number().int() })
    .nullable()
    .describe('Rolling reserve (滚动保证金): share in basis points, days held'),
  payoutAccount: z
    .object({ bankCode: z.string(), accountNo: z.string(), accountName: z.string() })
    .nullable()
    .describe('Settlement bank account (结算账户)'),
  effectiveFrom: z.string().describe('First business date (YYYY-MM-DD) these terms apply to'),
});
export type TermsView = z.infer<typeof termsView>;

export const termsOverviewView = z.object({
  merchantId: z.string(),
  configured: z.boolean().describe('false: nobody set terms, the defaults apply'),
  today: z.string().describe('Asia/Shanghai date the answer was computed for'),
  current: termsView.describe('In force today'),
  scheduled: z
    .array(termsView)
    .describe('Versions saved for later business dates, in the order they take effect'),
});
export type TermsOverviewView = z.infer<typeof termsOverviewView>;

const fieldChangeView = z.object({
  field: z.string(),
  before: z.unknown(),
  after: z.unknown(),
});

export const termsChangeView = z.object({
  changeId: z.string().describe('stc_…'),
  merchantId: z.string(),
  version: z.number().int(),
  changedBy: z.object({ operator: z.string(), role: z.string() }),
  changedAt: z.string(),
  reason: z.string(),
  effectiveFrom: z.string(),
  changes: z.array(fieldChangeView).describe('The fields that differ, before and after'),
  before: termsView,
  after: termsView,
});
export type TermsChangeView = z.infer<typeof termsChangeView>;

export const termsHistoryView = z.object({
  merchantId: z.string(),
  changes: z.array(termsChangeView).describe('Newest first'),
});
export type TermsHistoryView = z.infer<typeof termsHistoryView>;

export const termsChangeResultView = z.object({
  created: z
    .boolean()
    .describe('false: the terms asked for are already the newest version; nothing was written'),
  terms: termsView,
  change: termsChangeView.nullable(),
});
export type TermsChangeResultView = z.infer<typeof termsChangeResultView>;

export function toTermsView(terms: SettlementTerms): TermsView {
  return {
    merchantId: terms.merchantId,
    version: terms.version,
    cycle: terms.cycle.kind === 'D_PLUS_0' ? { kind: 'D_PLUS_0' } : { ...terms.cycle },
    cycleLabel: describeCycle(terms.cycle),
    cutoff: terms.cutoff,
    minimumPayoutMinor: terms.minimumPayoutMinor,
    reserve: terms.reserve ? { ...terms.reserve } : null,
    payoutAccount: terms.payoutAccount ? { ...terms.payoutAccount } : null,
    effectiveFrom: terms.effectiveFrom,
  };
}
