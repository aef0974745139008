import { createCipheriv, createDecipheriv } from 'node:crypto';

/**
 * AEAD_AES_256_GCM as WeChat Pay APIv3 encrypts notification resources: the key is the 32-byte
 * APIv3 key (UTF-8), the iv the 12-character `nonce`, the additional data `associated_data`, and
 * `ciphertext` is base64 of the encrypted bytes followed by the 16-byte tag.
 */
const TAG_BYTES = 16;

export function encryptResource(
  plaintext: string,
  apiV3Key: string,
  nonce: string,
  associatedData: string,
): string {
  const cipher = createCipheriv('aes-256-gcm', keyOf(apiV3Key), Buffer.from(nonce, 'utf8'));
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const encrypted = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([encrypted, cipher.getAuthTag()]).toString('base64');
}

/** The inverse, for tests and tools; throws when the tag does not authenticate. */
export function decryptResource(
  ciphertext: string,
  apiV3Key: string,
  nonce: string,
  associatedData: string,
): string {
  const bytes = Buffer.from(ciphertext, 'base64');
  if (bytes.length < TAG_BYTES) throw new RangeError('ciphertext shorter than its tag');
  const decipher = createDecipheriv('aes-256-gcm', keyOf(apiV3Key), Buffer.from(nonce, 'utf8'));
  decipher.setAAD(Buffer.from(associatedData, 'utf8'));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  return Buffer.concat([
    decipher.update(bytes.subarray(0, bytes.length - TAG_BYTES)),
    decipher.final(),
  ]).toString('utf8');
}

function keyOf(apiV3Key: string): Buffer {
  const key = Buffer.from(apiV3Key, 'utf8');
  if (key.length !== 32) throw new RangeError('the APIv3 key must be 32 bytes');
  return key;
}
