import { cutOffOf } from './business-date';
import { countByOutcome, reconcile, type ReconcileInput, type ReconResult } from './matcher';
import type { MatchingRule } from './matching-rule';
import {
  isBreak,
  type PlatformRecord,
  type PlatformRefundRecord,
  type StatementLine,
} from './records';

const DATE = '2031-03-14';
const PREVIOUS = '2031-03-13';
/** 2031-03-14 12:00 Asia/Shanghai. */
const NOON = new Date('2031-03-14T04:00:00.000Z');
const CUT_OFF = cutOffOf(DATE); // 2031-03-15 00:00 Asia/Shanghai = 2031-03-14T16:00Z

let sequence = 0;
function record(overrides: Partial<PlatformRecord> = {}): PlatformRecord {
  sequence += 1;
  const n = String(sequence).padStart(4, '0');
  return {
    transactionId: `txn_${n}`,
    paymentId: `pay_${n}`,
    channel: 'ALIPAY',
    channelTradeNo: `2031031422001${n}`,
    amountMinor: 10_000,
    currency: 'CNY',
    status: 'SUCCEEDED',
    paidAt: NOON,
    businessDate: DATE,
    ...overrides,
  };
}

let lineNo = 5;
function lineFor(source: PlatformRecord, overrides: Partial<StatementLine> = {}): StatementLine {
  lineNo += 1;
  return {
    lineNo,
    channel: source.channel,
    channelTradeNo: source.channelTradeNo,
    amountMinor: source.amountMinor,
    currency: source.currency,
    status: 'SUCCESS',
    paidAt: source.paidAt,
    ...overrides,
  };
}

function run(input: Partial<ReconcileInput>): ReconResult[] {
  return reconcile({
    channel: 'ALIPAY',
    businessDate: DATE,
    statementLines: [],
    platformRecords: [],
    suspended: [],
    ...input,
  });
}

/** The invariant of every run: each line and each record given appears in exactly one result. */
function expectOneResultPerRecord(input: Partial<ReconcileInput>, results: ReconResult[]): void {
  const lines = input.statementLines ?? [];
  const records = [...(input.platformRecords ?? []), ...(input.suspended ?? [])];
  for (const line of lines) {
    expect(results.filter((r) => r.statementLine === line)).toHaveLength(1);
  }
  for (const rec of records) {
    expect(results.filter((r) => r.platformRecord === rec)).toHaveLength(1);
  }
  expect(results.filter((r) => r.statementLine).length).toBe(lines.length);
  expect(results.filter((r) => r.platformRecord).length).toBe(records.length);
  for (const refund of input.platformRefunds ?? []) {
    expect(results.filter((r) => r.platformRefund === refund)).toHaveLength(1);
  }
}

function runChecked(input: Partial<ReconcileInput>): ReconResult[] {
  const results = run(input);
  expectOneResultPerRecord(input, results);
  return results;
}

