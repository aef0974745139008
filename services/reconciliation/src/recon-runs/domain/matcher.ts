import { cutOffOf, isBusinessDate, previousBusinessDate } from './business-date';
import { DEFAULT_MATCHING_RULES, type MatchingRule } from './matching-rule';
import { ReconError } from './recon-error';
import {
  RECON_OUTCOMES,
  type PlatformRecord,
  type PlatformRefundRecord,
  type ReconChannel,
  type ReconOutcome,
  type StatementLine,
} from './records';

export const DEFAULT_CROSS_DAY_WINDOW_MINUTES = 5;
/** A window beyond half a day would suspend most of a day's trades: surely a mistake. */
export const MAX_CROSS_DAY_WINDOW_MINUTES = 720;

export interface ReconcileInput {
  channel: ReconChannel;
  /** The Asia/Shanghai business date the statement covers. */
  businessDate: string;
  statementLines: readonly StatementLine[];
  /** Our projection's transactions of this channel booked under this business date. */
  platformRecords: readonly PlatformRecord[];
  /**
   * The records the previous business date's run held in suspense as CROSS_DAY. They are
   * expected on this statement; if they are absent again they become MISSING_IN_CHANNEL.
   */
  suspended: readonly PlatformRecord[];
  /** Our projection's refunds of this channel booked under this business date. */
  platformRefunds?: readonly PlatformRefundRecord[];
  /** Minutes before the cut-off within which a missing record is CROSS_DAY (default 5). */
  crossDayWindowMinutes?: number;
  rules?: readonly MatchingRule[];
}

/**
 * One result per record: every statement line appears in exactly one result, and so does every
 * platform record given (today's and the suspended ones).
 */
export interface ReconResult {
  outcome: ReconOutcome;
  channelTradeNo: string;
  statementLine: StatementLine | null;
  platformRecord: PlatformRecord | null;
  /** For refund lines and platform refunds: the platform refund the result is about. */
  platformRefund: PlatformRefundRecord | null;
  detail: string | null;
  /** For DUPLICATE: the line that was paired (or judged) first for the same key. */
  duplicateOfLineNo: number | null;
  /** Set when the platform record came from the previous day's suspense. */
  carriedFromBusinessDate: string | null;
}

/** Refunds share the payment's trade number, so they get a key of their own: our refund id. */
function statementKeyOf(line: StatementLine): string {
  if (line.status !== 'REFUND') return `PAY:${line.channelTradeNo}`;
  return `REFUND:${line.refundRequestNo ?? line.refundNo ?? `${line.channelTradeNo}:line-${line.lineNo}`}`;
}

function invalid(message: string): ReconError {
  return new ReconError('RECON.INVALID_INPUT', message);
}

function validate(input: ReconcileInput, windowMinutes: number): void {
  if (!isBusinessDate(input.businessDate)) {
    throw invalid(`businessDate must be YYYY-MM-DD, got ${input.businessDate}`);
  }
  if (
    !Number.isInteger(windowMinutes) ||
    windowMinutes < 0 ||
    windowMinutes > MAX_CROSS_DAY_WINDOW_MINUTES
  ) {
    throw invalid(`crossDayWindowMinutes must be an integer 0..${MAX_CROSS_DAY_WINDOW_MINUTES}`);
  }
  for (const line of input.statementLines) {
    if (line.channel !== input.channel) {
      throw invalid(`statement line ${line.lineNo} is ${line.channel}, run is ${input.channel}`);
    }
  }
  const previous = previousBusinessDate(input.businessDate);
  const seenTransactions = new Set<string>();
  const seenTradeNos = new Set<string>();
  const check = (record: PlatformRecord, expectedDate: string, what: string) => {
    if (record.channel !== input.channel || record.businessDate !== expectedDate) {
      throw invalid(
        `${what} ${record.transactionId} is ${record.channel} ${record.businessDate}, expected ${input.channel} ${expectedDate}`,
      );
    }
    if (seenTransactions.has(record.transactionId)) {
      throw invalid(`transaction ${record.transactionId} given twice`);
    }
    if (seenTradeNos.has(record.channelTradeNo)) {
      throw invalid(`channel trade number ${record.channelTradeNo} belongs to two transactions`);
    }
    seenTransactions.add(record.transactionId);
    seenTradeNos.add(record.channelTradeNo);
  };
  for (const record of input.platformRecords) check(record, input.businessDate, 'record');
  for (const record of input.suspended) check(record, previous, 'suspended record');
  const seenRefunds = new Set<string>();
  for (const refund of input.platformRefunds ?? []) {
    if (refund.channel !== input.channel || refund.businessDate !== input.businessDate) {
      throw invalid(
        `refund ${refund.refundId} is ${refund.channel} ${refund.businessDate}, expected ${input.channel} ${input.businessDate}`,
      );
    }
    if (seenRefunds.has(refund.refundId)) throw invalid(`refund ${refund.refundId} given twice`);
    seenRefunds.add(refund.refundId);
  }
}

