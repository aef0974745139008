import { newId } from '@paylab/ids';
import { Money, Rate } from '@paylab/money';
import { applyRefundFeePolicy } from '../../clearing/domain/refund-fee-policy';
import { clearPayment, clearRefund } from '../../clearing/domain/clearing';
import { trialBalance } from './balances';
import { journalForPaymentClearing } from './clearing-journal';
import { JournalEntry } from './journal';
import {
  journalForLatePaymentReturn,
  journalForLatePaymentSuspense,
  journalForRefundClearing,
  type LatePaymentReferences,
  type RefundReferences,
} from './refund-journal';

const cny = (fen: number) => Money.of(fen, 'CNY');
const withCode = (code: string) => expect.objectContaining({ code });
const lines = (entry: JournalEntry) =>
  entry.lines.map((line) => `${line.side} ${line.account} ${line.amount.amountMinor}`);

const MERCHANT = newId('mch');
const PENDING = `MERCHANT_PAYABLE_PENDING:${MERCHANT}`;
const REFS: RefundReferences = {
  refundId: newId('ref'),
  paymentId: newId('pay'),
  merchantId: MERCHANT,
  channel: 'ALIPAY',
};
const LATE: LatePaymentReferences = { ...REFS, transactionId: newId('txn') };
const amounts = (refund: number, fee: number, cost: number) => ({
  clearingId: newId('clr'),
  refundAmount: cny(refund),
  merchantFeeRefund: cny(fee),
  channelCostRefund: cny(cost),
});

/** Sum of the signed lines per account over several entries (debit +, credit −). */
function net(entries: JournalEntry[]): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const entry of entries) {
    for (const line of entry.lines) {
      const sign = line.side === 'DEBIT' ? 1 : -1;
      totals[line.account] = (totals[line.account] ?? 0) + sign * line.amount.amountMinor;
    }
  }
  return Object.fromEntries(Object.entries(totals).filter(([, value]) => value !== 0));
}

