import { newId } from '@paylab/ids';
import { Money, Rate } from '@paylab/money';
import { clearPayment, clearRefund } from '../../clearing/domain/clearing';
import {
  journalForPaymentClearing,
  journalForRefundClearing,
  ledgerAccount,
  postJournal,
  type JournalEntry,
} from '../../ledger/domain';
import {
  balanceOnNormalSide,
  checkAccountingIdentities,
  IDENTITY_NAMES,
  type AccountTotals,
  type SubLedgerTotals,
} from './accounting-identities';

const MERCHANT = newId('mch');
const PAYMENT = newId('pay');
const cny = (fen: number) => Money.of(fen, 'CNY');
const PENDING = ledgerAccount('MERCHANT_PAYABLE_PENDING', MERCHANT);
const AVAILABLE = ledgerAccount('MERCHANT_PAYABLE_AVAILABLE', MERCHANT);
const RESERVE = ledgerAccount('MERCHANT_RESERVE', MERCHANT);
const IN_TRANSIT = ledgerAccount('MERCHANT_PAYABLE_IN_TRANSIT', MERCHANT);

/** Sums journal lines per account, the way the books read them from Postgres. */
function totalsOf(entries: readonly JournalEntry[]): AccountTotals[] {
  const byAccount = new Map<string, AccountTotals>();
  for (const line of entries.flatMap((entry) => entry.lines)) {
    const key = `${line.account}/${line.amount.currency}`;
    const current = byAccount.get(key) ?? {
      account: line.account,
      currency: line.amount.currency,
      debitsMinor: 0n,
      creditsMinor: 0n,
    };
    const amount = BigInt(line.amount.amountMinor);
    byAccount.set(key, {
      ...current,
      debitsMinor: current.debitsMinor + (line.side === 'DEBIT' ? amount : 0n),
      creditsMinor: current.creditsMinor + (line.side === 'CREDIT' ? amount : 0n),
    });
  }
  return [...byAccount.values()];
}

const subLedgers = (overrides: Partial<SubLedgerTotals> = {}): SubLedgerTotals => ({
  currency: 'CNY',
  unbatchedItemsNetMinor: 0n,
  heldReserveMinor: 0n,
  releasedReserveMinor: 0n,
  batchedNetLessReserveMinor: 0n,
  inFlightPayoutsMinor: 0n,
  paidPayoutsMinor: 0n,
  unfailedPayoutsMinor: 0n,
  ...overrides,
});

const move = (from: string, to: string, fen: number, references: Record<string, string> = {}) =>
  postJournal({
    description: `${from} -> ${to}`,
    lines: [
      { account: from, side: 'DEBIT', amount: cny(fen) },
      { account: to, side: 'CREDIT', amount: cny(fen) },
    ],
    references,
  });

/** The worked example: ¥100.00 at 0.6 % fee and 0.38 % cost, refunded ¥30.00, settled T+1, paid. */
function workedExample() {
  const payment = clearPayment({
    gross: cny(10_000),
    schedule: { merchantFeeRate: Rate.ppm(6_000), channelCostRate: Rate.ppm(3_800) },
  });
  const clearing = journalForPaymentClearing(payment, {
    paymentId: PAYMENT,
    merchantId: MERCHANT,
    channel: 'ALIPAY',
  });
  const refund = clearRefund(cny(3_000), payment);
  const refundEntry = journalForRefundClearing(
    { ...refund },
    { refundId: newId('ref'), paymentId: PAYMENT, merchantId: MERCHANT, channel: 'ALIPAY' },
  );
  const net = payment.merchantNet.amountMinor - refund.merchantNetRefund.amountMinor;
  const batchId = newId('stb');
  const payoutId = newId('po');
  return {
    payment,
    refund,
    net,
    clearing,
    refundEntry,
    batch: move(PENDING, AVAILABLE, net, { batchId, merchantId: MERCHANT }),
    sent: move(AVAILABLE, IN_TRANSIT, net, { batchId, payoutId }),
    paid: move(IN_TRANSIT, 'PLATFORM_BANK', net, { batchId, payoutId }),
    failed: move(IN_TRANSIT, AVAILABLE, net, { batchId, payoutId }),
  };
}

const failing = (results: ReturnType<typeof checkAccountingIdentities>) =>
  results.filter((result) => !result.holds).map((result) => result.name);

