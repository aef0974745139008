import { createSign, createVerify, type KeyObject } from 'node:crypto';
import { DomainError } from '@paylab/errors';
import { z } from 'zod';
import type { PayoutQueryResult } from './bank-client';

/**
 * The bank's direct-link protocol (银企直连) as the client speaks it: pure functions, no I/O.
 *
 * Every message is signed SHA256withRSA (base64) over five lines, each ending in "\n":
 * `<kind>\n<subject>\n<timestamp>\n<nonce>\n<body>\n`. A request: kind = the HTTP method,
 * subject = the path and query as sent. The bank's response: kind = RESPONSE, subject = the path
 * and query of the request it answers. A result notification: kind = NOTIFY, subject =
 * payout-result. Timestamps are Unix seconds; nonces are the signer's random strings.
 */

export type BankErrorCode =
  /** A notification that is not the bank's (bad or missing signature, stale) or not readable. */
  | 'BANK.INVALID_NOTIFICATION'
  /** No answer from the bank (timeout, connection refused or reset, 5xx): try again later. */
  | 'BANK.UNAVAILABLE'
  /** An answer whose signature does not verify or whose body is not what the bank sends. */
  | 'BANK.INVALID_RESPONSE'
  /** The bank answered, signed, with a refusal (e.g. an account that is not ours). */
  | 'BANK.REJECTED';

export class BankError extends DomainError<BankErrorCode> {}

/*
 * The bank's side of this protocol lives in channel-sandbox (bank/domain/bank-signature.ts) and is
 * written separately on purpose: the sandbox plays a third party, as a real bank's server would,
 * so the e2e test of the two proves they agree rather than sharing one mistake.
 */
export const BANK_HEADERS = {
  clientId: 'X-Bank-Client-Id',
  timestamp: 'X-Bank-Timestamp',
  nonce: 'X-Bank-Nonce',
  signature: 'X-Bank-Signature',
} as const;

/** How far a notification's timestamp may be from our clock (the bank signs every attempt anew). */
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

export function sign(message: string, privateKey: KeyObject): string {
  return createSign('RSA-SHA256').update(message, 'utf8').sign(privateKey, 'base64');
}

/** False (never an exception) for a malformed signature. */
export function verify(message: string, signature: string, publicKey: KeyObject): boolean {
  try {
    return createVerify('RSA-SHA256')
      .update(message, 'utf8')
      .verify(publicKey, signature, 'base64');
  } catch {
    return false;
  }
}

/** The headers that sign one request. */
export function signedRequestHeaders(
  method: string,
  pathAndQuery: string,
  body: string,
  clientId: string,
  privateKey: KeyObject,
  now: Date,
  nonce: string,
): Record<string, string> {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  return {
    [BANK_HEADERS.clientId]: clientId,
    [BANK_HEADERS.timestamp]: timestamp,
    [BANK_HEADERS.nonce]: nonce,
    [BANK_HEADERS.signature]: sign(
      canonicalString(method.toUpperCase(), pathAndQuery, timestamp, nonce, body),
      privateKey,
    ),
  };
}

/** Reads a header whatever its case (Node lower-cases them; fetch's Headers does too). */
export function headerOf(
  headers: Record<string, string | undefined>,
  name: string,
): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/**
 * Whether the bank signed `body` as a `kind` for `subject`. With `now`, the timestamp must also
 * be within MAX_CLOCK_SKEW_SECONDS of it.
 */
export function isSignedByBank(
  kind: 'RESPONSE' | 'NOTIFY',
  subject: string,
  headers: Record<string, string | undefined>,
  body: string,
  bankPublicKey: KeyObject,
  now?: Date,
): boolean {
  const timestamp = headerOf(headers, BANK_HEADERS.timestamp);
  const nonce = headerOf(headers, BANK_HEADERS.nonce);
  const signature = headerOf(headers, BANK_HEADERS.signature);
  if (!timestamp || !nonce || !signature || !/^\d{1,12}$/.test(timestamp)) return false;
  if (
    now &&
    Math.abs(Math.floor(now.getTime() / 1000) - Number(timestamp)) > MAX_CLOCK_SKEW_SECONDS
  ) {
    return false;
  }
  return verify(canonicalString(kind, subject, timestamp, nonce, body), signature, bankPublicKey);
}

const isoInstant = z.iso.datetime({ offset: true });

/** A payout as the bank shows it (submit and query answers). */
export const bankPayoutSchema = z.object({
  requestNo: z.string().min(1),
  bankTxnNo: z.string().min(1),
  status: z.enum(['PROCESSING', 'SUCCEEDED', 'FAILED']),
  amountMinor: z.number().int().positive(),
  currency: z.string(),
  failureCode: z.string().min(1).nullable(),
  failureMessage: z.string().nullable(),
  finishedAt: isoInstant.nullable(),
});
export type BankPayout = z.infer<typeof bankPayoutSchema>;

/** The bank's error body: PayLab's `{error:{type, code, message}}`. */
export const bankErrorSchema = z.object({
  error: z.object({ code: z.string().min(1), message: z.string() }),
});

/** A result notification (代付结果通知) body. */
export const bankNotificationSchema = bankPayoutSchema.omit({ status: true }).extend({
  notifyId: z.string().min(1),
  notifyType: z.literal('PAYOUT_RESULT'),
  status: z.enum(['SUCCEEDED', 'FAILED']),
  finishedAt: isoInstant,
});

/**
 * A payout as a query result, or null when the bank's record breaks its own rules (a final
 * payout without its finish time, a failure without its code): such an answer is not trusted.
 */
export function toQueryResult(payout: BankPayout): PayoutQueryResult | null {
  switch (payout.status) {
    case 'PROCESSING':
      return { status: 'PROCESSING', bankTxnNo: payout.bankTxnNo };
    case 'SUCCEEDED':
      return payout.finishedAt
        ? {
            status: 'SUCCEEDED',
            bankTxnNo: payout.bankTxnNo,
            finishedAt: new Date(payout.finishedAt),
          }
        : null;
    case 'FAILED':
      return payout.failureCode
        ? {
            status: 'FAILED',
            bankTxnNo: payout.bankTxnNo,
            failureCode: payout.failureCode,
            failureMessage: payout.failureMessage ?? '',
          }
        : null;
  }
}
