import * as money from './index';

describe('@paylab/money barrel', () => {
  it('exposes the public API', () => {
    expect(typeof money.Money.of).toBe('function');
    expect(typeof money.Rate.ppm).toBe('function');
    expect(typeof money.divideRounded).toBe('function');
    expect(typeof money.isCurrencyCode).toBe('function');
    expect(typeof money.minorUnitsOf).toBe('function');
    expect(new money.MoneyError('MONEY.INVALID_AMOUNT', 'x')).toBeInstanceOf(Error);
  });
});
