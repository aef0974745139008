import {
  checkBatches,
  checkPayouts,
  checkMerchantAccounts,
  checkSettlementItems,
  identityResult,
  type BatchRow,
  checkClearedOnce,
  checkLedger,
  checkRefundLimits,
  checkSuspense,
  checkVerdicts,
  exitCodeOf,
  formatReport,
  notPresent,
  type LatePaymentRow,
} from './evaluate';

const NOW = new Date('2026-12-01T12:00:00Z');
const MINUTE = 60_000;
const paid = (...ids: string[]) => ids.map((transactionId) => ({ transactionId, paidAt: NOW }));
const late = (
  transactionId: string,
  returnState: LatePaymentRow['returnState'],
  minutesAgo = 1,
): [string, LatePaymentRow] => [
  transactionId,
  { transactionId, returnState, recordedAt: new Date(NOW.getTime() - minutesAgo * MINUTE) },
];

describe('(a) checkVerdicts', () => {
  it('accepts orders, returned late payments and young pending returns, counting each', () => {
    const { result, verdicts } = checkVerdicts(
      paid('txn_order', 'txn_returned', 'txn_pending'),
      new Set(['txn_order']),
      new Map([late('txn_returned', 'SUCCEEDED'), late('txn_pending', 'PENDING', 5)]),
      NOW,
      30 * MINUTE,
    );
    expect(result).toMatchObject({
      status: 'OK',
      checked: 3,
      counts: { succeededOrders: 1, latePaymentsReturned: 1, latePaymentReturnsPending: 1 },
      breaches: [],
    });
    expect([...verdicts]).toEqual([
      ['txn_order', 'ORDER'],
      ['txn_returned', 'LATE_RETURNED'],
      ['txn_pending', 'LATE_RETURN_PENDING'],
    ]);
  });

  it('names a paid transaction with no order, an overdue or failed return, and one that is both', () => {
    const { result, verdicts } = checkVerdicts(
      paid('txn_orphan', 'txn_overdue', 'txn_failed', 'txn_both'),
      new Set(['txn_both']),
      new Map([
        late('txn_overdue', 'PENDING', 31),
        late('txn_failed', 'FAILED'),
        late('txn_both', 'SUCCEEDED'),
      ]),
      NOW,
      30 * MINUTE,
    );
    expect(result.status).toBe('BREACH');
    expect(result.breaches).toEqual([
      {
        id: 'txn_orphan',
        reason: 'paid at the channel, but no SUCCEEDED order and no late payment',
      },
      {
        id: 'txn_overdue',
        reason: 'late payment whose return is still PENDING after the 30 min grace period',
      },
      { id: 'txn_failed', reason: 'late payment whose return refund FAILED' },
      { id: 'txn_both', reason: 'both the transaction of a SUCCEEDED order and a late payment' },
    ]);
    expect(verdicts.size).toBe(0);
  });
});

describe('(b) checkClearedOnce', () => {
  const verdicts = new Map([
    ['txn_order', 'ORDER' as const],
    ['txn_late', 'LATE_RETURNED' as const],
  ]);
  it('accepts one payment clearing per order and one suspense clearing per late payment', () => {
    const result = checkClearedOnce(
      paid('txn_order', 'txn_late'),
      verdicts,
      new Map([
        ['txn_order', { paymentClearings: 1, suspenseClearings: 0 }],
        ['txn_late', { paymentClearings: 0, suspenseClearings: 1 }],
      ]),
    );
    expect(result).toMatchObject({
      status: 'OK',
      checked: 2,
      counts: { paymentClearings: 1, suspenseClearings: 1 },
    });
  });

  it('names uncleared, twice-cleared and wrongly cleared transactions', () => {
    const result = checkClearedOnce(
      paid('txn_order', 'txn_late', 'txn_none', 'txn_twice'),
      verdicts,
      new Map([
        ['txn_order', { paymentClearings: 0, suspenseClearings: 1 }],
        ['txn_late', { paymentClearings: 1, suspenseClearings: 0 }],
        ['txn_twice', { paymentClearings: 1, suspenseClearings: 1 }],
      ]),
    );
    expect(result.breaches.map((breach) => [breach.id, breach.reason.split(' (')[0]])).toEqual([
      ['txn_order', 'a paid order cleared into suspense'],
      ['txn_late', "a late payment cleared as the merchant's money"],
      ['txn_none', 'not cleared'],
      ['txn_twice', 'cleared 2 times'],
    ]);
  });
});

