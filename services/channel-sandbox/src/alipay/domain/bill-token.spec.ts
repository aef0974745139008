import { issueBillToken, readBillToken } from './bill-token';

describe('bill download tokens', () => {
  const now = new Date('2026-01-15T00:00:00Z');
  const grant = {
    appId: 'app',
    billDate: '2026-01-14',
    expiresAt: new Date('2026-01-15T00:05:00Z'),
  };

  it('round-trips until it expires', () => {
    const token = issueBillToken(grant, 'secret');
    expect(readBillToken(token, 'secret', now)).toEqual(grant);
    expect(readBillToken(token, 'secret', grant.expiresAt)).toBeNull();
  });

  it('carries an optional kind (a WeChat Pay bill_type), covered by the MAC', () => {
    const token = issueBillToken({ ...grant, kind: 'SUCCESS' }, 'secret');
    expect(readBillToken(token, 'secret', now)).toEqual({ ...grant, kind: 'SUCCESS' });
    const [, mac] = token.split('.');
    const edited = Buffer.from(
      JSON.stringify({ a: 'app', d: '2026-01-14', e: 1e10, k: 'ALL' }),
    ).toString('base64url');
    expect(readBillToken(`${edited}.${mac}`, 'secret', now)).toBeNull();
  });

  it('refuses forged, edited and malformed tokens', () => {
    const token = issueBillToken(grant, 'secret');
    expect(readBillToken(token, 'other', now)).toBeNull();
    const [, mac] = token.split('.');
    const edited = Buffer.from(JSON.stringify({ a: 'other', d: '2026-01-14', e: 1e10 })).toString(
      'base64url',
    );
    expect(readBillToken(`${edited}.${mac}`, 'secret', now)).toBeNull();
    expect(readBillToken('garbage', 'secret', now)).toBeNull();
    expect(readBillToken(`${token}.x`, 'secret', now)).toBeNull();
  });
});
