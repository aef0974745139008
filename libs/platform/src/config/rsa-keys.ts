import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';

/**
 * RSA keys as configuration carries them: PEM, or the bare single-line base64 body of the DER
 * (PKCS#8 or PKCS#1 for a private key, SPKI for a public one), which fits an env file. Parsed
 * once at start-up, so a bad key stops the service instead of failing the first payment.
 */
const PEM = /^-----BEGIN [A-Z ]+-----[\s\S]+-----END [A-Z ]+-----$/;

export function privateKeyOf(value: string): KeyObject {
  const text = value.trim();
  if (PEM.test(text)) return createPrivateKey(text);
  const der = Buffer.from(text, 'base64');
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs1' });
  }
}

export function publicKeyOf(value: string): KeyObject {
  const text = value.trim();
  if (PEM.test(text)) return createPublicKey(text);
  return createPublicKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'spki' });
}

/** The configuration schema of such a key: PEM, or the bare single-line base64 body. */
export const rsaKeyEnv = () =>
  z
    .string()
    .trim()
    .refine((value) => PEM.test(value) || /^[A-Za-z0-9+/]+={0,2}$/.test(value), {
      message: 'must be a PEM key or its single-line base64 body',
    });
