import { Aes } from 'wechatpay-axios-plugin';
import { decryptResource, encryptResource } from './aes-gcm';

describe('AEAD_AES_256_GCM notification resources', () => {
  const key = 'PayLabDemoApiV3Key0123456789abcd';

  it('produces what the plugin decrypts, and round-trips', () => {
    const plaintext = JSON.stringify({
      out_trade_no: 'o_1',
      amount: { total: 1234 },
      说明: '乌龙茶',
    });
    const ciphertext = encryptResource(plaintext, key, '0123456789ab', 'transaction');
    expect(Aes.AesGcm.decrypt(ciphertext, key, '0123456789ab', 'transaction')).toBe(plaintext);
    expect(decryptResource(ciphertext, key, '0123456789ab', 'transaction')).toBe(plaintext);
    const fromPlugin = Aes.AesGcm.encrypt(plaintext, key, 'ba9876543210', 'x') as string;
    expect(decryptResource(fromPlugin, key, 'ba9876543210', 'x')).toBe(plaintext);
  });

  it('refuses a wrong key, associated data or tampered ciphertext, and a key not 32 bytes', () => {
    const ciphertext = encryptResource('{}', key, '0123456789ab', 'transaction');
    expect(() =>
      decryptResource(ciphertext, 'X'.repeat(32), '0123456789ab', 'transaction'),
    ).toThrow();
    expect(() => decryptResource(ciphertext, key, '0123456789ab', 'refund')).toThrow();
    const bytes = Buffer.from(ciphertext, 'base64');
    bytes[0] ^= 1;
    expect(() =>
      decryptResource(bytes.toString('base64'), key, '0123456789ab', 'transaction'),
    ).toThrow();
    expect(() => encryptResource('{}', 'short', '0123456789ab', 'transaction')).toThrow(RangeError);
  });
});
