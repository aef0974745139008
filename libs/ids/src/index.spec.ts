import * as ids from './index';

describe('@paylab/ids barrel', () => {
  it('exposes the public API', () => {
    expect(ids.isId(ids.newId(ids.ID_PREFIXES.payment), 'pay')).toBe(true);
    expect(ids.defaultIdGenerator).toBeInstanceOf(ids.IdGenerator);
    expect(new ids.IdError('ID.INVALID_ID', 'x')).toBeInstanceOf(Error);
  });
});