/**
 * Matches one channel's statement for one business date against our records (自动对账).
 *
 * 1. Statement lines are grouped by key (the channel trade number; refunds by their refund
 *    number). The first line of a key is paired with the platform record of that trade number,
 *    today's or a suspended one, and judged by the rules (MATCHED when none objects); without a
 *    record it is MISSING_IN_PLATFORM (长款). Each further line of the same key is DUPLICATE.
 * 2. A refund line (退款) is paired with the platform refund whose id the channel echoes as the
 *    refund request number (or, failing that, whose channel refund number it carries): MATCHED,
 *    or REFUND_AMOUNT_MISMATCH; with none, REFUND_MISSING_IN_PLATFORM. A refund line is never
 *    judged against the payment: a refund is a discrepancy of its own, not the payment's status.
 * 3. A platform record no line claimed is MISSING_IN_CHANNEL (短款), unless it was paid within
 *    the window before the cut-off (00:00 Asia/Shanghai after the business date): then it is
 *    CROSS_DAY (跨日), held in suspense for the next run. A suspended record missing again is
 *    MISSING_IN_CHANNEL: suspense lasts one day. A platform refund no line claimed is
 *    REFUND_MISSING_IN_CHANNEL.
 */
export function reconcile(input: ReconcileInput): ReconResult[] {
  const windowMinutes = input.crossDayWindowMinutes ?? DEFAULT_CROSS_DAY_WINDOW_MINUTES;
  validate(input, windowMinutes);
  const rules = input.rules ?? DEFAULT_MATCHING_RULES;
  const previous = previousBusinessDate(input.businessDate);

  const recordsByTradeNo = new Map<string, { record: PlatformRecord; carried: boolean }>();
  for (const record of input.platformRecords) {
    recordsByTradeNo.set(record.channelTradeNo, { record, carried: false });
  }
  for (const record of input.suspended) {
    recordsByTradeNo.set(record.channelTradeNo, { record, carried: true });
  }

  const results: ReconResult[] = [];
  const firstLineOfKey = new Map<string, number>();
  const claimed = new Set<string>();
  const refunds = input.platformRefunds ?? [];
  const refundsById = new Map(refunds.map((refund) => [refund.refundId, refund]));
  const refundsByChannelNo = new Map(refunds.map((refund) => [refund.channelRefundNo, refund]));
  const claimedRefunds = new Set<string>();

  const matchRefundLine = (line: StatementLine): ReconResult => {
    const candidate =
      (line.refundRequestNo !== undefined ? refundsById.get(line.refundRequestNo) : undefined) ??
      (line.refundNo !== undefined ? refundsByChannelNo.get(line.refundNo) : undefined);
    const base = {
      channelTradeNo: line.channelTradeNo,
      statementLine: line,
      platformRecord: null,
      duplicateOfLineNo: null,
      carriedFromBusinessDate: null,
    };
    if (!candidate || claimedRefunds.has(candidate.refundId)) {
      return {
        ...base,
        outcome: 'REFUND_MISSING_IN_PLATFORM',
        platformRefund: null,
        detail: `refund ${line.refundRequestNo ?? line.refundNo ?? '(no refund number)'} on the statement; the platform has no record of it`,
      };
    }
    claimedRefunds.add(candidate.refundId);
    const sameAmount =
      candidate.amountMinor === line.amountMinor && candidate.currency === line.currency;
    return {
      ...base,
      outcome: sameAmount ? 'MATCHED' : 'REFUND_AMOUNT_MISMATCH',
      platformRefund: candidate,
      detail: sameAmount
        ? null
        : `refund ${candidate.refundId}: platform ${candidate.amountMinor} ${candidate.currency}, channel ${line.amountMinor} ${line.currency}`,
    };
  };

  for (const line of input.statementLines) {
    const key = statementKeyOf(line);
    const first = firstLineOfKey.get(key);
    if (first !== undefined) {
      results.push({
        outcome: 'DUPLICATE',
        channelTradeNo: line.channelTradeNo,
        statementLine: line,
        platformRecord: null,
        platformRefund: null,
        detail: `same ${line.status === 'REFUND' ? 'refund' : 'trade'} as line ${first}`,
        duplicateOfLineNo: first,
        carriedFromBusinessDate: null,
      });
      continue;
    }
    firstLineOfKey.set(key, line.lineNo);
    if (line.status === 'REFUND') {
      results.push(matchRefundLine(line));
      continue;
    }
    const paired = recordsByTradeNo.get(line.channelTradeNo);
    if (!paired) {
      results.push({
        outcome: 'MISSING_IN_PLATFORM',
        channelTradeNo: line.channelTradeNo,
        statementLine: line,
        platformRecord: null,
        platformRefund: null,
        detail: 'on the statement; the platform has no record of it',
        duplicateOfLineNo: null,
        carriedFromBusinessDate: null,
      });
      continue;
    }
    claimed.add(paired.record.transactionId);
    let verdict = null;
    for (const rule of rules) {
      verdict = rule.check(line, paired.record);
      if (verdict) break;
    }
    results.push({
      outcome: verdict?.outcome ?? 'MATCHED',
      channelTradeNo: line.channelTradeNo,
      statementLine: line,
      platformRecord: paired.record,
      platformRefund: null,
      detail: verdict?.detail ?? null,
      duplicateOfLineNo: null,
      carriedFromBusinessDate: paired.carried ? previous : null,
    });
  }

  const cutOff = cutOffOf(input.businessDate).getTime();
  const suspenseFrom = cutOff - windowMinutes * 60_000;
  const unclaimed = [...input.suspended, ...input.platformRecords]
    .filter((record) => !claimed.has(record.transactionId))
    .sort(
      (a, b) =>
        a.paidAt.getTime() - b.paidAt.getTime() || a.transactionId.localeCompare(b.transactionId),
    );
  for (const record of unclaimed) {
    const carried = record.businessDate === previous;
    const paidAt = record.paidAt.getTime();
    const crossDay = !carried && paidAt >= suspenseFrom && paidAt < cutOff;
    results.push({
      outcome: crossDay ? 'CROSS_DAY' : 'MISSING_IN_CHANNEL',
      channelTradeNo: record.channelTradeNo,
      statementLine: null,
      platformRecord: record,
      platformRefund: null,
      detail: crossDay
        ? `paid within ${windowMinutes} min before the cut-off; expected on the next statement`
        : carried
          ? `held as CROSS_DAY on ${previous} and absent from this statement too`
          : 'the platform has it; the statement does not',
      duplicateOfLineNo: null,
      carriedFromBusinessDate: carried ? previous : null,
    });
  }
  for (const refund of refunds) {
    if (claimedRefunds.has(refund.refundId)) continue;
    results.push({
      outcome: 'REFUND_MISSING_IN_CHANNEL',
      channelTradeNo: refund.channelTradeNo,
      statementLine: null,
      platformRecord: null,
      platformRefund: refund,
      detail: `the platform recorded refund ${refund.refundId}; the statement does not have it`,
      duplicateOfLineNo: null,
      carriedFromBusinessDate: null,
    });
  }
  return results;
}

/** Results per outcome, every outcome present (zero when none). */
export function countByOutcome(
  results: readonly { outcome: ReconOutcome }[],
): Record<ReconOutcome, number> {
  const counts = Object.fromEntries(RECON_OUTCOMES.map((outcome) => [outcome, 0])) as Record<
    ReconOutcome,
    number
  >;
  for (const result of results) counts[result.outcome] += 1;
  return counts;
}
