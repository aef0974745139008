import { newId } from '@paylab/ids';
import { Money, Rate } from '@paylab/money';
import { clearPayment, clearRefund, RefundClearing } from '../../clearing/domain/clearing';
import { FeeSchedule } from '../../clearing/domain/fee-schedule';
import { balances, trialBalance } from './balances';
import { journalForPaymentClearing } from './clearing-journal';
import { JournalEntry, sumLines } from './journal';

/**
 * Property-style checks over many generated payments. The generator is seeded, so every run sees
 * the same cases and a failure names a case that can be replayed; change SEED to explore others.
 */
const SEED = 0x5eed_2025;
const CASES = 1000;

/** mulberry32: a tiny, well-mixed 32-bit PRNG, good enough to spread test inputs. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

interface GeneratedCase {
  index: number;
  grossFen: number;
  merchantPpm: number;
  channelPpm: number;
  minimumFen: number | undefined;
  channel: string;
}

function generateCases(seed: number, count: number): GeneratedCase[] {
  const random = mulberry32(seed);
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const channels = ['ALIPAY', 'WECHAT_PAY', 'UNIONPAY'];
  const cases: GeneratedCase[] = [];
  for (let index = 0; index < count; index++) {
    // Amounts spread over magnitudes, from 1 fen to ¥100 000 000.00, so that both the
    // "fee rounds to 0" and the large-amount ranges are covered, not just mid-range amounts.
    const magnitude = int(0, 10);
    const grossFen = int(1, 10 ** magnitude);
    // Mostly realistic rates (0–3 %), sometimes anything up to 100 %; 0 and 100 % now and then.
    const rate = () => {
      const kind = random();
      if (kind < 0.05) return 0;
      if (kind < 0.08) return 1_000_000;
      if (kind < 0.8) return int(0, 30_000);
      return int(0, 1_000_000);
    };
    cases.push({
      index,
      grossFen,
      merchantPpm: rate(),
      channelPpm: rate(),
      minimumFen: random() < 0.2 ? int(0, 200) : undefined,
      channel: channels[int(0, channels.length - 1)],
    });
  }
  return cases;
}

/** Independent reference: HALF_UP of gross × ppm / 10^6 for positive values, in BigInt. */
const halfUp = (gross: number, ppm: number) =>
  Number((BigInt(gross) * BigInt(ppm) * 2n + 1_000_000n) / 2_000_000n);

const CASES_UNDER_TEST = generateCases(SEED, CASES);

