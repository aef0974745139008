import { CURRENCY_CODES, CurrencyCode, isCurrencyCode, minorUnitsOf } from './currency';

describe('currency catalogue', () => {
  it.each([
    ['CNY', 2],
    ['USD', 2],
    ['EUR', 2],
    ['HKD', 2],
    ['GBP', 2],
    ['SGD', 2],
    ['JPY', 0],
    ['KRW', 0],
  ] as const)('%s has %i minor units', (code, units) => {
    expect(isCurrencyCode(code)).toBe(true);
    expect(minorUnitsOf(code)).toBe(units);
  });

  it('lists exactly the supported codes', () => {
    expect([...CURRENCY_CODES].sort()).toEqual(
      ['CNY', 'EUR', 'GBP', 'HKD', 'JPY', 'KRW', 'SGD', 'USD'].sort(),
    );
  });

  it.each([['cny'], ['XXX'], [''], ['toString'], ['__proto__'], [null], [undefined], [156]])(
    'rejects %p',
    (value) => {
      expect(isCurrencyCode(value)).toBe(false);
    },
  );

  it('minorUnitsOf throws for codes smuggled past the type system', () => {
    expect(() => minorUnitsOf('BTC' as CurrencyCode)).toThrow(
      expect.objectContaining({ code: 'MONEY.UNKNOWN_CURRENCY' }),
    );
  });
});
