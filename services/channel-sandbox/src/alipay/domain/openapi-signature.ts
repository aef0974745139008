import { createSign, createVerify } from 'node:crypto';

/**
 * RSA2 (SHA256withRSA, base64) as the Alipay OpenAPI classic gateway uses it, in both
 * directions. Pure functions of their inputs, so the sandbox and its tests share one definition
 * of "the string that is signed".
 */

export type Fields = Readonly<Record<string, string>>;

/**
 * The string a request is signed over: every parameter except `sign` (`sign_type` stays in),
 * sorted by ASCII key, `k=v` joined with `&`, values as decoded UTF-8. The official rule also
 * drops empty values, but alipay-sdk keeps them, so the gateway accepts either form.
 */
export function requestSignContent(params: Fields, options: { dropEmpty: boolean }): string {
  return Object.keys(params)
    .filter((key) => key !== 'sign' && !(options.dropEmpty && params[key] === ''))
    .sort()
    .map((key) => `${key}=${params[key]}`)
    .join('&');
}

/**
 * The string a notification (异步通知) is signed over: like a request, but without `sign_type`
 * too (Java rsaCheckV1) and without empty values.
 */
export function notifySignContent(fields: Fields): string {
  return Object.keys(fields)
    .filter((key) => key !== 'sign' && key !== 'sign_type' && fields[key] !== '')
    .sort()
    .map((key) => `${key}=${fields[key]}`)
    .join('&');
}

export function rsa2Sign(content: string, privateKeyPem: string): string {
  return createSign('RSA-SHA256').update(content, 'utf8').sign(privateKeyPem, 'base64');
}

/** False (never an exception) for a malformed signature, so callers answer with a code. */
export function rsa2Verify(content: string, signature: string, publicKeyPem: string): boolean {
  try {
    return createVerify('RSA-SHA256')
      .update(content, 'utf8')
      .verify(publicKeyPem, signature, 'base64');
  } catch {
    return false;
  }
}

export interface RequestSignatureCheck {
  valid: boolean;
  /** What the gateway signed, echoed in sub_msg on failure as the real gateway does. */
  content: string;
}

export function verifyRequestSignature(
  params: Fields,
  publicKeyPem: string,
): RequestSignatureCheck {
  const signature = params.sign ?? '';
  const kept = requestSignContent(params, { dropEmpty: false });
  if (rsa2Verify(kept, signature, publicKeyPem)) return { valid: true, content: kept };
  const dropped = requestSignContent(params, { dropEmpty: true });
  if (dropped !== kept && rsa2Verify(dropped, signature, publicKeyPem)) {
    return { valid: true, content: dropped };
  }
  return { valid: false, content: dropped };
}

/** `alipay.trade.query` → `alipay_trade_query_response`, the key of the response node. */
export function responseKeyOf(method: string): string {
  return `${method.replaceAll('.', '_')}_response`;
}

/**
 * The exact response text: the node first and `sign` last, with the signature over the node's
 * raw JSON text. alipay-sdk cuts the signed text out of the body by position (up to the last
 * `"sign"`), so the order and the bytes matter, not just the parsed values.
 */
export function signedResponseBody(
  responseKey: string,
  node: Readonly<Record<string, unknown>>,
  platformPrivateKeyPem: string,
): string {
  const nodeText = JSON.stringify(node);
  const signature = rsa2Sign(nodeText, platformPrivateKeyPem);
  return `{${JSON.stringify(responseKey)}:${nodeText},"sign":${JSON.stringify(signature)}}`;
}

/** Adds `sign_type` and `sign` to a notification's fields. */
export function signNotification(fields: Fields, platformPrivateKeyPem: string): Fields {
  const withType = { ...fields, sign_type: 'RSA2' };
  return { ...withType, sign: rsa2Sign(notifySignContent(withType), platformPrivateKeyPem) };
}
