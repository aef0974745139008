import { failedSettlementWebhook, paidSettlementWebhook } from './settlement-webhook';

const cny = (amountMinor: number) => ({ amountMinor, currency: 'CNY' as const });
const facts = {
  batchId: 'stb_01M85DMB00EHTE541GQYE3T4TM',
  merchantId: 'mch_01M85DMB00EHTE541GQYE3T4TJ',
  settlementDate: '2026-12-02',
  itemCount: 3,
  totals: {
    gross: cny(30_000),
    fees: cny(180),
    refunds: cny(1_000),
    itemsNet: cny(28_820),
    reserveHeld: cny(0),
    reserveReleased: cny(0),
    carriedIn: cny(0),
    net: cny(28_820),
  },
  occurredAt: '2026-12-02T01:00:00.000Z',
};

describe('settlement webhook data', () => {
  it('a paid batch carries its payout amount and bank transaction number', () => {
    const data = paidSettlementWebhook({
      ...facts,
      payoutId: 'po_01M85DMB00EHTE541GQYE3T4TM',
      payoutRequestNo: 'PO20261202000001',
      bankTxnNo: 'PLB0001',
      amount: cny(28_820),
      paidAt: '2026-12-02T01:05:00.000Z',
    });
    expect(data).toMatchObject({
      id: facts.batchId,
      object: 'settlement',
      state: 'PAID',
      settlementDate: '2026-12-02',
      totals: facts.totals,
      payout: { amount: cny(28_820), bankTxnNo: 'PLB0001', failureCode: null },
      paidAt: '2026-12-02T01:05:00.000Z',
    });
  });

  it('a failed batch carries the failure code and message, no bank number', () => {
    const data = failedSettlementWebhook({
      ...facts,
      payoutId: null,
      amount: cny(28_820),
      failureCode: 'NO_PAYOUT_ACCOUNT',
      failureMessage: 'No settlement bank account on file.',
    });
    expect(data).toMatchObject({
      state: 'FAILED',
      payout: {
        id: null,
        bankTxnNo: null,
        failureCode: 'NO_PAYOUT_ACCOUNT',
        failureMessage: 'No settlement bank account on file.',
      },
      paidAt: null,
    });
  });
});
