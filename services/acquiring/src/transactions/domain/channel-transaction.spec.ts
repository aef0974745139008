import { Money } from '@paylab/money';
import { DomainError } from '../../shared/domain-error';
import {
  checkChargeReplay,
  checkChargeTerms,
  type ChargeTerms,
  channelDeadlineOf,
  decideCloseRequest,
  decideQueryAction,
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
        checkChargeTerms({ ...terms, expiresAt: new Date('2026-01-14T00:00:09Z') }, now),
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
      status: 'PENDING',
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
    // A paid one is replayed (checkout then sees the order's own state); a closed one never.
    expect(codeOf(() => checkChargeReplay({ ...existing, status: 'SUCCEEDED' }, terms))).toBe('OK');
    expect(codeOf(() => checkChargeReplay({ ...existing, status: 'CLOSED' }, terms))).toMatch(
      /^CHARGE.CLOSED/,
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

  it("uses the channel's deadline: expiresAt in whole seconds, rounded down", () => {
    expect(channelDeadlineOf(new Date('2026-01-14T00:00:01.999Z'))).toEqual(
      new Date('2026-01-14T00:00:01Z'),
    );
    // 00:00:00.500 is sent as 00:00:00, so the channel closes then and so do we.
    expect(isExpired(new Date('2026-01-14T00:00:00.500Z'), now)).toBe(true);
  });

  describe('an active query answer', () => {
    const deadline = new Date('2026-01-14T00:00:10Z');
    const before = new Date('2026-01-14T00:00:09.999Z');
    const after = new Date('2026-01-14T00:00:10Z');

    it('settles a paid trade whatever the time', () => {
      expect(decideQueryAction('SUCCEEDED', deadline, before)).toBe('settle');
      expect(decideQueryAction('SUCCEEDED', deadline, after)).toBe('settle');
    });

    it('keeps querying an unpaid or closed-looking trade until the deadline has passed', () => {
      expect(decideQueryAction('PENDING', deadline, before)).toBe('wait');
      expect(decideQueryAction('CLOSED', deadline, before)).toBe('wait');
    });

    it('closes an unpaid or closed trade at the channel once past the deadline', () => {
      expect(decideQueryAction('PENDING', deadline, after)).toBe('close-at-channel');
      expect(decideQueryAction('CLOSED', deadline, after)).toBe('close-at-channel');
    });
  });

  describe('a requested close', () => {
    it('closes a PENDING transaction at the channel and answers a CLOSED one again', () => {
      expect(decideCloseRequest('PENDING')).toBe('close-at-channel');
      expect(decideCloseRequest('CLOSED')).toBe('already-closed');
    });

    it('refuses a SUCCEEDED transaction: the payment is on its way', () => {
      expect(codeOf(() => decideCloseRequest('SUCCEEDED'))).toBe('CHANNEL.TRADE_ALREADY_PAID');
    });
  });
});
