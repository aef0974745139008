import { ID_PREFIXES, IdPrefix, isIdPrefix } from './prefixes';
import { isId, newId, prefixOfId, timestampOfId } from './ids';

const ID_FORMAT = /^[a-z]{2,3}_[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

describe('ids', () => {
  it('has unique prefixes', () => {
    const values = Object.values(ID_PREFIXES);
    expect(new Set(values).size).toBe(values.length);
    expect(ID_PREFIXES.payment).toBe('pay');
    expect(ID_PREFIXES.payout).toBe('po');
  });

  it.each(Object.values(ID_PREFIXES))('newId(%s) has the documented format', (prefix) => {
    const id = newId(prefix);
    expect(id).toMatch(ID_FORMAT);
    expect(id.startsWith(`${prefix}_`)).toBe(true);
    expect(id).toHaveLength(prefix.length + 1 + 26);
    expect(isId(id)).toBe(true);
    expect(isId(id, prefix)).toBe(true);
    expect(prefixOfId(id)).toBe(prefix);
  });

  it('rejects unknown prefixes when generating', () => {
    for (const bad of ['usr', 'PAY', '', 'pay_', 'toString']) {
      expect(() => newId(bad as IdPrefix)).toThrow(
        expect.objectContaining({ code: 'ID.INVALID_PREFIX' }),
      );
    }
    expect(isIdPrefix('pay')).toBe(true);
    expect(isIdPrefix('usr')).toBe(false);
  });

  it('sorts 1000 ids created in a tight loop in creation order', () => {
    const ids: string[] = [];
    for (let i = 0; i < 1000; i++) ids.push(newId('txn'));
    expect(new Set(ids).size).toBe(1000);
    expect([...ids].sort()).toEqual(ids);
  });

  it('sorts by creation time across milliseconds', () => {
    const earlier = newId('evt', Date.UTC(2024, 0, 1));
    const later = newId('evt', Date.UTC(2024, 0, 1, 0, 0, 0, 1));
    expect(earlier < later).toBe(true);
  });

  it('round trips the timestamp', () => {
    for (const time of [0, Date.UTC(2024, 5, 30, 12, 34, 56, 789), Date.now(), 2 ** 48 - 1]) {
      expect(timestampOfId(newId('pay', time)).getTime()).toBe(time);
    }
    const before = Date.now();
    const id = newId('ref');
    const after = Date.now();
    const stamped = timestampOfId(id).getTime();
    expect(stamped).toBeGreaterThanOrEqual(before);
    expect(stamped).toBeLessThanOrEqual(after);
  });

  it('checks the expected prefix', () => {
    const id = newId('pay');
    expect(isId(id, 'ref')).toBe(false);
    expect(isId(id, 'xxx' as IdPrefix)).toBe(false);
  });

  it.each([
    [null],
    [undefined],
    [42],
    [{}],
    [''],
    ['pay_'],
    ['pay'],
    ['_01ARYZ6S41TSV4RRFFQ69G5FAV'],
    ['usr_01ARYZ6S41TSV4RRFFQ69G5FAV'],
    ['PAY_01ARYZ6S41TSV4RRFFQ69G5FAV'],
    ['pay-01ARYZ6S41TSV4RRFFQ69G5FAV'],
    ['pay_01aryz6s41tsv4rrffq69g5fav'],
    ['pay_01ARYZ6S41TSV4RRFFQ69G5FA'],
    ['pay_01ARYZ6S41TSV4RRFFQ69G5FAVX'],
    ['pay_01ARYZ6S41TSV4RRFFQ69G5FAU'],
    ['pay_81ARYZ6S41TSV4RRFFQ69G5FAV'],
    [' pay_01ARYZ6S41TSV4RRFFQ69G5FAV'],
    ['pay_01ARYZ6S41TSV4RRFFQ69G5FAV\n'],
    ['pay_pay_01ARYZ6S41TSV4RRFFQ69G5FAV'],
  ])('rejects %p', (value) => {
    expect(isId(value)).toBe(false);
  });

  it('accepts a well-formed id from elsewhere', () => {
    expect(isId('pay_01ARYZ6S41TSV4RRFFQ69G5FAV', 'pay')).toBe(true);
    expect(timestampOfId('pay_01ARYZ6S41TSV4RRFFQ69G5FAV').getTime()).toBe(1469918176385);
  });

  it('throws on garbage when extracting parts', () => {
    for (const bad of ['garbage', 'usr_01ARYZ6S41TSV4RRFFQ69G5FAV', '']) {
      expect(() => timestampOfId(bad)).toThrow(expect.objectContaining({ code: 'ID.INVALID_ID' }));
      expect(() => prefixOfId(bad)).toThrow(expect.objectContaining({ code: 'ID.INVALID_ID' }));
    }
  });
});
