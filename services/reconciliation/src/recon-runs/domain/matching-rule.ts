import type { PlatformRecord, ReconOutcome, StatementLine } from './records';

/** Outcomes a rule can give a paired line and record; the pairing itself decides the others. */
export type PairBreak = Extract<
  ReconOutcome,
  'AMOUNT_MISMATCH' | 'STATUS_MISMATCH' | 'FEE_MISMATCH'
>;

export interface RuleVerdict {
  outcome: PairBreak;
  /** Why, in words an operator reads on the discrepancy. */
  detail: string;
}

/**
 * One check on a statement line and the platform record it was paired with (by channel trade
 * number). The matcher asks each rule in order and the first verdict decides, so a new check
 * (fees, once the projection knows the expected fee) is one more MatchingRule, not a matcher
 * change. Rules are pure and must not look at anything but the pair.
 */
export interface MatchingRule {
  readonly name: string;
  check(line: StatementLine, record: PlatformRecord): RuleVerdict | null;
}

const EXPECTED_LINE_STATUS: Record<PlatformRecord['status'], StatementLine['status']> = {
  SUCCEEDED: 'SUCCESS',
};

/** Status first: when the channel says the trade was closed, comparing amounts means nothing. */
export const statusRule: MatchingRule = {
  name: 'status',
  check(line, record) {
    const expected = EXPECTED_LINE_STATUS[record.status];
    if (line.status === expected) return null;
    return {
      outcome: 'STATUS_MISMATCH',
      detail: `platform ${record.status}, channel ${line.status} (expected ${expected})`,
    };
  },
};

/** Amount and currency, in integer minor units: never a float comparison. */
export const amountRule: MatchingRule = {
  name: 'amount',
  check(line, record) {
    if (line.amountMinor === record.amountMinor && line.currency === record.currency) return null;
    return {
      outcome: 'AMOUNT_MISMATCH',
      detail: `platform ${record.amountMinor} ${record.currency}, channel ${line.amountMinor} ${line.currency}`,
    };
  },
};

export const DEFAULT_MATCHING_RULES: readonly MatchingRule[] = [statusRule, amountRule];
