import { isId, newId, timestampOfId } from '@paylab/ids';
import { Money } from '@paylab/money';
import { JournalLineInput, postJournal, sumLines } from './journal';

const cny = (fen: number) => Money.of(fen, 'CNY');
const withCode = (code: string) => expect.objectContaining({ code });
const MERCHANT = newId('mch');
const PENDING = `MERCHANT_PAYABLE_PENDING:${MERCHANT}`;

const debit = (account: string, amount: Money): JournalLineInput => ({
  account,
  side: 'DEBIT',
  amount,
});
const credit = (account: string, amount: Money): JournalLineInput => ({
  account,
  side: 'CREDIT',
  amount,
});

/** ¥100.00 at 0.60 % / 0.38 %. */
const CLEARING_LINES: JournalLineInput[] = [
  debit('CHANNEL_RECEIVABLE:ALIPAY', cny(9_962)),
  debit('CHANNEL_COST', cny(38)),
  credit(PENDING, cny(9_940)),
  credit('FEE_REVENUE', cny(60)),
];

const post = (lines: readonly JournalLineInput[]) =>
  postJournal({ description: 'test entry', lines });

describe('postJournal', () => {
  it('posts a balanced entry with a jnl_ id and led_ ids on its lines', () => {
    const postedAt = new Date('2025-01-01T02:03:04.005Z');
    const entry = postJournal({ description: 'clearing', lines: CLEARING_LINES, postedAt });
    expect(isId(entry.id, 'jnl')).toBe(true);
    expect(entry.description).toBe('clearing');
    expect(entry.postedAt).toEqual(postedAt);
    expect(entry.lines.map(({ account, side, amount }) => ({ account, side, amount }))).toEqual(
      CLEARING_LINES,
    );
    for (const line of entry.lines) {
      expect(isId(line.id, 'led')).toBe(true);
    }
    expect(new Set(entry.lines.map((line) => line.id)).size).toBe(4);
  });

  it('stamps the ids with the posting time', () => {
    const postedAt = new Date('2025-01-01T02:03:04.005Z');
    const entry = postJournal({ description: 'clearing', lines: CLEARING_LINES, postedAt });
    expect(timestampOfId(entry.id)).toEqual(postedAt);
    expect(timestampOfId(entry.lines[0].id)).toEqual(postedAt);
  });

  it('defaults postedAt to now', () => {
    const before = Date.now();
    const entry = post(CLEARING_LINES);
    expect(entry.postedAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(entry.postedAt.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('uses a jnl_ id it is given and keeps its references', () => {
    const id = newId('jnl');
    const entry = postJournal({
      description: 'clearing',
      lines: CLEARING_LINES,
      id,
      references: { paymentId: 'pay_x' },
    });
    expect(entry.id).toBe(id);
    expect(entry.references).toEqual({ paymentId: 'pay_x' });
  });

  it('is immutable, and independent of the caller’s objects', () => {
    const postedAt = new Date('2025-01-01T00:00:00Z');
    const lines = [...CLEARING_LINES];
    const references = { paymentId: 'pay_x' };
    const entry = postJournal({ description: 'x', lines, postedAt, references });
    postedAt.setTime(0);
    lines.pop();
    references.paymentId = 'changed';
    expect(entry.postedAt.toISOString()).toBe('2025-01-01T00:00:00.000Z');
    expect(entry.lines).toHaveLength(4);
    expect(entry.references.paymentId).toBe('pay_x');
    expect(Object.isFrozen(entry)).toBe(true);
    expect(Object.isFrozen(entry.lines)).toBe(true);
    expect(Object.isFrozen(entry.lines[0])).toBe(true);
    expect(Object.isFrozen(entry.references)).toBe(true);
  });

  it('accepts the same account on both sides and several lines per side', () => {
    const entry = post([
      debit('CHANNEL_COST', cny(5)),
      debit('CHANNEL_COST', cny(5)),
      credit('CHANNEL_COST', cny(10)),
    ]);
    expect(entry.lines).toHaveLength(3);
  });

  it('accepts a balanced entry in a currency without minor units', () => {
    const yen = (amount: number) => Money.of(amount, 'JPY');
    expect(() =>
      post([debit('CHANNEL_COST', yen(100)), credit('FEE_REVENUE', yen(100))]),
    ).not.toThrow();
  });

  it('stores the canonical account key', () => {
    const entry = post([debit('FEE_REVENUE', cny(1)), credit('CHANNEL_COST', cny(1))]);
    expect(entry.lines.map((line) => line.account)).toEqual(['FEE_REVENUE', 'CHANNEL_COST']);
  });

  it('keeps the business date it was asked for, and has none otherwise', () => {
    expect(
      postJournal({ description: 'x', lines: CLEARING_LINES, businessDate: '2026-12-01' })
        .businessDate,
    ).toBe('2026-12-01');
    expect('businessDate' in postJournal({ description: 'x', lines: CLEARING_LINES })).toBe(false);
  });

  describe('rejects', () => {
    it('an entry whose debits exceed its credits by one fen', () => {
      const lines = [...CLEARING_LINES.slice(0, 3), credit('FEE_REVENUE', cny(59))];
      expect(() => post(lines)).toThrow(withCode('LEDGER.UNBALANCED'));
    });

    it('an entry whose credits exceed its debits', () => {
      const lines = [...CLEARING_LINES.slice(0, 3), credit('FEE_REVENUE', cny(61))];
      expect(() => post(lines)).toThrow(withCode('LEDGER.UNBALANCED'));
    });

    it('an entry with debits only', () => {
      expect(() =>
        post([debit('CHANNEL_COST', cny(1)), debit('CHANNEL_RECEIVABLE:ALIPAY', cny(1))]),
      ).toThrow(withCode('LEDGER.UNBALANCED'));
    });

    it('an entry with credits only', () => {
      expect(() => post([credit('FEE_REVENUE', cny(1)), credit(PENDING, cny(1))])).toThrow(
        withCode('LEDGER.UNBALANCED'),
      );
    });

    it.each([
      ['no lines', []],
      ['a single line', [debit('CHANNEL_COST', cny(1))]],
    ])('an entry with %s', (_label, lines) => {
      expect(() => post(lines)).toThrow(withCode('LEDGER.EMPTY'));
    });

    it('an entry whose lines are missing', () => {
      expect(() => postJournal({ description: 'x', lines: undefined as never })).toThrow(
        withCode('LEDGER.EMPTY'),
      );
    });

    it.each([0, -1, -60])('a line of %i fen, even when the entry balances', (fen) => {
      const lines = [
        debit('CHANNEL_COST', cny(10)),
        credit('FEE_REVENUE', cny(10)),
        debit('CHANNEL_RECEIVABLE:ALIPAY', cny(fen)),
        credit(PENDING, cny(fen)),
      ];
      expect(() => post(lines)).toThrow(withCode('LEDGER.NON_POSITIVE_LINE'));
    });

    it('a negative debit used to balance instead of a credit', () => {
      expect(() => post([debit('CHANNEL_COST', cny(60)), debit('FEE_REVENUE', cny(-60))])).toThrow(
        withCode('LEDGER.NON_POSITIVE_LINE'),
      );
    });

    it('lines in two currencies, even when the numbers balance', () => {
      expect(() =>
        post([debit('CHANNEL_COST', cny(100)), credit('FEE_REVENUE', Money.of(100, 'USD'))]),
      ).toThrow(withCode('LEDGER.MIXED_CURRENCY'));
    });

    it('a mixed-currency entry before comparing its totals', () => {
      // Would be "unbalanced" too; mixed currency is the real problem and must be reported.
      expect(() =>
        post([
          debit('CHANNEL_COST', cny(100)),
          credit('FEE_REVENUE', cny(50)),
          credit('FEE_REVENUE', Money.of(50, 'HKD')),
        ]),
      ).toThrow(withCode('LEDGER.MIXED_CURRENCY'));
    });

    it.each([
      ['an unknown account', 'CASH'],
      ['a channel account without a channel', 'CHANNEL_RECEIVABLE'],
      ['a merchant account with a bad id', 'MERCHANT_PAYABLE_PENDING:mch_1'],
    ])('%s', (_label, account) => {
      expect(() => post([debit(account, cny(1)), credit('FEE_REVENUE', cny(1))])).toThrow(
        withCode('LEDGER.INVALID_ACCOUNT'),
      );
    });

    it.each(['debit', 'DR', '借', '', undefined])('the side %p', (side) => {
      const line = { account: 'CHANNEL_COST', side, amount: cny(1) } as unknown as JournalLineInput;
      expect(() => post([line, credit('FEE_REVENUE', cny(1))])).toThrow(
        withCode('LEDGER.INVALID_SIDE'),
      );
    });

    it.each([
      ['a number amount', { account: 'CHANNEL_COST', side: 'DEBIT', amount: 1 }],
      [
        'a plain-object amount',
        { account: 'CHANNEL_COST', side: 'DEBIT', amount: { amountMinor: 1, currency: 'CNY' } },
      ],
      ['a missing line', null],
    ])('%s', (_label, line) => {
      expect(() =>
        post([line as unknown as JournalLineInput, credit('FEE_REVENUE', cny(1))]),
      ).toThrow(withCode('LEDGER.INVALID_ENTRY'));
    });

    it.each(['', '   ', undefined, 42])('the description %p', (description) => {
      expect(() =>
        postJournal({ description: description as never, lines: CLEARING_LINES }),
      ).toThrow(withCode('LEDGER.INVALID_ENTRY'));
    });

    it.each([new Date('not a date'), '2025-01-01', 0])('the posting time %p', (postedAt) => {
      expect(() =>
        postJournal({ description: 'x', lines: CLEARING_LINES, postedAt: postedAt as never }),
      ).toThrow(withCode('LEDGER.INVALID_ENTRY'));
    });

    it.each([
      '2026-02-30',
      '2026-1-01',
      '26-01-01',
      '1999-12-31',
      '',
      20260101,
      '2026-01-01\u0000',
    ])('the business date %p', (businessDate) => {
      expect(() =>
        postJournal({
          description: 'x',
          lines: CLEARING_LINES,
          businessDate: businessDate as never,
        }),
      ).toThrow(withCode('LEDGER.INVALID_ENTRY'));
    });

    it.each(['jnl_1', newId('led'), ''])('the id %p', (id) => {
      expect(() => postJournal({ description: 'x', lines: CLEARING_LINES, id })).toThrow(
        withCode('LEDGER.INVALID_ENTRY'),
      );
    });

    it.each([
      ['a non-string reference', { paymentId: 1 }],
      ['an empty reference', { paymentId: '' }],
      ['a list', ['pay_x']],
      ['null', null],
    ])('references that are %s', (_label, references) => {
      expect(() =>
        postJournal({ description: 'x', lines: CLEARING_LINES, references: references as never }),
      ).toThrow(withCode('LEDGER.INVALID_ENTRY'));
    });

    it('a missing input', () => {
      expect(() => postJournal(undefined as never)).toThrow(withCode('LEDGER.INVALID_ENTRY'));
    });
  });
});

describe('sumLines', () => {
  it('adds up one side', () => {
    expect(sumLines(CLEARING_LINES, 'DEBIT', 'CNY')).toEqual(cny(10_000));
    expect(sumLines(CLEARING_LINES, 'CREDIT', 'CNY')).toEqual(cny(10_000));
    expect(sumLines([CLEARING_LINES[0]], 'CREDIT', 'CNY')).toEqual(cny(0));
  });
});
