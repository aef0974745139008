import { MoneyError } from './errors';

/**
 * The ISO 4217 currencies PayLab supports, with their minor-unit exponent (how many decimal
 * places the smallest coin represents). Amounts are always stored in minor units, so this table
 * is the only place that knows that 1 CNY = 100 fen while 1 JPY has no subdivision at all.
 * Adding a currency here is a deliberate product decision, hence a closed catalogue rather than
 * the full ISO list.
 */
export const CURRENCIES = {
  CNY: { minorUnits: 2 },
  USD: { minorUnits: 2 },
  EUR: { minorUnits: 2 },
  HKD: { minorUnits: 2 },
  GBP: { minorUnits: 2 },
  SGD: { minorUnits: 2 },
  JPY: { minorUnits: 0 },
  KRW: { minorUnits: 0 },
} as const satisfies Record<string, { minorUnits: number }>;

export type CurrencyCode = keyof typeof CURRENCIES;

export const CURRENCY_CODES: readonly CurrencyCode[] = Object.freeze(
  Object.keys(CURRENCIES) as CurrencyCode[],
);

export function isCurrencyCode(value: unknown): value is CurrencyCode {
  // hasOwn rather than `in` so that 'toString' or '__proto__' are never mistaken for currencies.
  return typeof value === 'string' && Object.hasOwn(CURRENCIES, value);
}

export function minorUnitsOf(code: CurrencyCode): number {
  // Re-checked at runtime because codes often arrive from untyped sources (DB rows, JSON).
  if (!isCurrencyCode(code)) {
    throw new MoneyError('MONEY.UNKNOWN_CURRENCY', `Unsupported currency: ${String(code)}`);
  }
  return CURRENCIES[code].minorUnits;
}
