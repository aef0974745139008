import { Money } from '@paylab/money';
import { DomainError } from '../../shared/domain-error';
import {
  checkChargeReplay,
  checkChargeTerms,
  type ChargeTerms,
  decideSettlement,
  isExpired,
} from './channel-transaction';

const now = new Date('2026-01-14T00:00:00Z');
const terms: ChargeTerms = {
  paymentId: 'pay_01JH0000000000000000000000',
  merchantId: 'mch_01JH0000000000000000000000',
  channel: 'ALIPAY',
  amount: Money.of(1234, 'CNY'),
  subject: 'Oolong tea',
  expiresAt: new Date('2026-01-14T00:15:00Z'),
};

const codeOf = (work: () => unknown): string => {
  try {
    work();
  } catch (error) {
    if (error instanceof DomainError) return `${error.code}${error.param ? ` ${error.param}` : ''}`;
    throw error;
  }
  return 'OK';
};

describe('channel transaction rules', () => {
  it('accepts a sound charge and names the field of a bad one', () => {
    expect(codeOf(() => checkChargeTerms(terms, now))).toBe('OK');
    expect(codeOf(() => checkChargeTerms({ ...terms, amount: Money.of(100, 'USD') }, now))).toBe(
      'CHARGE.UNSUPPORTED_CURRENCY amount.currency',
    );
    expect(codeOf(() => checkChargeTerms({ ...terms, amount: Money.of(0, 'CNY') }, now))).toBe(
      'CHARGE.INVALID_AMOUNT amount.amountMinor',
    );
    expect(codeOf(() => checkChargeTerms({ ...terms, subject: '   ' }, now))).toBe(
      'CHARGE.INVALID_SUBJECT subject',
    );
    expect(
      codeOf(() =>
        checkChargeTerms({ ...terms, expiresAt: new Date('2026-01-14T00:00:59Z') }, now),
      ),
    ).toBe('CHARGE.EXPIRES_TOO_SOON expiresAt');
    expect(
      codeOf(() =>
        checkChargeTerms({ ...terms, expiresAt: new Date('2026-01-30T00:00:00Z') }, now),
      ),
    ).toBe('CHARGE.EXPIRES_TOO_LATE expiresAt');
  });

  it('replays the same charge and refuses different money, merchant or channel', () => {
    const existing = {
      merchantId: terms.merchantId,
      channel: 'ALIPAY',
      amountMinor: 1234,
      currency: 'CNY',
    };
    expect(codeOf(() => checkChargeReplay(existing, { ...terms, subject: 'other words' }))).toBe(
      'OK',
    );
    expect(codeOf(() => checkChargeReplay({ ...existing, amountMinor: 1235 }, terms))).toBe(
      'CHARGE.CONFLICTING_REQUEST amount',
    );
    expect(codeOf(() => checkChargeReplay({ ...existing, merchantId: 'mch_x' }, terms))).toBe(
      'CHARGE.CONFLICTING_REQUEST merchantId',
    );
    expect(codeOf(() => checkChargeReplay({ ...existing, channel: 'WECHAT_PAY' }, terms))).toBe(
      'CHARGE.CONFLICTING_REQUEST channel',
    );
  });

  describe('settlement', () => {
    const pending = {
      status: 'PENDING' as const,
      amountMinor: 1234,
      currency: 'CNY',
      channelTradeNo: null,
    };
    // 23:59:59 on the 14th in Shanghai is 15:59:59 UTC: the business date is the Shanghai one.
    const report = {
      channelTradeNo: 'T1',
      amount: Money.of(1234, 'CNY'),
      paidAt: new Date('2026-01-14T15:59:59Z'),
    };

    it('settles a PENDING transaction once, dated in Shanghai', () => {
      expect(decideSettlement(pending, report)).toEqual({
        kind: 'settle',
        channelTradeNo: 'T1',
        paidAt: report.paidAt,
        businessDate: '2026-01-14',
      });
      expect(
        decideSettlement(pending, { ...report, paidAt: new Date('2026-01-14T16:00:00Z') }),
      ).toMatchObject({
        businessDate: '2026-01-15',
      });
    });

    it('treats a repeat as a duplicate with no effect', () => {
      expect(
        decideSettlement({ ...pending, status: 'SUCCEEDED', channelTradeNo: 'T1' }, report),
      ).toEqual({
        kind: 'duplicate',
      });
    });

    it('records a payment the channel reports for a transaction we had closed', () => {
      expect(decideSettlement({ ...pending, status: 'CLOSED' }, report).kind).toBe('settle');
    });

    it('never books a different amount or a second trade number', () => {
      expect(
        codeOf(() => decideSettlement(pending, { ...report, amount: Money.of(1, 'CNY') })),
      ).toBe('SETTLEMENT.AMOUNT_MISMATCH');
      expect(
        codeOf(() =>
          decideSettlement({ ...pending, status: 'SUCCEEDED', channelTradeNo: 'T0' }, report),
        ),
      ).toBe('SETTLEMENT.CONFLICTING_TRADE_NO');
    });
  });

  it('expires at the deadline, not before', () => {
    expect(isExpired(new Date('2026-01-14T00:00:01Z'), now)).toBe(false);
    expect(isExpired(now, now)).toBe(true);
  });
});
