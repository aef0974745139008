import { cutOffOf } from './business-date';
import { countByOutcome, reconcile, type ReconcileInput, type ReconResult } from './matcher';
import type { MatchingRule } from './matching-rule';
import { isBreak, type PlatformRecord, type StatementLine } from './records';

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

  it('a refund line shares the trade number without being a duplicate, and has no platform side yet', () => {
    const rec = record();
    const payment = lineFor(rec);
    const refund = lineFor(rec, { status: 'REFUND', refundNo: 'R1', amountMinor: 500 });
    const sameRefund = lineFor(rec, { status: 'REFUND', refundNo: 'R1', amountMinor: 500 });
    const otherRefund = lineFor(rec, { status: 'REFUND', refundNo: 'R2', amountMinor: 500 });
    const results = runChecked({
      statementLines: [payment, refund, sameRefund, otherRefund],
      platformRecords: [rec],
    });
    expect(results.map((r) => r.outcome)).toEqual([
      'MATCHED',
      'MISSING_IN_PLATFORM',
      'DUPLICATE',
      'MISSING_IN_PLATFORM',
    ]);
  });

  it('STATUS_MISMATCH when the statement shows only a refund for a trade we hold as paid', () => {
    const rec = record();
    const refundOnly = lineFor(rec, { status: 'REFUND', refundNo: 'R1' });
    const results = runChecked({ statementLines: [refundOnly], platformRecords: [rec] });
    expect(results.map((r) => r.outcome)).toEqual(['STATUS_MISMATCH']);
    expect(results[0].platformRecord).toBe(rec);
    expect(results[0].statementLine).toBe(refundOnly);
  });

  it('a second refund-only line for the same trade is not a second status break', () => {
    const rec = record();
    const results = runChecked({
      statementLines: [
        lineFor(rec, { status: 'REFUND', refundNo: 'R1' }),
        lineFor(rec, { status: 'REFUND', refundNo: 'R2' }),
      ],
      platformRecords: [rec],
    });
    expect(results.map((r) => r.outcome)).toEqual(['STATUS_MISMATCH', 'MISSING_IN_PLATFORM']);
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
