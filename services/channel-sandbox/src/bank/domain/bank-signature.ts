import { newNonce, rsaSign, rsaVerify } from '../../wechat-pay/domain/v3-signature';

/**
 * The sandbox bank's signatures (银企直连签名), both directions: SHA256withRSA, base64, over a
 * canonical string of five lines, each ending in "\n":
 *
 *   <kind>\n<subject>\n<timestamp>\n<nonce>\n<body>\n
 *
 * - a request:      kind = the HTTP method, subject = the path and query as sent (/bank/v1/…);
 * - a response:     kind = RESPONSE, subject = the path and query of the request it answers;
 * - a notification: kind = NOTIFY, subject = payout-result.
 *
 * The kind and subject keep a signature from being replayed in another role: a signed response
 * is never a valid notification, an answer to one path never one to another. The timestamp is
 * Unix seconds; the nonce is the signer's own random string. Pure, so the bank and its tests
 * share one definition.
 */

export const BANK_HEADERS = {
  clientId: 'X-Bank-Client-Id',
  timestamp: 'X-Bank-Timestamp',
  nonce: 'X-Bank-Nonce',
  signature: 'X-Bank-Signature',
} as const;

/** How far a request's timestamp may be from the bank's clock, either way. */
export const MAX_CLOCK_SKEW_SECONDS = 300;

export const NOTIFICATION_SUBJECT = 'payout-result';

export function canonicalString(
  kind: string,
  subject: string,
  timestamp: string,
  nonce: string,
  body: string,
): string {
  return [kind, subject, timestamp, nonce, body].map((part) => `${part}\n`).join('');
}

export interface SignatureHeaders {
  timestamp: string;
  nonce: string;
  signature: string;
}

/** Reads the signature headers; null when one is missing or malformed. */
export function readSignatureHeaders(
  header: (name: string) => string | undefined,
): SignatureHeaders | null {
  const timestamp = header(BANK_HEADERS.timestamp);
  const nonce = header(BANK_HEADERS.nonce);
  const signature = header(BANK_HEADERS.signature);
  if (!timestamp || !nonce || !signature) return null;
  if (!/^\d{1,12}$/.test(timestamp)) return null;
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(nonce)) return null;
  if (!/^[A-Za-z0-9+/]{1,1024}={0,2}$/.test(signature)) return null;
  return { timestamp, nonce, signature };
}

/** Seconds between the timestamp and `now`, either way. */
export function clockSkewSeconds(timestamp: string, now: Date): number {
  return Math.abs(Math.floor(now.getTime() / 1000) - Number(timestamp));
}

export function verifySignature(
  kind: string,
  subject: string,
  headers: SignatureHeaders,
  body: string,
  publicKeyPem: string,
): boolean {
  return rsaVerify(
    canonicalString(kind, subject, headers.timestamp, headers.nonce, body),
    headers.signature,
    publicKeyPem,
  );
}

/** The X-Bank-* headers that sign a response or notification body with the bank's key. */
export function bankSignatureHeaders(
  kind: 'RESPONSE' | 'NOTIFY',
  subject: string,
  body: string,
  privateKeyPem: string,
  now: Date = new Date(),
  nonce: string = newNonce(),
): Record<string, string> {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  return {
    [BANK_HEADERS.timestamp]: timestamp,
    [BANK_HEADERS.nonce]: nonce,
    [BANK_HEADERS.signature]: rsaSign(
      canonicalString(kind, subject, timestamp, nonce, body),
      privateKeyPem,
    ),
  };
}