describe('(c) checkRefundLimits', () => {
  it('allows refunds up to the amount paid and names any beyond it', () => {
    const result = checkRefundLimits('(c1)', 'orders', [
      { id: 'pay_full', paidMinor: 100n, refundedMinor: 100n },
      { id: 'pay_none', paidMinor: 100n, refundedMinor: 0n },
      { id: 'pay_over', paidMinor: 100n, refundedMinor: 101n },
    ]);
    expect(result).toMatchObject({ status: 'BREACH', checked: 3, counts: { withRefunds: 2 } });
    expect(result.breaches).toEqual([
      { id: 'pay_over', reason: 'refunds 101 exceed the 100 paid' },
    ]);
  });

  it('compares beyond the range of doubles exactly', () => {
    const big = 2n ** 60n;
    expect(
      checkRefundLimits('(c3)', 'clearings', [
        { id: 'clr_x', paidMinor: big, refundedMinor: big + 1n },
      ]).status,
    ).toBe('BREACH');
  });
});

describe('(d) checkLedger', () => {
  it('accepts balanced entries and totals', () => {
    const result = checkLedger(
      [{ entryId: 'jnl_a', lines: 2, currencies: 1, debits: 100n, credits: 100n }],
      [{ currency: 'CNY', debits: 100n, credits: 100n }],
    );
    expect(result).toMatchObject({ status: 'OK', checked: 1, counts: { currencies: 1 } });
  });

  it('names an unbalanced, a one-line and a mixed-currency entry, and unbalanced totals', () => {
    const result = checkLedger(
      [
        { entryId: 'jnl_unbalanced', lines: 2, currencies: 1, debits: 100n, credits: 99n },
        { entryId: 'jnl_lonely', lines: 1, currencies: 1, debits: 5n, credits: 0n },
        { entryId: 'jnl_mixed', lines: 2, currencies: 2, debits: 5n, credits: 5n },
      ],
      [{ currency: 'CNY', debits: 105n, credits: 99n }],
    );
    expect(result.breaches.map((breach) => breach.id)).toEqual([
      'jnl_unbalanced',
      'jnl_lonely',
      'jnl_mixed',
      'CNY',
    ]);
  });
});

describe('(e) checkSuspense', () => {
  it('accepts a suspense balance equal to the late payments not yet returned', () => {
    expect(checkSuspense(new Map([['CNY', 800n]]), new Map([['CNY', 800n]]), 1).status).toBe('OK');
    expect(checkSuspense(new Map(), new Map(), 0)).toMatchObject({ status: 'OK', checked: 0 });
  });

  it('names a currency whose suspense disagrees, either way', () => {
    const result = checkSuspense(new Map([['CNY', 0n]]), new Map([['CNY', 800n]]), 1);
    expect(result.breaches).toEqual([
      {
        id: 'CNY',
        reason: 'LATE_PAYMENT_SUSPENSE balance 0 ≠ 800 of late payments not yet returned',
      },
    ]);
    expect(checkSuspense(new Map([['USD', 5n]]), new Map(), 0).status).toBe('BREACH');
  });
});

