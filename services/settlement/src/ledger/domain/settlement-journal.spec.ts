import { journalForBatch, journalForPayout, journalForReserveRelease } from './settlement-journal';

const MERCHANT = 'mch_01M85DMB00EHTE541GQYE3T4TJ';
const BATCH = 'stb_01M85DMB00EHTE541GQYE3T4TJ';
const PAYOUT = 'po_01M85DMB00EHTE541GQYE3T4TJ';

const lines = (entry: ReturnType<typeof journalForPayout> | null) =>
  entry?.lines.map(
    (line) => `${line.side} ${line.account.split(':')[0]} ${line.amount.amountMinor}`,
  );

describe('settlement journals', () => {
  const batch = {
    batchId: BATCH,
    merchantId: MERCHANT,
    settlementDate: '2026-03-02',
    currency: 'CNY',
  };

  it('moves a positive items net to available and holds the reserve', () => {
    expect(
      lines(journalForBatch({ ...batch, itemsNetMinor: 6958, reserveHeldMinor: 695 })),
    ).toEqual([
      'DEBIT MERCHANT_PAYABLE_PENDING 6958',
      'CREDIT MERCHANT_PAYABLE_AVAILABLE 6958',
      'DEBIT MERCHANT_PAYABLE_AVAILABLE 695',
      'CREDIT MERCHANT_RESERVE 695',
    ]);
  });

  it('takes a negative items net (refunds after settlement) out of available', () => {
    expect(lines(journalForBatch({ ...batch, itemsNetMinor: -3000, reserveHeldMinor: 0 }))).toEqual(
      ['DEBIT MERCHANT_PAYABLE_AVAILABLE 3000', 'CREDIT MERCHANT_PAYABLE_PENDING 3000'],
    );
  });

  it('posts nothing for a batch that moves nothing', () => {
    expect(journalForBatch({ ...batch, itemsNetMinor: 0, reserveHeldMinor: 0 })).toBeNull();
  });

  it('releases a reserve to available', () => {
    const hold = {
      holdId: 'rsv_01M85DMB00EHTE541GQYE3T4TJ',
      merchantId: MERCHANT,
      currency: 'CNY',
      amountMinor: 695,
      releaseDate: '2026-03-09',
    };
    expect(lines(journalForReserveRelease(hold))).toEqual([
      'DEBIT MERCHANT_RESERVE 695',
      'CREDIT MERCHANT_PAYABLE_AVAILABLE 695',
    ]);
  });

  it('moves a payout to in transit, then to the bank or back to available', () => {
    const payout = {
      payoutId: PAYOUT,
      batchId: BATCH,
      merchantId: MERCHANT,
      currency: 'CNY',
      amountMinor: 6263,
    };
    expect(lines(journalForPayout(payout, 'SENT'))).toEqual([
      'DEBIT MERCHANT_PAYABLE_AVAILABLE 6263',
      'CREDIT MERCHANT_PAYABLE_IN_TRANSIT 6263',
    ]);
    expect(lines(journalForPayout(payout, 'PAID'))).toEqual([
      'DEBIT MERCHANT_PAYABLE_IN_TRANSIT 6263',
      'CREDIT PLATFORM_BANK 6263',
    ]);
    expect(lines(journalForPayout(payout, 'FAILED'))).toEqual([
      'DEBIT MERCHANT_PAYABLE_IN_TRANSIT 6263',
      'CREDIT MERCHANT_PAYABLE_AVAILABLE 6263',
    ]);
    expect(() => journalForPayout({ ...payout, amountMinor: 0 }, 'SENT')).toThrow(RangeError);
    expect(journalForPayout(payout, 'PAID').references).toEqual({
      payoutId: PAYOUT,
      batchId: BATCH,
      merchantId: MERCHANT,
    });
  });
});
