import { createSign, createVerify, randomBytes } from 'node:crypto';

/**
 * WeChat Pay APIv3 signatures (签名与验签), both directions: SHA256withRSA over lines joined
 * by "\n", each line ending in "\n", base64. Pure functions, so the sandbox and its tests share
 * one definition of "the string that is signed".
 */

export const AUTHORIZATION_SCHEME = 'WECHATPAY2-SHA256-RSA2048';

/** How far a request's timestamp may be from the sandbox clock, as WeChat Pay allows. */
export const MAX_CLOCK_SKEW_SECONDS = 300;

/** `a\nb\nc\n`: the message shape of every APIv3 signature. */
export function joinedByLineFeed(...parts: Array<string | number>): string {
  return parts.map((part) => `${part}\n`).join('');
}

/**
 * What a merchant signs: `METHOD\n<path?query as sent>\n<unix seconds>\n<nonce>\n<body>\n`.
 * The path is the one on the wire, so a base-URL prefix such as /wechatpay is part of it.
 */
export function requestMessage(
  method: string,
  pathAndQuery: string,
  timestamp: string,
  nonce: string,
  body: string,
): string {
  return joinedByLineFeed(method.toUpperCase(), pathAndQuery, timestamp, nonce, body);
}

/** What the platform signs on a response or a notification: `ts\nnonce\nbody\n`. */
export function responseMessage(timestamp: string, nonce: string, body: string): string {
  return joinedByLineFeed(timestamp, nonce, body);
}

export function rsaSign(message: string, privateKeyPem: string): string {
  return createSign('RSA-SHA256').update(message, 'utf8').sign(privateKeyPem, 'base64');
}

/** False (never an exception) for a malformed signature. */
export function rsaVerify(message: string, signature: string, publicKeyPem: string): boolean {
  try {
    return createVerify('RSA-SHA256')
      .update(message, 'utf8')
      .verify(publicKeyPem, signature, 'base64');
  } catch {
    return false;
  }
}

export interface AuthorizationFields {
  mchid: string;
  serialNo: string;
  timestamp: string;
  nonceStr: string;
  signature: string;
}

/**
 * Parses `WECHATPAY2-SHA256-RSA2048 mchid="…",serial_no="…",timestamp="…",nonce_str="…",
 * signature="…"`, fields in any order (the documentation says order does not matter). Null when
 * the scheme is wrong, a field is missing or repeated, or a field is malformed.
 */
export function parseAuthorization(header: string | undefined): AuthorizationFields | null {
  if (!header?.startsWith(`${AUTHORIZATION_SCHEME} `)) return null;
  const rest = header.slice(AUTHORIZATION_SCHEME.length + 1).trim();
  const fields = new Map<string, string>();
  // Values never contain a comma (digits, hex, base62, base64), so a comma splits fields.
  for (const part of rest.split(',')) {
    const match = /^\s*([a-z_]+)="([^"]*)"\s*$/.exec(part);
    if (!match || fields.has(match[1])) return null;
    fields.set(match[1], match[2]);
  }
  const mchid = fields.get('mchid');
  const serialNo = fields.get('serial_no');
  const timestamp = fields.get('timestamp');
  const nonceStr = fields.get('nonce_str');
  const signature = fields.get('signature');
  if (!mchid || !serialNo || !timestamp || !nonceStr || !signature) return null;
  if (!/^\d{1,12}$/.test(timestamp)) return null;
  return { mchid, serialNo, timestamp, nonceStr, signature };
}

/** A 32-character nonce of letters and digits, as WeChat Pay's own. */
export function newNonce(): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  return Array.from(randomBytes(32), (byte) => alphabet[byte % alphabet.length]).join('');
}

/**
 * The Wechatpay-* headers that sign a response or notification body. The timestamp is the real
 * clock: the plugin refuses anything more than 300 s off its own.
 */
export function platformSignatureHeaders(
  body: string,
  platformPrivateKeyPem: string,
  platformSerial: string,
  now: Date = new Date(),
  nonce: string = newNonce(),
): Record<string, string> {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  return {
    'Wechatpay-Timestamp': timestamp,
    'Wechatpay-Nonce': nonce,
    'Wechatpay-Signature': rsaSign(responseMessage(timestamp, nonce, body), platformPrivateKeyPem),
    'Wechatpay-Serial': platformSerial,
    'Wechatpay-Signature-Type': AUTHORIZATION_SCHEME,
  };
}