describe('report', () => {
  it('prints each check with its counts and breaches; exits 1 only on a breach', () => {
    const ok = checkRefundLimits('(c1)', 'orders', []);
    const missing = notPresent('(c2)', 'channel refunds', 'acquiring.channel_refunds');
    const breached = checkRefundLimits('(c3)', 'clearings', [
      { id: 'clr_x', paidMinor: 1n, refundedMinor: 2n },
    ]);
    const window = { from: new Date('2026-11-30T12:00:00Z'), to: NOW };
    expect(exitCodeOf([ok, missing])).toBe(0);
    expect(exitCodeOf([ok, missing, breached])).toBe(1);
    expect(formatReport(window, [ok, missing, breached]).split('\n')).toEqual([
      'check:invariants  window 2026-11-30T12:00:00.000Z … 2026-12-01T12:00:00.000Z',
      '[OK] (c1) orders: 0 checked (withRefunds 0)',
      '[NOT_PRESENT] (c2) channel refunds: 0 checked',
      '    note: acquiring.channel_refunds not present',
      '[BREACH] (c3) clearings: 1 checked (withRefunds 1), 1 breach(es)',
      '    BREACH clr_x: refunds 2 exceed the 1 paid',
      '1 check(s) breached',
    ]);
  });
});

describe('settlement checks (f)-(i)', () => {
  const MERCHANT = 'mch_01M85DMB00EHTE541GQYE3T4TJ';
  const amounts = (count: number, net: bigint) => ({
    count,
    grossMinor: net,
    feeMinor: 0n,
    refundMinor: 0n,
    netMinor: net,
  });
  const batch = (overrides: Partial<BatchRow> = {}): BatchRow => ({
    id: 'stb_1',
    merchantId: MERCHANT,
    currency: 'CNY',
    settlementDate: '2026-03-02',
    state: 'PAID',
    itemsThroughSeq: 10n,
    dueThrough: '2026-03-01',
    prevItemsThroughSeq: 0n,
    prevDueThrough: null,
    stored: {
      ...amounts(2, 1000n),
      reserveHeldMinor: 0n,
      reserveReleasedMinor: 0n,
      carriedInMinor: 0n,
      totalNetMinor: 1000n,
    },
    owned: amounts(2, 1000n),
    payouts: [{ id: 'po_1', state: 'PAID', amountMinor: 1000n }],
    ...overrides,
  });

  it('(f) finds a clearing without its item, a doubled item, a wrong net and an orphan', () => {
    const expected = [
      { sourceId: 'clr_a', kind: 'PAYMENT' as const, merchantId: MERCHANT, netMinor: 994n },
      { sourceId: 'clr_b', kind: 'REFUND' as const, merchantId: MERCHANT, netMinor: -298n },
      { sourceId: 'clr_c', kind: 'PAYMENT' as const, merchantId: MERCHANT, netMinor: 100n },
      { sourceId: 'clr_d', kind: 'PAYMENT' as const, merchantId: MERCHANT, netMinor: 5n },
    ];
    const recorded = new Map([
      ['clr_a', { count: 1, merchantId: MERCHANT, netMinor: 994n }],
      ['clr_b', { count: 1, merchantId: MERCHANT, netMinor: 298n }],
      ['clr_c', { count: 2, merchantId: MERCHANT, netMinor: 200n }],
    ]);
    const checked = checkSettlementItems(expected, recorded, ['clr_zz']);
    expect(checked.status).toBe('BREACH');
    expect(checked.breaches.map((b) => b.id)).toEqual(['clr_b', 'clr_c', 'clr_d', 'clr_zz']);
    expect(checkSettlementItems(expected.slice(0, 1), recorded, []).status).toBe('OK');
  });

  it('(g) holds for a chained batch and breaks on wrong totals, wrong arithmetic and a broken chain', () => {
    const second = batch({
      id: 'stb_2',
      settlementDate: '2026-03-03',
      itemsThroughSeq: 20n,
      dueThrough: '2026-03-02',
      prevItemsThroughSeq: 10n,
      prevDueThrough: '2026-03-01',
    });
    expect(checkBatches([second, batch()]).status).toBe('OK');
    expect(checkBatches([batch({ owned: amounts(3, 1100n) })]).breaches[0].reason).toMatch(
      /count \(2 ≠ 3\)/,
    );
    const badNet = batch({ stored: { ...batch().stored, totalNetMinor: 999n } });
    expect(checkBatches([badNet]).breaches[0].reason).toMatch(/net 999/);
    // A second batch that carries in money nothing left behind (its first batch was PAID).
    const carriedTwice = batch({
      ...second,
      stored: { ...second.stored, carriedInMinor: 500n, totalNetMinor: 1500n },
    });
    expect(checkBatches([batch(), carriedTwice]).breaches.map((b) => b.reason)).toEqual([
      `its batches carried in 500, but earlier batches left 0 behind`,
    ]);
    const carriedForward = batch({ state: 'CARRIED_FORWARD', payouts: [] });
    expect(
      checkBatches([
        carriedForward,
        {
          ...carriedTwice,
          stored: { ...carriedTwice.stored, carriedInMinor: 1000n, totalNetMinor: 2000n },
        },
      ]).status,
    ).toBe('OK');
    const gap = batch({ ...second, prevItemsThroughSeq: 9n });
    expect(checkBatches([batch(), gap]).breaches.map((b) => b.id)).toEqual(['stb_2']);
  });

  it('(h) breaks when a batch is paid twice, for the wrong amount, or paid while FAILED', () => {
    expect(checkPayouts([batch()]).status).toBe('OK');
    const twice = batch({
      payouts: [
        { id: 'po_1', state: 'PAID', amountMinor: 1000n },
        { id: 'po_2', state: 'PAID', amountMinor: 1000n },
      ],
    });
    expect(checkPayouts([twice]).breaches.map((b) => b.reason)).toContain('paid 2 times');
    const wrong = batch({ payouts: [{ id: 'po_3', state: 'PAID', amountMinor: 999n }] });
    expect(checkPayouts([wrong]).breaches[0].id).toBe('po_3');
    const failedButPaid = batch({ state: 'FAILED' });
    expect(checkPayouts([failedButPaid]).status).toBe('BREACH');
    expect(checkPayouts([batch({ state: 'CARRIED_FORWARD', payouts: [] })]).status).toBe('OK');
  });

  it('(i) reports each identity that does not hold', () => {
    const checks = [
      {
        name: 'TRIAL_BALANCE',
        currency: 'CNY',
        statement: 'd = c',
        leftMinor: 5,
        rightMinor: 5,
        holds: true,
      },
      {
        name: 'PENDING_SUBLEDGER',
        currency: 'CNY',
        statement: 'p = i',
        leftMinor: 7,
        rightMinor: 9,
        holds: false,
      },
    ];
    const result = identityResult(checks);
    expect(result.status).toBe('BREACH');
    expect(result.breaches).toEqual([{ id: 'PENDING_SUBLEDGER CNY', reason: 'p = i: 7 ≠ 9' }]);
  });

  it('(j) compares each merchant on its own, so two errors cannot cancel out', () => {
    const row = (merchantId: string, ledgerMinor: bigint, expectedMinor: bigint) => ({
      code: 'MERCHANT_PAYABLE_AVAILABLE',
      merchantId,
      currency: 'CNY',
      ledgerMinor,
      expectedMinor,
    });
    expect(checkMerchantAccounts([row('mch_a', 100n, 100n)]).status).toBe('OK');
    // Over by 50 for one merchant, under by 50 for another: the totals agree, the check does not.
    const result = checkMerchantAccounts([row('mch_a', 150n, 100n), row('mch_b', -50n, 0n)]);
    expect(result.breaches.map((b) => b.id)).toEqual([
      'MERCHANT_PAYABLE_AVAILABLE:mch_a CNY',
      'MERCHANT_PAYABLE_AVAILABLE:mch_b CNY',
    ]);
    expect(result.counts).toEqual({ merchants: 2 });
  });
});
