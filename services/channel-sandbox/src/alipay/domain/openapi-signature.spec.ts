import { generateKeyPairSync } from 'node:crypto';
import {
  notifySignContent,
  requestSignContent,
  responseKeyOf,
  rsa2Sign,
  signedResponseBody,
  signNotification,
  verifyRequestSignature,
} from './openapi-signature';

const keys = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});

describe('Alipay RSA2 signing', () => {
  const params = { method: 'alipay.trade.query', app_id: '1', sign_type: 'RSA2', empty: '' };

  it('signs every parameter but sign, sorted, with sign_type kept', () => {
    expect(requestSignContent({ ...params, sign: 'x' }, { dropEmpty: false })).toBe(
      'app_id=1&empty=&method=alipay.trade.query&sign_type=RSA2',
    );
    expect(requestSignContent(params, { dropEmpty: true })).toBe(
      'app_id=1&method=alipay.trade.query&sign_type=RSA2',
    );
  });

  it('accepts a signature with or without empty values, and nothing else', () => {
    const sdkStyle = rsa2Sign(requestSignContent(params, { dropEmpty: false }), keys.privateKey);
    const officialStyle = rsa2Sign(
      requestSignContent(params, { dropEmpty: true }),
      keys.privateKey,
    );
    expect(verifyRequestSignature({ ...params, sign: sdkStyle }, keys.publicKey).valid).toBe(true);
    expect(verifyRequestSignature({ ...params, sign: officialStyle }, keys.publicKey).valid).toBe(
      true,
    );
    expect(
      verifyRequestSignature({ ...params, app_id: '2', sign: sdkStyle }, keys.publicKey).valid,
    ).toBe(false);
    expect(verifyRequestSignature({ ...params, sign: '%%%' }, keys.publicKey).valid).toBe(false);
  });

  it('puts the node first and the signature over its exact text last', () => {
    const body = signedResponseBody(
      responseKeyOf('alipay.trade.query'),
      { code: '10000' },
      keys.privateKey,
    );
    expect(body.startsWith('{"alipay_trade_query_response":{"code":"10000"},"sign":"')).toBe(true);
    const sign = (JSON.parse(body) as { sign: string }).sign;
    expect(sign).toBe(rsa2Sign('{"code":"10000"}', keys.privateKey));
  });

  it('signs notifications without sign, sign_type and empty values', () => {
    const signed = signNotification({ b: '2', a: '1', c: '' }, keys.privateKey);
    expect(signed.sign_type).toBe('RSA2');
    expect(notifySignContent(signed)).toBe('a=1&b=2');
    expect(signed.sign).toBe(rsa2Sign('a=1&b=2', keys.privateKey));
  });
});
