import { generateKeyPairSync } from 'node:crypto';
import { Formatter, Rsa } from 'wechatpay-axios-plugin';
import {
  parseAuthorization,
  platformSignatureHeaders,
  requestMessage,
  responseMessage,
  rsaSign,
  rsaVerify,
} from './v3-signature';

const pair = () =>
  generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });

describe('WeChat Pay APIv3 signatures', () => {
  const keys = pair();

  it('builds the same messages as the plugin', () => {
    expect(requestMessage('get', '/wechatpay/v3/x?mchid=1', '1700000000', 'n', '')).toBe(
      Formatter.request('GET', '/wechatpay/v3/x?mchid=1', 1700000000, 'n', ''),
    );
    expect(responseMessage('1700000000', 'n', '{"a":1}')).toBe('1700000000\nn\n{"a":1}\n');
  });

  it('verifies what the plugin signs, and refuses tampering, other keys and probes', () => {
    const message = requestMessage('POST', '/wechatpay/v3/pay', '1', 'nonce', '{"a":1}');
    const signature = Rsa.sign(message, keys.privateKey) as string;
    expect(rsaVerify(message, signature, keys.publicKey)).toBe(true);
    expect(rsaVerify(message.replace('{"a":1}', '{"a":2}'), signature, keys.publicKey)).toBe(false);
    expect(rsaVerify(message, signature, pair().publicKey)).toBe(false);
    expect(rsaVerify(message, 'WECHATPAY/SIGNTEST/abc', keys.publicKey)).toBe(false);
    expect(rsaVerify(message, 'not base64 at all', keys.publicKey)).toBe(false);
  });

  it('signs response headers the plugin verifies', () => {
    const headers = platformSignatureHeaders('{"code_url":"x"}', keys.privateKey, 'SERIAL');
    expect(headers['Wechatpay-Serial']).toBe('SERIAL');
    expect(Math.abs(Number(headers['Wechatpay-Timestamp']) - Date.now() / 1000)).toBeLessThan(5);
    const message = Formatter.response(
      headers['Wechatpay-Timestamp'],
      headers['Wechatpay-Nonce'],
      '{"code_url":"x"}',
    );
    expect(Rsa.verify(message, headers['Wechatpay-Signature'], keys.publicKey)).toBe(true);
    expect(rsaSign('x', keys.privateKey)).not.toBe(rsaSign('y', keys.privateKey));
  });

  it('parses the Authorization header in any field order, and refuses malformed ones', () => {
    const header = Formatter.authorization('1900000001', 'NONCE', 'c2ln', 1700000000, 'ABC');
    expect(parseAuthorization(header)).toEqual({
      mchid: '1900000001',
      serialNo: 'ABC',
      timestamp: '1700000000',
      nonceStr: 'NONCE',
      signature: 'c2ln',
    });
    expect(
      parseAuthorization(
        'WECHATPAY2-SHA256-RSA2048 signature="c2ln", nonce_str="N",timestamp="1",serial_no="S",mchid="1"',
      ),
    ).toMatchObject({ mchid: '1', signature: 'c2ln' });
    for (const bad of [
      undefined,
      '',
      'Bearer x',
      header.replace('WECHATPAY2-SHA256-RSA2048', 'WECHATPAY2-SHA256-RSA4096'),
      header.replace(/,signature="[^"]*"/, ''),
      header.replace('timestamp="1700000000"', 'timestamp="soon"'),
      `${header},mchid="2"`,
      header.replace('mchid="1900000001"', 'mchid=1900000001'),
    ]) {
      expect(parseAuthorization(bad)).toBeNull();
    }
  });
});
