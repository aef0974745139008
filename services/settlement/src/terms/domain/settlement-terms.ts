/**
 * A merchant's settlement terms (结算条款), as the batch builder reads them. The terms feature
 * owns validation, storage, versions and the audit trail; this is the shape it hands out.
 */
export type SettlementCycle =
  /** Items of business date D are settled by the end of day of D + days (T+1 by default). */
  | { readonly kind: 'T_PLUS_N'; readonly days: number }
  /** Items of business date D are settled by the end of day of D itself. */
  | { readonly kind: 'D_PLUS_0' };

export interface RollingReserve {
  /** Share of each batch's positive items net held back, in basis points (1000 = 10 %). */
  readonly percentBp: number;
  /** Calendar days a hold is kept before it is released to available. */
  readonly holdDays: number;
}

/** The merchant's settlement bank account (结算账户) that payouts go to. */
export interface PayoutAccount {
  readonly bankCode: string;
  readonly accountNo: string;
  readonly accountName: string;
}

export interface SettlementTerms {
  readonly merchantId: string;
  /** 1 for the built-in defaults, then one more per change. */
  readonly version: number;
  readonly cycle: SettlementCycle;
  /** `HH:MM` in Asia/Shanghai. */
  readonly cutoff: string;
  /** A batch whose net is below this is carried forward, not paid (最低结算金额), in fen. */
  readonly minimumPayoutMinor: number;
  readonly reserve: RollingReserve | null;
  /** Null when the merchant has none on file: its batches are built but not paid. */
  readonly payoutAccount: PayoutAccount | null;
  /** First business date these terms apply to. */
  readonly effectiveFrom: string;
}

/** The days between an item's business date and the settlement date that pays it. */
export function cycleDays(cycle: SettlementCycle): number {
  return cycle.kind === 'D_PLUS_0' ? 0 : cycle.days;
}

export function describeCycle(cycle: SettlementCycle): string {
  return cycle.kind === 'D_PLUS_0' ? 'D+0' : `T+${cycle.days}`;
}

/** Terms for a merchant nobody configured: T+1, cut-off 00:00, no minimum, no reserve. */
export function defaultTerms(merchantId: string): SettlementTerms {
  return {
    merchantId,
    version: 0,
    cycle: { kind: 'T_PLUS_N', days: 1 },
    cutoff: '00:00',
    minimumPayoutMinor: 0,
    reserve: null,
    payoutAccount: null,
    effectiveFrom: '2000-01-01',
  };
}
