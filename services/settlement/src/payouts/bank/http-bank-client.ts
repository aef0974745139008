import { randomBytes, type KeyObject } from 'node:crypto';
import { privateKeyOf, publicKeyOf } from '@paylab/platform';
import type {
  BankClient,
  PayoutInstruction,
  PayoutNotification,
  PayoutQueryResult,
  PayoutSubmission,
} from './bank-client';
import {
  bankErrorSchema,
  BankError,
  bankNotificationSchema,
  bankPayoutSchema,
  isSignedByBank,
  NOTIFICATION_SUBJECT,
  signedRequestHeaders,
  toQueryResult,
} from './bank-protocol';

export interface HttpBankClientOptions {
  /** The bank's direct-link root, e.g. http://channel-sandbox:3005/bank (paths /v1/… go below). */
  baseUrl: string;
  /** Our enterprise client id at the bank (客户号). */
  clientId: string;
  /** Our private key (PEM or single-line base64 DER): every request is signed with it. */
  clientPrivateKey: string;
  /** The bank's public key (PEM or base64 SPKI): its answers and notifications must verify. */
  bankPublicKey: string;
  /** The account every payout is paid from (备付金专户); statements are of this account. */
  payerAccountNo: string;
  /** Where the bank POSTs result notifications (settlement's /v1/bank/payout-notifications). */
  notifyUrl: string;
  /** Past this, a call has no answer: a payout becomes UNKNOWN, a query or statement throws. */
  requestTimeoutMs: number;
}

/** What came back from one signed call, before anyone decides what it means. */
type Exchange =
  | { kind: 'NO_ANSWER'; reason: string }
  | { kind: 'UNVERIFIED'; status: number }
  | { kind: 'ANSWER'; status: number; body: string };

/**
 * The BankClient over the bank's signed HTTP protocol (bank-protocol.ts). Its one rule: an
 * answer we cannot trust is never read as a refusal. A submission with no answer, a 5xx, or an
 * answer whose signature does not verify is UNKNOWN (query it, never resubmit blind); a query or
 * statement in that state throws BANK.UNAVAILABLE / BANK.INVALID_RESPONSE for the caller to retry.
 */
export class HttpBankClient implements BankClient {
  private readonly baseUrl: string;
  private readonly privateKey: KeyObject;
  private readonly bankKey: KeyObject;

  /** Parses the keys at once, so a bad key stops the service at start-up. */
  constructor(
    private readonly options: HttpBankClientOptions,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.privateKey = privateKeyOf(options.clientPrivateKey);
    this.bankKey = publicKeyOf(options.bankPublicKey);
  }

  async submitPayout(instruction: PayoutInstruction): Promise<PayoutSubmission> {
    const body = JSON.stringify({
      requestNo: instruction.requestNo,
      payerAccountNo: this.options.payerAccountNo,
      payeeBankCode: instruction.payeeBankCode,
      payeeAccountNo: instruction.payeeAccountNo,
      payeeAccountName: instruction.payeeAccountName,
      amountMinor: instruction.amountMinor,
      currency: instruction.currency,
      memo: instruction.memo,
      notifyUrl: this.options.notifyUrl,
    });
    const exchange = await this.call('POST', '/v1/payouts', body);
    if (exchange.kind === 'NO_ANSWER') return unknown(exchange.reason);
    if (exchange.kind === 'UNVERIFIED') {
      return unknown(`HTTP ${exchange.status} whose signature does not verify`);
    }
    if (exchange.status >= 500) return unknown(`HTTP ${exchange.status} from the bank`);
    if (exchange.status !== 200) {
      const refusal = parseJson(exchange.body, bankErrorSchema);
      if (!refusal) return unknown(`HTTP ${exchange.status} with an unreadable body`);
      if (refusal.error.code === 'BANK.REQUEST_NO_CONFLICT') {
        // An earlier payout holds this request number: whatever became of it, query it.
        return unknown(`${refusal.error.code}: ${refusal.error.message}`);
      }
      // A signed refusal before acceptance (bad field, not our account, bad signature):
      // the bank took nothing.
      return {
        outcome: 'FAILED',
        failureCode: refusal.error.code,
        failureMessage: refusal.error.message,
      };
    }
    const payout = parseJson(exchange.body, bankPayoutSchema);
    if (
      !payout ||
      payout.requestNo !== instruction.requestNo ||
      payout.amountMinor !== instruction.amountMinor
    ) {
      return unknown('a 200 answer that is not this payout');
    }
    const result = toQueryResult(payout);
    if (!result) return unknown('a 200 answer that breaks the bank’s own rules');
    switch (result.status) {
      case 'PROCESSING':
        return { outcome: 'ACCEPTED', bankTxnNo: result.bankTxnNo };
      case 'SUCCEEDED':
        return { outcome: 'SUCCEEDED', bankTxnNo: result.bankTxnNo, finishedAt: result.finishedAt };
      case 'FAILED':
        return {
          outcome: 'FAILED',
          failureCode: result.failureCode,
          failureMessage: result.failureMessage,
        };
      default:
        return unknown('an unexpected payout status');
    }
  }

