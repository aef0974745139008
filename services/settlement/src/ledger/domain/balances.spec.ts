import { newId } from '@paylab/ids';
import { Money } from '@paylab/money';
import { balances, trialBalance } from './balances';
import { JournalEntry, JournalLineInput, postJournal } from './journal';

const cny = (fen: number) => Money.of(fen, 'CNY');
const withCode = (code: string) => expect.objectContaining({ code });
const MERCHANT = newId('mch');
const PENDING = `MERCHANT_PAYABLE_PENDING:${MERCHANT}`;
const AVAILABLE = `MERCHANT_PAYABLE_AVAILABLE:${MERCHANT}`;

const line = (side: 'DEBIT' | 'CREDIT', account: string, amount: Money): JournalLineInput => ({
  account,
  side,
  amount,
});
const post = (...lines: JournalLineInput[]) => postJournal({ description: 'test', lines });

/** Two clearings (¥100.00 and ¥50.00 at 0.60 % / 0.38 %) and one cut-off transfer. */
function sampleLedger(): JournalEntry[] {
  return [
    post(
      line('DEBIT', 'CHANNEL_RECEIVABLE:ALIPAY', cny(9_962)),
      line('DEBIT', 'CHANNEL_COST', cny(38)),
      line('CREDIT', PENDING, cny(9_940)),
      line('CREDIT', 'FEE_REVENUE', cny(60)),
    ),
    post(
      line('DEBIT', 'CHANNEL_RECEIVABLE:WECHAT_PAY', cny(4_981)),
      line('DEBIT', 'CHANNEL_COST', cny(19)),
      line('CREDIT', PENDING, cny(4_970)),
      line('CREDIT', 'FEE_REVENUE', cny(30)),
    ),
    // At the cut-off the first payment becomes available for settlement.
    post(line('DEBIT', PENDING, cny(9_940)), line('CREDIT', AVAILABLE, cny(9_940))),
  ];
}

describe('balances', () => {
  it('signs every balance on its account’s normal side', () => {
    expect(balances(sampleLedger())).toEqual(
      new Map([
        ['CHANNEL_RECEIVABLE:ALIPAY', cny(9_962)],
        ['CHANNEL_COST', cny(57)],
        [PENDING, cny(4_970)],
        ['FEE_REVENUE', cny(90)],
        ['CHANNEL_RECEIVABLE:WECHAT_PAY', cny(4_981)],
        [AVAILABLE, cny(9_940)],
      ]),
    );
  });

  it('keeps debit-normal and credit-normal totals equal (the accounting equation)', () => {
    let debitNormal = cny(0);
    let creditNormal = cny(0);
    for (const [account, balance] of balances(sampleLedger())) {
      if (account.startsWith('CHANNEL_')) debitNormal = debitNormal.add(balance);
      else creditNormal = creditNormal.add(balance);
    }
    expect(debitNormal).toEqual(creditNormal);
    expect(debitNormal).toEqual(cny(15_000));
  });

  it('goes negative when an account crosses to the other side', () => {
    // We paid the merchant ¥1.00 more than we owed: a debit balance on a liability.
    const entries = [
      post(
        line('DEBIT', 'CHANNEL_RECEIVABLE:ALIPAY', cny(100)),
        line('CREDIT', AVAILABLE, cny(100)),
      ),
      post(
        line('DEBIT', AVAILABLE, cny(200)),
        line('CREDIT', 'CHANNEL_RECEIVABLE:ALIPAY', cny(200)),
      ),
    ];
    const result = balances(entries);
    expect(result.get(AVAILABLE)).toEqual(cny(-100));
    expect(result.get('CHANNEL_RECEIVABLE:ALIPAY')).toEqual(cny(-100));
  });

  it('keeps an account that nets to zero, and omits accounts never used', () => {
    const result = balances([
      post(line('DEBIT', 'CHANNEL_COST', cny(5)), line('CREDIT', 'FEE_REVENUE', cny(5))),
      post(line('DEBIT', 'FEE_REVENUE', cny(5)), line('CREDIT', 'CHANNEL_COST', cny(5))),
    ]);
    expect(result).toEqual(
      new Map([
        ['CHANNEL_COST', cny(0)],
        ['FEE_REVENUE', cny(0)],
      ]),
    );
    expect(result.has(PENDING)).toBe(false);
  });

  it('is empty for an empty ledger', () => {
    expect(balances([]).size).toBe(0);
  });

  it('rejects one account holding two currencies', () => {
    const entries = [
      post(line('DEBIT', 'CHANNEL_COST', cny(5)), line('CREDIT', 'FEE_REVENUE', cny(5))),
      post(
        line('DEBIT', 'CHANNEL_COST', Money.of(5, 'USD')),
        line('CREDIT', 'FEE_REVENUE', Money.of(5, 'USD')),
      ),
    ];
    expect(() => balances(entries)).toThrow(withCode('LEDGER.MIXED_CURRENCY'));
  });

  it('allows different accounts in different currencies', () => {
    const result = balances([
      post(line('DEBIT', 'CHANNEL_COST', cny(5)), line('CREDIT', 'FEE_REVENUE', cny(5))),
      post(
        line('DEBIT', 'CHANNEL_RECEIVABLE:PAYPAL', Money.of(7, 'USD')),
        line('CREDIT', AVAILABLE, Money.of(7, 'USD')),
      ),
    ]);
    expect(result.get(AVAILABLE)).toEqual(Money.of(7, 'USD'));
  });

  it('rejects an entry with an unknown account', () => {
    const [entry] = sampleLedger();
    const tampered = { ...entry, lines: [{ ...entry.lines[0], account: 'SUSPENSE' }] };
    expect(() => balances([tampered])).toThrow(withCode('LEDGER.INVALID_ACCOUNT'));
  });
});