describe('checkAccountingIdentities', () => {
  it('holds on an empty ledger, at 0 = 0 in CNY, one result per identity', () => {
    const results = checkAccountingIdentities([], []);
    expect(results.map((r) => r.name)).toEqual([...IDENTITY_NAMES]);
    expect(results.every((r) => r.holds && r.leftMinor === 0 && r.rightMinor === 0)).toBe(true);
    expect(results.every((r) => r.currency === 'CNY' && r.statement !== '')).toBe(true);
  });

  it('the worked example has the course figures: fee 60, cost 38, refund gives back 18 and 11', () => {
    const { payment, refund, net } = workedExample();
    expect(payment.merchantFee).toEqual(cny(60));
    expect(payment.channelCost).toEqual(cny(38));
    expect(refund.merchantFeeRefund).toEqual(cny(18));
    expect(refund.channelCostRefund).toEqual(cny(11));
    expect(net).toBe(9_940 - 2_982);
  });

  it('holds at every step of a payment, refund, batch and payout when the sub-ledgers agree', () => {
    const { clearing, refundEntry, batch, sent, paid, net } = workedExample();
    const steps: Array<[JournalEntry[], SubLedgerTotals]> = [
      [[clearing], subLedgers({ unbatchedItemsNetMinor: 9_940n })],
      [[clearing, refundEntry], subLedgers({ unbatchedItemsNetMinor: BigInt(net) })],
      [[clearing, refundEntry, batch], subLedgers({ batchedNetLessReserveMinor: BigInt(net) })],
      [
        [clearing, refundEntry, batch, sent],
        subLedgers({
          batchedNetLessReserveMinor: BigInt(net),
          inFlightPayoutsMinor: BigInt(net),
          unfailedPayoutsMinor: BigInt(net),
        }),
      ],
      [
        [clearing, refundEntry, batch, sent, paid],
        subLedgers({
          batchedNetLessReserveMinor: BigInt(net),
          paidPayoutsMinor: BigInt(net),
          unfailedPayoutsMinor: BigInt(net),
        }),
      ],
    ];
    for (const [entries, sub] of steps) {
      expect(failing(checkAccountingIdentities(totalsOf(entries), [sub]))).toEqual([]);
    }
    const [, equation] = checkAccountingIdentities(totalsOf(steps[4][0]), [steps[4][1]]);
    // Receivable 9 962 − 2 989 = 6 973, bank −6 958: 15 = payables 0 + margin (42 − 27) + suspense 0.
    expect(equation).toMatchObject({ leftMinor: 15, rightMinor: 15, holds: true });
  });

  it('holds with a reserve held and released', () => {
    const { clearing, batch, net } = workedExample();
    const hold = move(AVAILABLE, RESERVE, 500, { batchId: newId('stb') });
    const release = move(RESERVE, AVAILABLE, 200, { reserveHoldId: newId('rsv') });
    const held = subLedgers({
      unbatchedItemsNetMinor: BigInt(9_940 - net),
      batchedNetLessReserveMinor: BigInt(net - 500),
      heldReserveMinor: 500n,
    });
    expect(failing(checkAccountingIdentities(totalsOf([clearing, batch, hold]), [held]))).toEqual(
      [],
    );
    const released = { ...held, heldReserveMinor: 300n, releasedReserveMinor: 200n };
    expect(
      failing(checkAccountingIdentities(totalsOf([clearing, batch, hold, release]), [released])),
    ).toEqual([]);
  });

  it('holds when a payout fails and its money is back in available', () => {
    const { clearing, refundEntry, batch, sent, failed, net } = workedExample();
    const sub = subLedgers({ batchedNetLessReserveMinor: BigInt(net) });
    expect(
      failing(
        checkAccountingIdentities(totalsOf([clearing, refundEntry, batch, sent, failed]), [sub]),
      ),
    ).toEqual([]);
  });

  describe('fails', () => {
    it('the trial balance when the stored lines do not balance', () => {
      const totals = totalsOf([workedExample().clearing]);
      totals[0] = { ...totals[0], debitsMinor: totals[0].debitsMinor + 1n };
      const results = checkAccountingIdentities(totals, [
        subLedgers({ unbatchedItemsNetMinor: 9_940n }),
      ]);
      expect(failing(results)).toEqual(['TRIAL_BALANCE', 'ACCOUNTING_EQUATION']);
      expect(results[0]).toMatchObject({
        leftMinor: 10_001,
        rightMinor: 10_000,
        differenceMinor: 1,
      });
    });

    it('the accounting equation when money is booked to an account the chart does not know', () => {
      const stray = postJournal({
        description: 'hand-written',
        lines: [
          { account: 'FEE_REVENUE', side: 'DEBIT', amount: cny(100) },
          { account: 'CHANNEL_COST', side: 'CREDIT', amount: cny(100) },
        ],
      });
      const totals = [
        ...totalsOf([workedExample().clearing, stray]).filter((t) => t.account !== 'CHANNEL_COST'),
        { account: 'CASH', currency: 'CNY', debitsMinor: 38n, creditsMinor: 100n },
      ];
      const results = checkAccountingIdentities(totals, [
        subLedgers({ unbatchedItemsNetMinor: 9_940n }),
      ]);
      expect(failing(results)).toEqual(['ACCOUNTING_EQUATION']);
    });

    it('the pending sub-ledger when a clearing has no settlement item', () => {
      const results = checkAccountingIdentities(totalsOf([workedExample().clearing]), []);
      expect(failing(results)).toEqual(['PENDING_SUBLEDGER']);
      expect(results.find((r) => r.name === 'PENDING_SUBLEDGER')).toMatchObject({
        leftMinor: 9_940,
        rightMinor: 0,
        differenceMinor: 9_940,
      });
    });

    it('the reserve sub-ledger when a hold is recorded but never booked', () => {
      const { clearing, batch, net } = workedExample();
      const sub = subLedgers({
        unbatchedItemsNetMinor: BigInt(9_940 - net),
        batchedNetLessReserveMinor: BigInt(net - 500),
        heldReserveMinor: 500n,
      });
      expect(failing(checkAccountingIdentities(totalsOf([clearing, batch]), [sub]))).toEqual([
        'RESERVE_SUBLEDGER',
        'AVAILABLE_SUBLEDGER',
      ]);
    });

    it('the in-transit sub-ledger when a payout is still in flight but the ledger says paid', () => {
      const { clearing, refundEntry, batch, sent, paid, net } = workedExample();
      const sub = subLedgers({
        batchedNetLessReserveMinor: BigInt(net),
        inFlightPayoutsMinor: BigInt(net),
        unfailedPayoutsMinor: BigInt(net),
      });
      expect(
        failing(
          checkAccountingIdentities(totalsOf([clearing, refundEntry, batch, sent, paid]), [sub]),
        ),
      ).toEqual(['IN_TRANSIT_SUBLEDGER', 'PAID_SUBLEDGER']);
    });

    it('the paid sub-ledger when the bank is credited twice for one payout', () => {
      const { clearing, refundEntry, batch, sent, paid, net } = workedExample();
      const again = move(AVAILABLE, 'PLATFORM_BANK', 1);
      const sub = subLedgers({
        batchedNetLessReserveMinor: BigInt(net),
        paidPayoutsMinor: BigInt(net),
        unfailedPayoutsMinor: BigInt(net),
      });
      expect(
        failing(
          checkAccountingIdentities(totalsOf([clearing, refundEntry, batch, sent, paid, again]), [
            sub,
          ]),
        ),
      ).toEqual(['PAID_SUBLEDGER', 'AVAILABLE_SUBLEDGER']);
    });

    it('the available sub-ledger when a refused payout is returned but still counted as paid out', () => {
      const { clearing, refundEntry, batch, sent, failed, net } = workedExample();
      const sub = subLedgers({
        batchedNetLessReserveMinor: BigInt(net),
        unfailedPayoutsMinor: BigInt(net),
      });
      expect(
        failing(
          checkAccountingIdentities(totalsOf([clearing, refundEntry, batch, sent, failed]), [sub]),
        ),
      ).toEqual(['AVAILABLE_SUBLEDGER']);
    });
  });

  it('checks each currency on its own', () => {
    const usd = postJournal({
      description: 'usd',
      lines: [
        { account: 'CHANNEL_RECEIVABLE:ALIPAY', side: 'DEBIT', amount: Money.of(500, 'USD') },
        { account: PENDING, side: 'CREDIT', amount: Money.of(500, 'USD') },
      ],
    });
    const results = checkAccountingIdentities(totalsOf([workedExample().clearing, usd]), [
      subLedgers({ unbatchedItemsNetMinor: 9_940n }),
      subLedgers({ currency: 'USD', unbatchedItemsNetMinor: 400n }),
    ]);
    expect(results.filter((r) => !r.holds).map((r) => `${r.name} ${r.currency}`)).toEqual([
      'PENDING_SUBLEDGER USD',
    ]);
    expect(new Set(results.map((r) => r.currency))).toEqual(new Set(['CNY', 'USD']));
  });
});

describe('balanceOnNormalSide', () => {
  it('signs liabilities on the credit side and assets on the debit side', () => {
    const totals = { currency: 'CNY', debitsMinor: 30n, creditsMinor: 100n };
    expect(balanceOnNormalSide({ ...totals, account: PENDING })).toBe(70n);
    expect(balanceOnNormalSide({ ...totals, account: 'PLATFORM_BANK' })).toBe(-70n);
    expect(balanceOnNormalSide({ ...totals, account: 'CASH' })).toBe(-70n);
  });
});