  async queryPayout(requestNo: string): Promise<PayoutQueryResult> {
    const exchange = await this.call('GET', `/v1/payouts/${encodeURIComponent(requestNo)}`, '');
    const body = this.trustedBody(exchange, `query of ${requestNo}`);
    if (exchange.kind === 'ANSWER' && exchange.status === 404) {
      const refusal = parseJson(body, bankErrorSchema);
      if (refusal?.error.code === 'BANK.PAYOUT_NOT_FOUND') return { status: 'NOT_FOUND' };
    }
    if (exchange.kind === 'ANSWER' && exchange.status === 200) {
      const payout = parseJson(body, bankPayoutSchema);
      const result = payout && payout.requestNo === requestNo ? toQueryResult(payout) : null;
      if (result) return result;
      throw new BankError(
        'BANK.INVALID_RESPONSE',
        `The bank's answer to the query of ${requestNo} is not a payout of that request number.`,
      );
    }
    throw refusalOf(exchange, body, `query of ${requestNo}`);
  }

  verifyNotification(
    headers: Record<string, string | undefined>,
    rawBody: string,
  ): PayoutNotification {
    if (
      !isSignedByBank('NOTIFY', NOTIFICATION_SUBJECT, headers, rawBody, this.bankKey, this.now())
    ) {
      throw new BankError(
        'BANK.INVALID_NOTIFICATION',
        'The notification is not signed by the bank (missing, wrong or stale X-Bank-Signature).',
      );
    }
    const notification = parseJson(rawBody, bankNotificationSchema);
    const result = notification ? toQueryResult(notification) : null;
    if (
      !notification ||
      !result ||
      result.status === 'PROCESSING' ||
      result.status === 'NOT_FOUND'
    ) {
      throw new BankError(
        'BANK.INVALID_NOTIFICATION',
        'The notification is signed but is not a payout result the bank sends.',
      );
    }
    return { requestNo: notification.requestNo, result };
  }

  async fetchStatement(date: string): Promise<string> {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) {
      throw new RangeError(`date must be YYYY-MM-DD, got ${date}`);
    }
    const path = `/v1/statements/${date}?accountNo=${encodeURIComponent(this.options.payerAccountNo)}`;
    const exchange = await this.call('GET', path, '');
    const body = this.trustedBody(exchange, `statement of ${date}`);
    if (exchange.kind === 'ANSWER' && exchange.status === 200) return body;
    throw refusalOf(exchange, body, `statement of ${date}`);
  }

  /** The body of a verified, non-5xx answer; throws for anything less. */
  private trustedBody(exchange: Exchange, what: string): string {
    if (exchange.kind === 'NO_ANSWER') {
      throw new BankError(
        'BANK.UNAVAILABLE',
        `No answer from the bank to the ${what}: ${exchange.reason}.`,
      );
    }
    if (exchange.kind === 'UNVERIFIED') {
      throw new BankError(
        'BANK.INVALID_RESPONSE',
        `The bank's answer (HTTP ${exchange.status}) to the ${what} does not verify.`,
      );
    }
    if (exchange.status >= 500) {
      throw new BankError(
        'BANK.UNAVAILABLE',
        `HTTP ${exchange.status} from the bank to the ${what}.`,
      );
    }
    return exchange.body;
  }

  /** One signed call; the answer's signature checked against this request's path and query. */
  private async call(
    method: 'GET' | 'POST',
    pathAndQuery: string,
    body: string,
  ): Promise<Exchange> {
    const url = new URL(`${this.baseUrl}${pathAndQuery}`);
    const subject = `${url.pathname}${url.search}`;
    const nonce = randomBytes(24).toString('base64url');
    const headers = signedRequestHeaders(
      method,
      subject,
      body,
      this.options.clientId,
      this.privateKey,
      this.now(),
      nonce,
    );
    try {
      const response = await fetch(url, {
        method,
        headers: method === 'POST' ? { ...headers, 'content-type': 'application/json' } : headers,
        body: method === 'POST' ? body : undefined,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.requestTimeoutMs),
      });
      const text = await response.text();
      const responseHeaders = Object.fromEntries(response.headers.entries());
      if (!isSignedByBank('RESPONSE', subject, responseHeaders, text, this.bankKey)) {
        return { kind: 'UNVERIFIED', status: response.status };
      }
      return { kind: 'ANSWER', status: response.status, body: text };
    } catch (error) {
      return { kind: 'NO_ANSWER', reason: describeTransportError(error) };
    }
  }
}

function unknown(reason: string): PayoutSubmission {
  return { outcome: 'UNKNOWN', reason };
}

function refusalOf(exchange: Exchange, body: string, what: string): BankError {
  const refusal = parseJson(body, bankErrorSchema);
  const status = exchange.kind === 'NO_ANSWER' ? 0 : exchange.status;
  return refusal
    ? new BankError(
        'BANK.REJECTED',
        `The bank refused the ${what}: ${refusal.error.code} ${refusal.error.message}`,
        undefined,
        { bankCode: refusal.error.code },
      )
    : new BankError(
        'BANK.INVALID_RESPONSE',
        `HTTP ${status} from the bank to the ${what}, unreadable.`,
      );
}

function parseJson<T>(
  text: string,
  schema: { safeParse(value: unknown): { success: boolean; data?: T } },
): T | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const result = schema.safeParse(value);
  return result.success ? (result.data as T) : null;
}

function describeTransportError(error: unknown): string {
  // AbortSignal.timeout rejects with a DOMException, which is not always `instanceof Error`.
  const { name, message, cause } = (error ?? {}) as {
    name?: string;
    message?: string;
    cause?: { code?: string };
  };
  if (name === 'TimeoutError') return 'timed out';
  if (typeof message !== 'string') return String(error);
  return cause?.code ? `${message} (${cause.code})` : message;
}