describe('trialBalance', () => {
  it('totals every debit and credit line of a balanced ledger', () => {
    expect(trialBalance(sampleLedger())).toEqual({
      totalDebits: cny(24_940),
      totalCredits: cny(24_940),
      balanced: true,
    });
  });

  it('is balanced at zero for an empty ledger, in CNY unless told otherwise', () => {
    expect(trialBalance([])).toEqual({
      totalDebits: cny(0),
      totalCredits: cny(0),
      balanced: true,
    });
    expect(trialBalance([], 'USD').totalDebits).toEqual(Money.of(0, 'USD'));
  });

  it('detects an entry altered after posting', () => {
    // postJournal would never produce this; a corrupted row or a hand-built object could.
    const entries = sampleLedger();
    const [first] = entries;
    const altered: JournalEntry = {
      ...first,
      lines: [{ ...first.lines[0], amount: cny(9_963) }, ...first.lines.slice(1)],
    };
    expect(trialBalance([altered, ...entries.slice(1)])).toEqual({
      totalDebits: cny(24_941),
      totalCredits: cny(24_940),
      balanced: false,
    });
  });

  it('detects a lost line', () => {
    const [first] = sampleLedger();
    const partial: JournalEntry = { ...first, lines: first.lines.slice(0, 3) };
    expect(trialBalance([partial]).balanced).toBe(false);
  });

  it('rejects entries in a currency other than the ledger’s', () => {
    const usd = post(
      line('DEBIT', 'CHANNEL_COST', Money.of(5, 'USD')),
      line('CREDIT', 'FEE_REVENUE', Money.of(5, 'USD')),
    );
    expect(() => trialBalance([...sampleLedger(), usd])).toThrow(withCode('LEDGER.MIXED_CURRENCY'));
    expect(() => trialBalance(sampleLedger(), 'USD')).toThrow(withCode('LEDGER.MIXED_CURRENCY'));
    expect(trialBalance([usd]).totalDebits).toEqual(Money.of(5, 'USD'));
  });

  it('rejects a line with an invalid side', () => {
    const [first] = sampleLedger();
    const tampered = { ...first, lines: [{ ...first.lines[0], side: 'debit' as never }] };
    expect(() => trialBalance([tampered])).toThrow(withCode('LEDGER.INVALID_SIDE'));
  });
});