describe('journalForRefundClearing', () => {
  it('books a ¥30.00 refund of ¥100.00 at 0.60 % / 0.38 % as the four reversing lines', () => {
    const entry = journalForRefundClearing(amounts(3_000, 18, 11), REFS);
    expect(lines(entry)).toEqual([
      `DEBIT ${PENDING} 2982`,
      'DEBIT FEE_REVENUE 18',
      'CREDIT CHANNEL_RECEIVABLE:ALIPAY 2989',
      'CREDIT CHANNEL_COST 11',
    ]);
    expect(trialBalance([entry])).toEqual({
      totalDebits: cny(3_000),
      totalCredits: cny(3_000),
      balanced: true,
    });
    expect(entry.references).toMatchObject({ refundId: REFS.refundId, paymentId: REFS.paymentId });
  });

  it('KEEP: no fee line, the merchant bears the whole refund', () => {
    const entry = journalForRefundClearing(amounts(3_000, 0, 11), REFS);
    expect(lines(entry)).toEqual([
      `DEBIT ${PENDING} 3000`,
      'CREDIT CHANNEL_RECEIVABLE:ALIPAY 2989',
      'CREDIT CHANNEL_COST 11',
    ]);
  });

  it('leaves out zero fee and cost: a 1-fen refund is two lines', () => {
    expect(lines(journalForRefundClearing(amounts(1, 0, 0), REFS))).toEqual([
      `DEBIT ${PENDING} 1`,
      'CREDIT CHANNEL_RECEIVABLE:ALIPAY 1',
    ]);
  });

  it('a full refund after clearing brings every account back to zero (PRO_RATA)', () => {
    const payment = clearPayment({
      gross: cny(10_000),
      schedule: {
        merchantFeeRate: Rate.percentString('0.60%'),
        channelCostRate: Rate.percentString('0.38%'),
      },
    });
    const paid = journalForPaymentClearing(payment, REFS);
    const first = clearRefund(cny(3_333), payment);
    const second = clearRefund(cny(6_667), payment, [first]);
    const entries = [
      paid,
      journalForRefundClearing(first, { ...REFS, refundId: newId('ref') }),
      journalForRefundClearing(second, { ...REFS, refundId: newId('ref') }),
    ];
    expect(net(entries)).toEqual({});
  });

  it('under KEEP a full refund leaves the fee with the platform and the merchant owing it', () => {
    const payment = clearPayment({
      gross: cny(10_000),
      schedule: {
        merchantFeeRate: Rate.percentString('0.60%'),
        channelCostRate: Rate.percentString('0.38%'),
      },
    });
    const refund = applyRefundFeePolicy(clearRefund(cny(10_000), payment), 'KEEP');
    const entries = [
      journalForPaymentClearing(payment, REFS),
      journalForRefundClearing(refund, REFS),
    ];
    // The merchant was credited 99.40 and debited 100.00: it owes us the 0.60 fee it kept paying.
    expect(net(entries)).toEqual({ [PENDING]: 60, FEE_REVENUE: -60 });
  });

  it.each([
    ['a zero refund', amounts(0, 0, 0), 'LEDGER.INVALID_ENTRY'],
    ['a negative fee refund', amounts(100, -1, 0), 'LEDGER.INVALID_ENTRY'],
    ['a fee refund above the refund', amounts(100, 101, 0), 'LEDGER.INVALID_ENTRY'],
    ['a cost refund above the refund', amounts(100, 0, 101), 'LEDGER.INVALID_ENTRY'],
  ])('refuses %s', (_name, refund, code) => {
    expect(() => journalForRefundClearing(refund, REFS)).toThrow(withCode(code));
  });

  it.each([
    ['refundId', { ...REFS, refundId: 'pay_x' }],
    ['paymentId', { ...REFS, paymentId: newId('ref') }],
    ['merchantId', { ...REFS, merchantId: 'mch_nope' }],
  ])('refuses a bad %s', (_name, refs) => {
    expect(() => journalForRefundClearing(amounts(100, 0, 0), refs)).toThrow(
      withCode('LEDGER.INVALID_REFERENCE'),
    );
  });

  it('refuses a channel that is not a channel code', () => {
    expect(() =>
      journalForRefundClearing(amounts(100, 0, 0), { ...REFS, channel: 'alipay' }),
    ).toThrow(withCode('LEDGER.INVALID_ACCOUNT'));
  });
});

describe('late payment journals (迟到支付)', () => {
  it('puts the gross into suspense, never into a merchant payable', () => {
    const entry = journalForLatePaymentSuspense(cny(8_800), LATE);
    expect(lines(entry)).toEqual([
      'DEBIT CHANNEL_RECEIVABLE:ALIPAY 8800',
      'CREDIT LATE_PAYMENT_SUSPENSE 8800',
    ]);
    expect(entry.references).toMatchObject({
      transactionId: LATE.transactionId,
      refundId: LATE.refundId,
    });
  });

  it('the return takes it out again: both legs net to zero on every account', () => {
    const into = journalForLatePaymentSuspense(cny(8_800), LATE);
    const out = journalForLatePaymentReturn(cny(8_800), LATE);
    expect(lines(out)).toEqual([
      'DEBIT LATE_PAYMENT_SUSPENSE 8800',
      'CREDIT CHANNEL_RECEIVABLE:ALIPAY 8800',
    ]);
    expect(net([into, out])).toEqual({});
    expect(trialBalance([into, out]).balanced).toBe(true);
  });

  it.each([
    ['zero', cny(0)],
    ['negative', cny(-1)],
  ])('refuses a %s amount', (_name, amount) => {
    expect(() => journalForLatePaymentSuspense(amount, LATE)).toThrow(
      withCode('LEDGER.INVALID_ENTRY'),
    );
    expect(() => journalForLatePaymentReturn(amount, LATE)).toThrow(
      withCode('LEDGER.INVALID_ENTRY'),
    );
  });

  it('refuses a transaction id that is not a txn_ id', () => {
    expect(() =>
      journalForLatePaymentSuspense(cny(1), { ...LATE, transactionId: newId('pay') }),
    ).toThrow(withCode('LEDGER.INVALID_REFERENCE'));
  });
});