describe(`ledger properties over ${CASES} generated clearings (seed ${SEED.toString(16)})`, () => {
  const merchantId = newId('mch');
  const entries: JournalEntry[] = [];
  const failures: string[] = [];
  const expected = { fees: 0n, costs: 0n, nets: 0n, gross: 0n };

  beforeAll(() => {
    for (const generated of CASES_UNDER_TEST) {
      const { index, grossFen, merchantPpm, channelPpm, minimumFen, channel } = generated;
      const schedule: FeeSchedule = {
        merchantFeeRate: Rate.ppm(merchantPpm),
        channelCostRate: Rate.ppm(channelPpm),
        ...(minimumFen === undefined ? {} : { minimumMerchantFee: Money.of(minimumFen, 'CNY') }),
      };
      const gross = Money.of(grossFen, 'CNY');
      const clearing = clearPayment({ gross, schedule });
      const entry = journalForPaymentClearing(clearing, {
        paymentId: newId('pay'),
        merchantId,
        channel,
      });
      entries.push(entry);

      const problems: string[] = [];
      const expectedFee = Math.min(
        Math.max(halfUp(grossFen, merchantPpm), minimumFen ?? 0),
        grossFen,
      );
      const expectedCost = halfUp(grossFen, channelPpm);
      if (clearing.merchantFee.amountMinor !== expectedFee) problems.push('fee');
      if (clearing.channelCost.amountMinor !== expectedCost) problems.push('cost');
      if (!clearing.merchantNet.add(clearing.merchantFee).equals(gross)) problems.push('net+fee');
      if (clearing.merchantFee.greaterThan(gross)) problems.push('fee>gross');
      if (!clearing.platformMargin.equals(clearing.merchantFee.subtract(clearing.channelCost))) {
        problems.push('margin');
      }
      if (clearing.marginNegative !== expectedFee < expectedCost) problems.push('marginNegative');
      const debits = sumLines(entry.lines, 'DEBIT', 'CNY');
      const credits = sumLines(entry.lines, 'CREDIT', 'CNY');
      if (!debits.equals(credits) || !debits.equals(gross)) problems.push('journal');
      if (entry.lines.some((line) => !line.amount.isPositive())) problems.push('zero line');
      if (problems.length > 0) {
        failures.push(`case ${index} ${JSON.stringify(generated)}: ${problems.join(', ')}`);
      }

      expected.fees += BigInt(expectedFee);
      expected.costs += BigInt(expectedCost);
      expected.nets += BigInt(grossFen - expectedFee);
      expected.gross += BigInt(grossFen);
    }
  });

  it('generates the requested number of varied cases', () => {
    expect(entries).toHaveLength(CASES);
    // Guards against a generator bug silently testing one corner only.
    const grossValues = new Set(CASES_UNDER_TEST.map((c) => c.grossFen));
    // Small magnitudes repeat by design (magnitude 0 is always 1 fen), hence not ~100 %.
    expect(grossValues.size).toBeGreaterThan(CASES * 0.7);
    expect(CASES_UNDER_TEST.some((c) => c.grossFen < 100)).toBe(true);
    expect(CASES_UNDER_TEST.some((c) => c.grossFen > 1_000_000_000)).toBe(true);
    expect(CASES_UNDER_TEST.some((c) => c.minimumFen !== undefined)).toBe(true);
    expect(CASES_UNDER_TEST.some((c) => c.merchantPpm < c.channelPpm)).toBe(true);
    expect(CASES_UNDER_TEST.some((c) => c.merchantPpm === 1_000_000)).toBe(true);
  });

  it('is deterministic for a seed', () => {
    expect(generateCases(SEED, 50)).toEqual(CASES_UNDER_TEST.slice(0, 50));
    expect(generateCases(SEED + 1, 50)).not.toEqual(CASES_UNDER_TEST.slice(0, 50));
  });

  it('clears every case exactly: fee, cost, margin, net + fee = gross, and a balanced journal', () => {
    expect(failures).toEqual([]);
  });

  it('keeps the whole ledger in trial balance', () => {
    const total = Money.of(Number(expected.gross), 'CNY');
    expect(trialBalance(entries)).toEqual({
      totalDebits: total,
      totalCredits: total,
      balanced: true,
    });
  });

  it('accumulates account balances that match the clearings, and satisfy the accounting equation', () => {
    const result = balances(entries);
    const fen = (account: string) => BigInt(result.get(account)?.amountMinor ?? 0);
    expect(fen('FEE_REVENUE')).toBe(expected.fees);
    expect(fen('CHANNEL_COST')).toBe(expected.costs);
    expect(fen(`MERCHANT_PAYABLE_PENDING:${merchantId}`)).toBe(expected.nets);
    const receivables = ['ALIPAY', 'WECHAT_PAY', 'UNIONPAY']
      .map((channel) => fen(`CHANNEL_RECEIVABLE:${channel}`))
      .reduce((a, b) => a + b, 0n);
    expect(receivables).toBe(expected.gross - expected.costs);
    // Assets + expenses = liabilities + income.
    expect(receivables + fen('CHANNEL_COST')).toBe(
      fen(`MERCHANT_PAYABLE_PENDING:${merchantId}`) + fen('FEE_REVENUE'),
    );
  });

  it('refunds every case in up to five random parts, returning exactly the fee and cost', () => {
    const random = mulberry32(SEED ^ 0xf00d);
    const refundFailures: string[] = [];
    for (const generated of CASES_UNDER_TEST.slice(0, 300)) {
      const clearing = clearPayment({
        gross: Money.of(generated.grossFen, 'CNY'),
        schedule: {
          merchantFeeRate: Rate.ppm(generated.merchantPpm),
          channelCostRate: Rate.ppm(generated.channelPpm),
        },
      });
      const parts = Math.min(generated.grossFen, 1 + Math.floor(random() * 5));
      const refunds: RefundClearing[] = [];
      let remaining = generated.grossFen;
      for (let part = parts; part >= 1; part--) {
        // Leave at least 1 fen for each later part; the last part takes what is left.
        const amount = part === 1 ? remaining : 1 + Math.floor(random() * (remaining - (part - 1)));
        refunds.push(clearRefund(Money.of(amount, 'CNY'), clearing, refunds));
        remaining -= amount;
      }
      const fee = refunds.reduce((total, r) => total.add(r.merchantFeeRefund), Money.zero('CNY'));
      const cost = refunds.reduce((total, r) => total.add(r.channelCostRefund), Money.zero('CNY'));
      if (
        remaining !== 0 ||
        !refunds[refunds.length - 1].finalRefund ||
        !fee.equals(clearing.merchantFee) ||
        !cost.equals(clearing.channelCost) ||
        refunds.some((r) => r.merchantFeeRefund.isNegative() || r.merchantNetRefund.isNegative())
      ) {
        refundFailures.push(`case ${generated.index}`);
      }
    }
    expect(refundFailures).toEqual([]);
  });
});

describe('rounding examples (¥ at 0.60 % merchant / 0.38 % channel)', () => {
  const schedule: FeeSchedule = {
    merchantFeeRate: Rate.percentString('0.60%'),
    channelCostRate: Rate.percentString('0.38%'),
  };
  it.each([
    // gross, fee, cost, margin
    [1, 0, 0, 0], // ¥0.01: 0.006 fen fee rounds to 0
    [100, 1, 0, 1], // ¥1.00: 0.6 fen rounds up to 1
    [10_000, 60, 38, 22], // ¥100.00
  ])('%i fen → fee %i, channel cost %i, margin %i', (grossFen, fee, cost, margin) => {
    const clearing = clearPayment({ gross: Money.of(grossFen, 'CNY'), schedule });
    expect(clearing.merchantFee.amountMinor).toBe(fee);
    expect(clearing.channelCost.amountMinor).toBe(cost);
    expect(clearing.platformMargin.amountMinor).toBe(margin);
    expect(clearing.merchantNet.amountMinor).toBe(grossFen - fee);
  });
});
