import { isId, newId } from '@paylab/ids';
import { Money, Rate } from '@paylab/money';
import { clearPayment, ClearingResult } from '../../clearing/domain/clearing';
import { FeeSchedule } from '../../clearing/domain/fee-schedule';
import { trialBalance } from './balances';
import { journalForPaymentClearing, PaymentClearingReferences } from './clearing-journal';
import { JournalEntry } from './journal';

const cny = (fen: number) => Money.of(fen, 'CNY');
const withCode = (code: string) => expect.objectContaining({ code });

const STANDARD: FeeSchedule = {
  merchantFeeRate: Rate.percentString('0.60%'),
  channelCostRate: Rate.percentString('0.38%'),
};
const REFS: PaymentClearingReferences = {
  paymentId: newId('pay'),
  merchantId: newId('mch'),
  channel: 'ALIPAY',
};
const PENDING = `MERCHANT_PAYABLE_PENDING:${REFS.merchantId}`;

const clear = (fen: number, schedule: FeeSchedule = STANDARD) =>
  clearPayment({ gross: cny(fen), schedule });

/** Lines as `SIDE ACCOUNT fen`, which reads like the textbook entry. */
const lines = (entry: JournalEntry) =>
  entry.lines.map((line) => `${line.side} ${line.account} ${line.amount.amountMinor}`);

describe('journalForPaymentClearing', () => {
  it('posts ¥100.00 at 0.60 % / 0.38 % as the four textbook lines', () => {
    const entry = journalForPaymentClearing(clear(10_000), REFS);
    expect(lines(entry)).toEqual([
      'DEBIT CHANNEL_RECEIVABLE:ALIPAY 9962',
      'DEBIT CHANNEL_COST 38',
      `CREDIT ${PENDING} 9940`,
      'CREDIT FEE_REVENUE 60',
    ]);
    expect(trialBalance([entry])).toEqual({
      totalDebits: cny(10_000),
      totalCredits: cny(10_000),
      balanced: true,
    });
  });

  it('leaves out the zero fee and zero cost of ¥0.01', () => {
    const entry = journalForPaymentClearing(clear(1), REFS);
    expect(lines(entry)).toEqual(['DEBIT CHANNEL_RECEIVABLE:ALIPAY 1', `CREDIT ${PENDING} 1`]);
  });

  it('leaves out only the zero channel cost of ¥1.00', () => {
    const entry = journalForPaymentClearing(clear(100), REFS);
    expect(lines(entry)).toEqual([
      'DEBIT CHANNEL_RECEIVABLE:ALIPAY 100',
      `CREDIT ${PENDING} 99`,
      'CREDIT FEE_REVENUE 1',
    ]);
  });

  it('books a subsidised payment (negative margin) with positive lines', () => {
    const clearing = clear(10_000, { ...STANDARD, merchantFeeRate: Rate.ZERO });
    expect(clearing.marginNegative).toBe(true);
    expect(lines(journalForPaymentClearing(clearing, REFS))).toEqual([
      'DEBIT CHANNEL_RECEIVABLE:ALIPAY 9962',
      'DEBIT CHANNEL_COST 38',
      `CREDIT ${PENDING} 10000`,
    ]);
  });

  it('leaves out the merchant payable when a minimum fee takes the whole payment', () => {
    const clearing = clear(7, { ...STANDARD, minimumMerchantFee: cny(10) });
    expect(lines(journalForPaymentClearing(clearing, REFS))).toEqual([
      'DEBIT CHANNEL_RECEIVABLE:ALIPAY 7',
      'CREDIT FEE_REVENUE 7',
    ]);
  });

  it('leaves out the receivable when the channel keeps everything', () => {
    const clearing = clear(500, { merchantFeeRate: Rate.ONE, channelCostRate: Rate.ONE });
    expect(lines(journalForPaymentClearing(clearing, REFS))).toEqual([
      'DEBIT CHANNEL_COST 500',
      'CREDIT FEE_REVENUE 500',
    ]);
  });

  it('uses the channel and merchant it is given for the sub-accounts', () => {
    const other = { ...REFS, channel: 'WECHAT_PAY', merchantId: newId('mch') };
    const accounts = journalForPaymentClearing(clear(10_000), other).lines.map((l) => l.account);
    expect(accounts).toContain('CHANNEL_RECEIVABLE:WECHAT_PAY');
    expect(accounts).toContain(`MERCHANT_PAYABLE_PENDING:${other.merchantId}`);
  });

  it('records the clearing, payment, merchant and channel as references', () => {
    const clearing = clear(10_000);
    const entry = journalForPaymentClearing(clearing, REFS);
    expect(entry.references).toEqual({
      clearingId: clearing.clearingId,
      paymentId: REFS.paymentId,
      merchantId: REFS.merchantId,
      channel: 'ALIPAY',
    });
    expect(entry.description).toContain(REFS.paymentId);
  });

  it('passes postedAt and id through', () => {
    const postedAt = new Date('2025-03-01T16:00:00Z');
    const id = newId('jnl');
    const entry = journalForPaymentClearing(clear(10_000), REFS, { postedAt, id });
    expect(entry.id).toBe(id);
    expect(entry.postedAt).toEqual(postedAt);
    expect(isId(journalForPaymentClearing(clear(10_000), REFS).id, 'jnl')).toBe(true);
  });

  it('works in USD as well', () => {
    const clearing = clearPayment({ gross: Money.of(10_000, 'USD'), schedule: STANDARD });
    const entry = journalForPaymentClearing(clearing, REFS);
    expect(entry.lines.every((line) => line.amount.currency === 'USD')).toBe(true);
    expect(trialBalance([entry]).balanced).toBe(true);
  });

  it.each<[string, Partial<PaymentClearingReferences>]>([
    ['a payment id of another kind', { paymentId: newId('ref') }],
    ['a malformed payment id', { paymentId: 'pay_1' }],
    ['a missing payment id', { paymentId: undefined }],
    ['a merchant id of another kind', { merchantId: newId('app') }],
    ['a missing merchant id', { merchantId: undefined }],
  ])('rejects %s', (_label, patch) => {
    expect(() => journalForPaymentClearing(clear(10_000), { ...REFS, ...patch } as never)).toThrow(
      withCode('LEDGER.INVALID_REFERENCE'),
    );
  });

  it('rejects missing references', () => {
    expect(() => journalForPaymentClearing(clear(10_000), null as never)).toThrow(
      withCode('LEDGER.INVALID_REFERENCE'),
    );
  });

  it.each(['alipay', '', 'ALIPAY:1', undefined])('rejects the channel %p', (channel) => {
    expect(() =>
      journalForPaymentClearing(clear(10_000), { ...REFS, channel: channel as never }),
    ).toThrow(withCode('LEDGER.INVALID_ACCOUNT'));
  });

  it('refuses to post a clearing that breaks its invariants', () => {
    const valid = clear(10_000);
    const tampered: ClearingResult = { ...valid, merchantNet: cny(9_941) };
    expect(() => journalForPaymentClearing(tampered, REFS)).toThrow(
      withCode('CLEARING.INVARIANT_VIOLATED'),
    );
  });
});
