import { newId } from '@paylab/ids';
import { classifyStoryEntry, type StoryLine } from './ledger-story';

const MERCHANT = newId('mch');
const PENDING = `MERCHANT_PAYABLE_PENDING:${MERCHANT}`;
const AVAILABLE = `MERCHANT_PAYABLE_AVAILABLE:${MERCHANT}`;
const IN_TRANSIT = `MERCHANT_PAYABLE_IN_TRANSIT:${MERCHANT}`;
const RESERVE = `MERCHANT_RESERVE:${MERCHANT}`;
const dr = (account: string): StoryLine => ({ account, side: 'DEBIT' });
const cr = (account: string): StoryLine => ({ account, side: 'CREDIT' });
const payment = { paymentId: newId('pay'), clearingId: newId('clr') };
const payout = { batchId: newId('stb'), payoutId: newId('po') };

describe('classifyStoryEntry', () => {
  it.each<[string, Record<string, string>, StoryLine[]]>([
    [
      'CLEARING',
      payment,
      [dr('CHANNEL_RECEIVABLE:ALIPAY'), dr('CHANNEL_COST'), cr(PENDING), cr('FEE_REVENUE')],
    ],
    [
      'REFUND',
      { ...payment, refundId: newId('ref') },
      [dr(PENDING), dr('FEE_REVENUE'), cr('CHANNEL_RECEIVABLE:ALIPAY'), cr('CHANNEL_COST')],
    ],
    [
      'REFUND',
      { ...payment, refundId: newId('ref') },
      [dr('FEE_REVENUE'), cr('CHANNEL_RECEIVABLE:ALIPAY')],
    ],
    [
      'LATE_PAYMENT_SUSPENSE',
      { ...payment, refundId: newId('ref') },
      [dr('CHANNEL_RECEIVABLE:ALIPAY'), cr('LATE_PAYMENT_SUSPENSE')],
    ],
    [
      'LATE_PAYMENT_RETURN',
      { ...payment, refundId: newId('ref') },
      [dr('LATE_PAYMENT_SUSPENSE'), cr('CHANNEL_RECEIVABLE:ALIPAY')],
    ],
    [
      'SETTLEMENT_BATCH',
      { batchId: newId('stb'), merchantId: MERCHANT },
      [dr(PENDING), cr(AVAILABLE), dr(AVAILABLE), cr(RESERVE)],
    ],
    [
      'SETTLEMENT_BATCH',
      { batchId: newId('stb'), merchantId: MERCHANT },
      [dr(AVAILABLE), cr(PENDING)],
    ],
    ['RESERVE_RELEASE', { reserveHoldId: newId('rsv') }, [dr(RESERVE), cr(AVAILABLE)]],
    ['PAYOUT_SENT', payout, [dr(AVAILABLE), cr(IN_TRANSIT)]],
    ['PAYOUT_PAID', payout, [dr(IN_TRANSIT), cr('PLATFORM_BANK')]],
    ['PAYOUT_FAILED', payout, [dr(IN_TRANSIT), cr(AVAILABLE)]],
    ['OTHER', payout, [dr('FEE_REVENUE'), cr('CHANNEL_COST')]],
    ['OTHER', {}, [dr('FEE_REVENUE'), cr('CHANNEL_COST')]],
  ])('%s', (kind, references, lines) => {
    expect(classifyStoryEntry(references, lines)).toBe(kind);
  });

  it('ignores references that are not strings', () => {
    expect(classifyStoryEntry({ payoutId: 42 }, [dr(IN_TRANSIT), cr('PLATFORM_BANK')])).toBe(
      'OTHER',
    );
  });
});