describe('reconcile (自动对账 matcher)', () => {
  it('MATCHED: same trade number, amount, currency and a SUCCESS line', () => {
    const rec = record();
    const line = lineFor(rec);
    const results = runChecked({ statementLines: [line], platformRecords: [rec] });
    expect(results).toEqual([
      {
        outcome: 'MATCHED',
        channelTradeNo: rec.channelTradeNo,
        statementLine: line,
        platformRecord: rec,
        platformRefund: null,
        detail: null,
        duplicateOfLineNo: null,
        carriedFromBusinessDate: null,
      },
    ]);
  });

  it('an empty statement and no records give no results', () => {
    expect(run({})).toEqual([]);
  });

  it('MISSING_IN_PLATFORM (长款): a line the platform never saw', () => {
    const line = lineFor(record());
    const results = runChecked({ statementLines: [line] });
    expect(results.map((r) => [r.outcome, r.statementLine, r.platformRecord])).toEqual([
      ['MISSING_IN_PLATFORM', line, null],
    ]);
  });

  it('MISSING_IN_CHANNEL (短款): a record the statement lacks, paid well before the cut-off', () => {
    const rec = record();
    const results = runChecked({ platformRecords: [rec] });
    expect(results.map((r) => [r.outcome, r.statementLine, r.platformRecord])).toEqual([
      ['MISSING_IN_CHANNEL', null, rec],
    ]);
  });

  it('AMOUNT_MISMATCH: one fen apart', () => {
    const rec = record({ amountMinor: 10_000 });
    const line = lineFor(rec, { amountMinor: 10_001 });
    const [result] = runChecked({ statementLines: [line], platformRecords: [rec] });
    expect(result.outcome).toBe('AMOUNT_MISMATCH');
    expect(result.platformRecord).toBe(rec);
    expect(result.detail).toBe('platform 10000 CNY, channel 10001 CNY');
  });

  it('AMOUNT_MISMATCH: same number, different currency', () => {
    const rec = record();
    const line = lineFor(rec, { currency: 'HKD' });
    expect(runChecked({ statementLines: [line], platformRecords: [rec] })[0].outcome).toBe(
      'AMOUNT_MISMATCH',
    );
  });

  it('STATUS_MISMATCH: the channel says CLOSED for a payment we booked, and it wins over amount', () => {
    const rec = record();
    const line = lineFor(rec, { status: 'CLOSED', amountMinor: 1 });
    const [result] = runChecked({ statementLines: [line], platformRecords: [rec] });
    expect(result.outcome).toBe('STATUS_MISMATCH');
    expect(result.detail).toContain('CLOSED');
  });

  it('DUPLICATE: the second line of a trade number; the first is judged normally', () => {
    const rec = record();
    const first = lineFor(rec);
    const second = lineFor(rec);
    const third = lineFor(rec, { amountMinor: 1 });
    const results = runChecked({ statementLines: [first, second, third], platformRecords: [rec] });
    expect(results.map((r) => [r.outcome, r.statementLine?.lineNo, r.duplicateOfLineNo])).toEqual([
      ['MATCHED', first.lineNo, null],
      ['DUPLICATE', second.lineNo, first.lineNo],
      ['DUPLICATE', third.lineNo, first.lineNo],
    ]);
    expect(results[1].platformRecord).toBeNull();
  });

  it('DUPLICATE also when the platform never saw the trade', () => {
    const phantom = record();
    const results = runChecked({ statementLines: [lineFor(phantom), lineFor(phantom)] });
    expect(results.map((r) => r.outcome)).toEqual(['MISSING_IN_PLATFORM', 'DUPLICATE']);
  });

  describe('refund lines (退款) against platform refunds', () => {
    let refundSeq = 0;
    function platformRefund(
      payment: PlatformRecord,
      overrides: Partial<PlatformRefundRecord> = {},
    ): PlatformRefundRecord {
      refundSeq += 1;
      return {
        refundId: `ref_${String(refundSeq).padStart(4, '0')}`,
        transactionId: payment.transactionId,
        paymentId: payment.paymentId,
        channel: payment.channel,
        channelAccountId: null,
        channelTradeNo: payment.channelTradeNo,
        channelRefundNo: `CR${refundSeq}`,
        amountMinor: 500,
        currency: 'CNY',
        refundedAt: NOON,
        businessDate: DATE,
        ...overrides,
      };
    }
    const refundLine = (
      payment: PlatformRecord,
      refund: PlatformRefundRecord | string,
      amountMinor = 500,
    ) =>
      lineFor(payment, {
        status: 'REFUND',
        amountMinor,
        refundRequestNo: typeof refund === 'string' ? refund : refund.refundId,
        refundNo: typeof refund === 'string' ? refund : refund.refundId,
      });

    it('matches each refund line to its platform refund by our refund id, beside its payment', () => {
      const rec = record();
      const first = platformRefund(rec, { amountMinor: 300 });
      const second = platformRefund(rec, { amountMinor: 200 });
      const lines = [lineFor(rec), refundLine(rec, second, 200), refundLine(rec, first, 300)];
      const results = runChecked({
        statementLines: lines,
        platformRecords: [rec],
        platformRefunds: [first, second],
      });
      expect(results.map((r) => [r.outcome, r.platformRefund?.refundId ?? null])).toEqual([
        ['MATCHED', null],
        ['MATCHED', second.refundId],
        ['MATCHED', first.refundId],
      ]);
      expect(results.every((r) => !isBreak(r.outcome))).toBe(true);
    });

    it('falls back to the channel refund number when the line has no request number', () => {
      const rec = record();
      const refund = platformRefund(rec, { channelRefundNo: '50300000012026' });
      const line = lineFor(rec, { status: 'REFUND', amountMinor: 500, refundNo: '50300000012026' });
      const results = runChecked({
        statementLines: [line],
        platformRecords: [rec],
        platformRefunds: [refund],
      });
      expect(results.map((r) => [r.outcome, r.platformRefund?.refundId ?? null])).toEqual([
        ['MATCHED', refund.refundId],
        ['MISSING_IN_CHANNEL', null],
      ]);
    });

    it('REFUND_MISSING_IN_PLATFORM for a refund only the channel has, never STATUS_MISMATCH on the payment', () => {
      const rec = record();
      const refundOnly = refundLine(rec, 'ref_unknown');
      const results = runChecked({
        statementLines: [lineFor(rec), refundOnly],
        platformRecords: [rec],
      });
      expect(results.map((r) => r.outcome)).toEqual(['MATCHED', 'REFUND_MISSING_IN_PLATFORM']);
      expect(results[1].platformRecord).toBeNull();
      expect(results[1].platformRefund).toBeNull();
      expect(isBreak('REFUND_MISSING_IN_PLATFORM')).toBe(true);
    });

    it('a refund-only statement for a trade we hold as paid: the payment is MISSING_IN_CHANNEL, the refund judged on its own', () => {
      const rec = record();
      const refund = platformRefund(rec);
      const results = runChecked({
        statementLines: [refundLine(rec, refund)],
        platformRecords: [rec],
        platformRefunds: [refund],
      });
      expect(results.map((r) => r.outcome)).toEqual(['MATCHED', 'MISSING_IN_CHANNEL']);
      expect(results.some((r) => r.outcome === 'STATUS_MISMATCH')).toBe(false);
    });

    it('REFUND_MISSING_IN_CHANNEL for a platform refund the statement lacks', () => {
      const rec = record();
      const present = platformRefund(rec);
      const absent = platformRefund(rec);
      const results = runChecked({
        statementLines: [lineFor(rec), refundLine(rec, present)],
        platformRecords: [rec],
        platformRefunds: [present, absent],
      });
      expect(results.map((r) => [r.outcome, r.platformRefund?.refundId ?? null])).toEqual([
        ['MATCHED', null],
        ['MATCHED', present.refundId],
        ['REFUND_MISSING_IN_CHANNEL', absent.refundId],
      ]);
      expect(results[2].statementLine).toBeNull();
      expect(results[2].channelTradeNo).toBe(rec.channelTradeNo);
    });

    it('REFUND_AMOUNT_MISMATCH when both have the refund for different amounts', () => {
      const rec = record();
      const refund = platformRefund(rec, { amountMinor: 500 });
      const results = runChecked({
        statementLines: [lineFor(rec), refundLine(rec, refund, 501)],
        platformRecords: [rec],
        platformRefunds: [refund],
      });
      expect(results[1]).toMatchObject({
        outcome: 'REFUND_AMOUNT_MISMATCH',
        platformRefund: refund,
        detail: `refund ${refund.refundId}: platform 500 CNY, channel 501 CNY`,
      });
    });

    it('a repeated refund line is DUPLICATE, a second refund of the trade is not', () => {
      const rec = record();
      const r1 = platformRefund(rec);
      const r2 = platformRefund(rec);
      const results = runChecked({
        statementLines: [
          lineFor(rec),
          refundLine(rec, r1),
          refundLine(rec, r1),
          refundLine(rec, r2),
        ],
        platformRecords: [rec],
        platformRefunds: [r1, r2],
      });
      expect(results.map((r) => r.outcome)).toEqual(['MATCHED', 'MATCHED', 'DUPLICATE', 'MATCHED']);
    });

    it('refuses a platform refund of another channel or day, or one given twice', () => {
      const rec = record();
      const refund = platformRefund(rec);
      expect(() => run({ platformRefunds: [{ ...refund, businessDate: PREVIOUS }] })).toThrow(
        expect.objectContaining({ code: 'RECON.INVALID_INPUT' }),
      );
      expect(() => run({ platformRefunds: [{ ...refund, channel: 'WECHAT_PAY' }] })).toThrow(
        expect.objectContaining({ code: 'RECON.INVALID_INPUT' }),
      );
      expect(() => run({ platformRefunds: [refund, refund] })).toThrow(
        `refund ${refund.refundId} given twice`,
      );
    });
  });

  describe('CROSS_DAY (跨日) at the cut-off, 00:00 Asia/Shanghai', () => {
    const at = (iso: string) => new Date(iso);
    it.each([
      // [paidAt (UTC), expected outcome]
      ['2031-03-14T15:59:59.999Z', 'CROSS_DAY'], // 23:59:59.999 Shanghai
      ['2031-03-14T15:55:00.000Z', 'CROSS_DAY'], // exactly 5 min before: inside
      ['2031-03-14T15:54:59.999Z', 'MISSING_IN_CHANNEL'], // just outside the window
      ['2031-03-14T16:00:00.000Z', 'MISSING_IN_CHANNEL'], // 00:00 Shanghai is past the cut-off
    ])('a missing record paid at %s is %s', (paidAt, expected) => {
      const rec = record({ paidAt: at(paidAt) });
      expect(runChecked({ platformRecords: [rec] })[0].outcome).toBe(expected);
    });

    it('the cut-off is 16:00Z of the business date', () => {
      expect(CUT_OFF.toISOString()).toBe('2031-03-14T16:00:00.000Z');
    });

    it('the window is configurable, and 0 turns suspense off', () => {
      const rec = record({ paidAt: at('2031-03-14T15:50:00.000Z') }); // 10 min before
      expect(runChecked({ platformRecords: [rec] })[0].outcome).toBe('MISSING_IN_CHANNEL');
      expect(runChecked({ platformRecords: [rec], crossDayWindowMinutes: 10 })[0].outcome).toBe(
        'CROSS_DAY',
      );
      const late = record({ paidAt: at('2031-03-14T15:59:59.999Z') });
      expect(runChecked({ platformRecords: [late], crossDayWindowMinutes: 0 })[0].outcome).toBe(
        'MISSING_IN_CHANNEL',
      );
    });

    it('a record near the cut-off that IS on the statement is simply MATCHED', () => {
      const rec = record({ paidAt: at('2031-03-14T15:59:59.999Z') });
      expect(
        runChecked({ statementLines: [lineFor(rec)], platformRecords: [rec] })[0].outcome,
      ).toBe('MATCHED');
    });

    it('is not a break; every other non-MATCHED outcome is', () => {
      expect(isBreak('CROSS_DAY')).toBe(false);
      expect(isBreak('MATCHED')).toBe(false);
      for (const outcome of [
        'MISSING_IN_PLATFORM',
        'MISSING_IN_CHANNEL',
        'AMOUNT_MISMATCH',
        'STATUS_MISMATCH',
        'FEE_MISMATCH',
        'DUPLICATE',
      ] as const) {
        expect(isBreak(outcome)).toBe(true);
      }
    });

    it('day 1 suspends the record; day 2 finds it on its statement and matches it', () => {
      const late = record({ businessDate: PREVIOUS, paidAt: at('2031-03-13T15:58:00.000Z') });
      const day1 = runChecked({ businessDate: PREVIOUS, platformRecords: [late] });
      expect(day1.map((r) => r.outcome)).toEqual(['CROSS_DAY']);

      const suspended = day1.filter((r) => r.outcome === 'CROSS_DAY').map((r) => r.platformRecord!);
      const today = record();
      const day2 = runChecked({
        statementLines: [lineFor(today), lineFor(late, { paidAt: at('2031-03-13T16:00:03.000Z') })],
        platformRecords: [today],
        suspended,
      });
      expect(day2.map((r) => [r.outcome, r.platformRecord, r.carriedFromBusinessDate])).toEqual([
        ['MATCHED', today, null],
        ['MATCHED', late, PREVIOUS],
      ]);
    });

    it('a suspended record absent from the next statement too is MISSING_IN_CHANNEL, never suspended twice', () => {
      // Paid 23:59 on the previous day, so it is also "near a cut-off" by the clock: still a break.
      const late = record({ businessDate: PREVIOUS, paidAt: at('2031-03-13T15:59:00.000Z') });
      const [result] = runChecked({ suspended: [late] });
      expect(result.outcome).toBe('MISSING_IN_CHANNEL');
      expect(result.carriedFromBusinessDate).toBe(PREVIOUS);
    });

    it('a suspended record found with another amount is an AMOUNT_MISMATCH', () => {
      const late = record({ businessDate: PREVIOUS, paidAt: at('2031-03-13T15:58:00.000Z') });
      const [result] = runChecked({
        statementLines: [lineFor(late, { amountMinor: 9_999 })],
        suspended: [late],
      });
      expect(result.outcome).toBe('AMOUNT_MISMATCH');
      expect(result.carriedFromBusinessDate).toBe(PREVIOUS);
    });
  });

  it('a mixed run: every line and record in exactly one result, counted per outcome', () => {
    const matched = record();
    const amount = record();
    const closed = record();
    const shortage = record();
    const crossDay = record({ paidAt: new Date('2031-03-14T15:57:00.000Z') });
    const phantom = record();
    const input: Partial<ReconcileInput> = {
      statementLines: [
        lineFor(matched),
        lineFor(amount, { amountMinor: 1 }),
        lineFor(closed, { status: 'CLOSED' }),
        lineFor(phantom),
        lineFor(matched),
      ],
      platformRecords: [matched, amount, closed, shortage, crossDay],
    };
    const results = runChecked(input);
    expect(countByOutcome(results)).toEqual({
      MATCHED: 1,
      MISSING_IN_PLATFORM: 1,
      MISSING_IN_CHANNEL: 1,
      AMOUNT_MISMATCH: 1,
      STATUS_MISMATCH: 1,
      FEE_MISMATCH: 0,
      DUPLICATE: 1,
      CROSS_DAY: 1,
      REFUND_MISSING_IN_PLATFORM: 0,
      REFUND_MISSING_IN_CHANNEL: 0,
      REFUND_AMOUNT_MISMATCH: 0,
    });
    expect(results.filter((r) => r.outcome === 'MISSING_IN_CHANNEL')[0].platformRecord).toBe(
      shortage,
    );
  });

  it('custom rules plug in through MatchingRule; the first verdict wins', () => {
    const feeRule: MatchingRule = {
      name: 'fee',
      check: (line) =>
        line.feeMinor !== undefined && line.feeMinor > 60
          ? { outcome: 'FEE_MISMATCH', detail: `fee ${line.feeMinor}` }
          : null,
    };
    const rec = record();
    const results = runChecked({
      statementLines: [lineFor(rec, { feeMinor: 61 })],
      platformRecords: [rec],
      rules: [feeRule],
    });
    expect(results[0]).toMatchObject({ outcome: 'FEE_MISMATCH', detail: 'fee 61' });
  });

  describe('refuses inputs that break its preconditions (RECON.INVALID_INPUT)', () => {
    const rec = record();
    it.each<[string, Partial<ReconcileInput>]>([
      ['a bad business date', { businessDate: '2031-02-30' }],
      ['a negative window', { crossDayWindowMinutes: -1 }],
      ['a fractional window', { crossDayWindowMinutes: 1.5 }],
      ['a window over 720 minutes', { crossDayWindowMinutes: 721 }],
      ['a line of another channel', { statementLines: [lineFor(rec, { channel: 'WECHAT_PAY' })] }],
      ['a record of another channel', { platformRecords: [{ ...rec, channel: 'WECHAT_PAY' }] }],
      ['a record of another date', { platformRecords: [{ ...rec, businessDate: PREVIOUS }] }],
      ['a suspended record not from the day before', { suspended: [rec] }],
      ['the same transaction twice', { platformRecords: [rec, rec] }],
      [
        'one trade number on two transactions',
        { platformRecords: [rec, { ...rec, transactionId: 'txn_other' }] },
      ],
      [
        'a record both today and suspended',
        { platformRecords: [rec], suspended: [{ ...rec, businessDate: PREVIOUS }] },
      ],
    ])('%s', (_name, input) => {
      expect(() => run(input)).toThrow(expect.objectContaining({ code: 'RECON.INVALID_INPUT' }));
    });
  });
});
