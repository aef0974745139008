import { createDecipheriv, createHash, createVerify, type KeyObject } from 'node:crypto';
import { Money } from '@paylab/money';
import {
  type ChannelCallback,
  type ChannelNotification,
  type ChannelRefundNotification,
  type ChannelRefundRequest,
  type ChannelRefundResult,
  ChannelError,
  type ChannelTradeSnapshot,
  type ChannelTradeStatus,
  type ChargeRequest,
  type RawCallbackRequest,
} from '../../channel-adapter';
import { formatRfc3339Shanghai, parseRfc3339 } from '../../domain/shanghai-time';

/**
 * WeChat Pay API v3 (微信支付 APIv3, Native) in acquiring's terms: trade_state, integer fen,
 * RFC 3339 Shanghai times, its error codes, and the payment notification's signature and
 * AES-256-GCM resource. Pure (node:crypto only), so every rule is unit-tested without a server.
 */

/** Who we are at WeChat Pay: the merchant id (商户号) and the app id bound to it. */
export interface WechatPayIdentity {
  mchid: string;
  appid: string;
}

/** How we trust a notification: the platform key under its serial, and our APIv3 key. */
export interface NotificationKeys {
  platformSerial: string;
  platformPublicKey: KeyObject;
  /** 32 bytes (UTF-8): the AES-256-GCM key of notification resources. */
  apiV3Key: string;
}

/** WeChat Pay refuses a notification signed more than this far from its clock; so do we. */
export const MAX_NOTIFICATION_SKEW_SECONDS = 300;
/** `description` is string(127). */
const MAX_DESCRIPTION_CHARS = 127;
/** GCM tags are 16 bytes; a shorter tag would make forgery far easier, so none is accepted. */
const GCM_TAG_BYTES = 16;

/**
 * trade_state → acquiring's status. REFUND means paid and then (partly) refunded: the payment
 * happened. USERPAYING (password pending) and PAYERROR (the bank refused; the payer may try
 * again until the order expires) are not final. REVOKED is closed for good.
 */
export function tradeStateOf(value: unknown): ChannelTradeStatus | null {
  switch (value) {
    case 'NOTPAY':
    case 'USERPAYING':
    case 'PAYERROR':
      return 'PENDING';
    case 'SUCCESS':
    case 'REFUND':
      return 'SUCCEEDED';
    case 'CLOSED':
    case 'REVOKED':
      return 'CLOSED';
    default:
      return null;
  }
}

/** The subject as `description` (string(127)), cut on a code point so no character is split. */
export function descriptionOf(subject: string): string {
  return [...subject].slice(0, MAX_DESCRIPTION_CHARS).join('');
}

/** The body of POST /v3/pay/transactions/native. Amounts are integer fen. */
export function nativeOrderBody(
  request: ChargeRequest,
  identity: WechatPayIdentity,
  notifyUrl: string,
): Record<string, unknown> {
  return {
    appid: identity.appid,
    mchid: identity.mchid,
    description: descriptionOf(request.subject),
    out_trade_no: request.outTradeNo,
    // Whole seconds, Shanghai time: WeChat Pay stops accepting payment after it.
    time_expire: formatRfc3339Shanghai(request.expiresAt),
    notify_url: notifyUrl,
    amount: { total: request.amount.amountMinor, currency: 'CNY' },
  };
}

/** A trade as the query-order JSON (查询订单) describes it, also the notification's plaintext. */
export interface WechatTransaction {
  outTradeNo: string;
  transactionId: string | null;
  status: ChannelTradeStatus;
  amount: Money;
  paidAt: Date | null;
}

/** Why a transaction JSON cannot be used; the caller decides the error code. */
export class TransactionShapeError extends Error {
  constructor(
    message: string,
    readonly wrongMerchant = false,
  ) {
    super(message);
    this.name = 'TransactionShapeError';
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Reads the query-order JSON: our merchant and app, a known trade_state, the order amount in
 * fen, and — once paid — transaction_id and success_time. Throws TransactionShapeError.
 */
export function readTransaction(value: unknown, identity: WechatPayIdentity): WechatTransaction {
  if (!isObject(value)) throw new TransactionShapeError('is not a JSON object');
  if (value.mchid !== identity.mchid || value.appid !== identity.appid) {
    throw new TransactionShapeError(
      `is for mchid ${String(value.mchid)} / appid ${String(value.appid)}, not ours`,
      true,
    );
  }
  if (typeof value.out_trade_no !== 'string' || value.out_trade_no === '') {
    throw new TransactionShapeError('has no out_trade_no');
  }
  const status = tradeStateOf(value.trade_state);
  if (!status)
    throw new TransactionShapeError(`has an unknown trade_state ${String(value.trade_state)}`);
  const amount = value.amount;
  if (
    !isObject(amount) ||
    typeof amount.total !== 'number' ||
    !Number.isSafeInteger(amount.total) ||
    amount.total <= 0 ||
    (amount.currency !== undefined && amount.currency !== 'CNY')
  ) {
    throw new TransactionShapeError('has no valid amount {total, currency: CNY}');
  }
  const transactionId =
    typeof value.transaction_id === 'string' && value.transaction_id !== ''
      ? value.transaction_id
      : null;
  let paidAt: Date | null = null;
  if (status === 'SUCCEEDED') {
    paidAt = typeof value.success_time === 'string' ? parseRfc3339(value.success_time) : null;
    if (!paidAt || !transactionId) {
      throw new TransactionShapeError('reports a payment without transaction_id or success_time');
    }
  }
  return {
    outTradeNo: value.out_trade_no,
    transactionId,
    status,
    amount: Money.of(amount.total, 'CNY'),
    paidAt,
  };
}

/** The answer of GET /v3/pay/transactions/out-trade-no/{no} as a snapshot. */
export function snapshotOfQuery(
  value: unknown,
  identity: WechatPayIdentity,
  outTradeNo: string,
): ChannelTradeSnapshot {
  let transaction: WechatTransaction;
  try {
    transaction = readTransaction(value, identity);
  } catch (error) {
    if (!(error instanceof TransactionShapeError)) throw error;
    throw new ChannelError(
      'CHANNEL.INVALID_RESPONSE',
      `The WeChat Pay query answer ${error.message}.`,
    );
  }
  if (transaction.outTradeNo !== outTradeNo) {
    throw new ChannelError(
      'CHANNEL.INVALID_RESPONSE',
      'The WeChat Pay query answered about another order.',
    );
  }
  return {
    exists: true,
    status: transaction.status,
    channelTradeNo: transaction.transactionId,
    amount: transaction.amount,
    paidAt: transaction.paidAt,
  };
}

/** A refused or failed API call, as the adapter saw it. */
export interface CallFailure {
  /** The HTTP status, when there was an answer. */
  status?: number;
  /** The plugin's verification code (EV3_RES_…), when the answer did not verify. */
  verifierCode?: string;
  /** WeChat Pay's `code` from an error body (PARAM_ERROR, ORDERPAID, …). */
  wechatCode?: string;
  message: string;
}

export type Operation =
  'native' | 'query' | 'close' | 'tradebill' | 'billdownload' | 'refund' | 'refund-query';

/**
 * A failed call as a ChannelError. Only a signed 2xx is trusted, so a plugin verification
 * failure is an untrustworthy answer; 429 and 5xx are worth retrying; other 4xx are refusals.
 * (Per-endpoint codes beyond PARAM_ERROR, SIGN_ERROR and ORDER_NOT_EXIST follow the public
 * docs and are not confirmed against the real API.)
 */
export function failureOf(operation: Operation, failure: CallFailure): ChannelError {
  const reason = `${failure.status ?? 'no answer'} ${failure.wechatCode ?? failure.verifierCode ?? ''}: ${failure.message}`;
  if (failure.verifierCode?.startsWith('EV3_')) {
    return new ChannelError(
      'CHANNEL.INVALID_RESPONSE',
      `WeChat Pay ${operation}: the answer does not verify with the platform key (${reason}).`,
      failure.verifierCode,
    );
  }
  if (failure.status === undefined || failure.status === 429 || failure.status >= 500) {
    return new ChannelError(
      'CHANNEL.UNAVAILABLE',
      `WeChat Pay ${operation} failed: ${reason}`,
      failure.wechatCode,
    );
  }
  const code = failure.wechatCode ?? '';
  if (operation === 'close' && code === 'ORDERPAID') {
    return new ChannelError(
      'CHANNEL.TRADE_ALREADY_PAID',
      `WeChat Pay cannot close it: ${reason}`,
      code,
    );
  }
  if (operation === 'native' && ['OUT_TRADE_NO_USED', 'ORDERPAID', 'ORDER_CLOSED'].includes(code)) {
    return new ChannelError(
      'CHANNEL.ORDER_CONFLICT',
      `WeChat Pay already has this order with other details, or it is paid or closed (${reason}).`,
      code,
    );
  }
  if (
    (operation === 'tradebill' || operation === 'billdownload') &&
    code === 'NO_STATEMENT_EXIST'
  ) {
    return new ChannelError(
      'STATEMENT.NOT_FOUND',
      `WeChat Pay has no bill for that day (${reason}).`,
      code,
    );
  }
  return new ChannelError(
    'CHANNEL.REJECTED',
    `WeChat Pay refused ${operation}: ${reason}`,
    code || String(failure.status),
  );
}

/** ORDER_NOT_EXIST: the channel has no order under that out_trade_no. */
export function isOrderNotExist(failure: CallFailure): boolean {
  return failure.status === 404 && failure.wechatCode === 'ORDER_NOT_EXIST';
}

// -------------------------------------------------------------------------------------------
// Payment notification (支付结果通知)

const refused = (code: string, message: string) =>
  new ChannelError(code, `The WeChat Pay notification ${message}.`);

/**
 * AEAD_AES_256_GCM as WeChat Pay encrypts a resource: key = the APIv3 key (UTF-8, 32 bytes),
 * iv = `nonce`, aad = `associated_data`, ciphertext = base64(encrypted bytes ‖ 16-byte tag).
 * Throws when the tag does not authenticate: a forged or altered resource.
 */
export function decryptResource(
  ciphertext: string,
  apiV3Key: string,
  nonce: string,
  associatedData: string,
): string {
  const key = Buffer.from(apiV3Key, 'utf8');
  if (key.length !== 32) throw new RangeError('the APIv3 key must be 32 bytes');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(ciphertext)) throw new Error('ciphertext is not base64');
  const bytes = Buffer.from(ciphertext, 'base64');
  if (bytes.length <= GCM_TAG_BYTES) throw new Error('ciphertext is not longer than its tag');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'utf8'), {
    authTagLength: GCM_TAG_BYTES,
  });
  decipher.setAAD(Buffer.from(associatedData, 'utf8'));
  decipher.setAuthTag(bytes.subarray(bytes.length - GCM_TAG_BYTES));
  return Buffer.concat([
    decipher.update(bytes.subarray(0, bytes.length - GCM_TAG_BYTES)),
    decipher.final(),
  ]).toString('utf8');
}

/** `ts\nnonce\nbody\n`, SHA256withRSA, base64; false (never an exception) when it is not. */
export function verifyPlatformSignature(
  timestamp: string,
  nonce: string,
  body: Buffer,
  signature: string,
  publicKey: KeyObject,
): boolean {
  try {
    return createVerify('RSA-SHA256')
      .update(Buffer.concat([Buffer.from(`${timestamp}\n${nonce}\n`), body, Buffer.from('\n')]))
      .verify(publicKey, signature, 'base64');
  } catch {
    return false;
  }
}

const header = (raw: RawCallbackRequest, name: string): string | undefined => {
  const value = raw.headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

/**
 * Verifies and reads a payment notification, in the order that trusts nothing early: the
 * Wechatpay-* headers are present, the serial is our platform key's, the timestamp is within
 * ±300 s of `now` (a replay of an old notification fails here), the signature verifies over the
 * RAW body bytes, and only then is the body parsed and its resource decrypted and read.
 */
export function readNotification(
  raw: RawCallbackRequest,
  keys: NotificationKeys,
  identity: WechatPayIdentity,
  now: Date,
): ChannelNotification {
  return paymentOf(verifiedBody(raw, keys, now), keys, identity);
}

/**
 * Verifies and reads any notification on the notify_url: a payment (TRANSACTION.*, resource
 * original_type transaction) or a refund (REFUND.SUCCESS / ABNORMAL / CLOSED, original_type
 * refund), told apart by event_type after the signature has been verified.
 */
export function readCallback(
  raw: RawCallbackRequest,
  keys: NotificationKeys,
  identity: WechatPayIdentity,
  now: Date,
): ChannelCallback {
  const body = verifiedBody(raw, keys, now);
  if (typeof body.event_type === 'string' && body.event_type.startsWith('REFUND.')) {
    return { kind: 'REFUND', ...refundNotificationOf(body, keys, identity) };
  }
  return { kind: 'PAYMENT', ...paymentOf(body, keys, identity) };
}

interface NotificationBody extends Record<string, unknown> {
  id: string;
}

/** Headers, serial, timestamp and signature over the raw bytes; then the parsed body. */
function verifiedBody(
  raw: RawCallbackRequest,
  keys: NotificationKeys,
  now: Date,
): NotificationBody {
  if (!/^application\/json\b/i.test(raw.contentType)) {
    throw refused('CALLBACK.MALFORMED', 'is not JSON');
  }
  const timestamp = header(raw, 'wechatpay-timestamp');
  const nonce = header(raw, 'wechatpay-nonce');
  const signature = header(raw, 'wechatpay-signature');
  const serial = header(raw, 'wechatpay-serial');
  if (!timestamp || !nonce || !signature || !serial) {
    throw refused(
      'CALLBACK.BAD_SIGNATURE',
      'lacks a Wechatpay-Timestamp, -Nonce, -Signature or -Serial header',
    );
  }
  if (serial !== keys.platformSerial) {
    throw refused('CALLBACK.BAD_SIGNATURE', `is signed under an unknown platform serial ${serial}`);
  }
  if (
    !/^\d{1,12}$/.test(timestamp) ||
    Math.abs(Math.floor(now.getTime() / 1000) - Number(timestamp)) > MAX_NOTIFICATION_SKEW_SECONDS
  ) {
    throw refused('CALLBACK.STALE', `was signed at ${timestamp}, more than 300 s from our clock`);
  }
  if (!verifyPlatformSignature(timestamp, nonce, raw.body, signature, keys.platformPublicKey)) {
    throw refused('CALLBACK.BAD_SIGNATURE', 'signature does not verify with the platform key');
  }
  let body: unknown;
  try {
    body = JSON.parse(raw.body.toString('utf8'));
  } catch {
    throw refused('CALLBACK.MALFORMED', 'body is not JSON');
  }
  if (!isObject(body) || typeof body.id !== 'string' || body.id === '') {
    throw refused('CALLBACK.MALFORMED', 'has no id');
  }
  return body as NotificationBody;
}

/** The decrypted resource of a verified body, as JSON; it must be of `originalType`. */
function decryptedResourceOf(
  body: NotificationBody,
  keys: NotificationKeys,
  originalType: 'transaction' | 'refund',
): unknown {
  const resource = body.resource;
  if (
    !isObject(resource) ||
    resource.original_type !== originalType ||
    resource.algorithm !== 'AEAD_AES_256_GCM' ||
    typeof resource.ciphertext !== 'string' ||
    typeof resource.nonce !== 'string' ||
    (resource.associated_data !== undefined && typeof resource.associated_data !== 'string')
  ) {
    throw refused('CALLBACK.MALFORMED', `has no AEAD_AES_256_GCM ${originalType} resource`);
  }
  let plaintext: string;
  try {
    plaintext = decryptResource(
      resource.ciphertext,
      keys.apiV3Key,
      resource.nonce,
      (resource.associated_data as string | undefined) ?? '',
    );
  } catch {
    throw refused('CALLBACK.UNDECRYPTABLE', 'resource does not decrypt with our APIv3 key');
  }
  try {
    return JSON.parse(plaintext);
  } catch {
    throw refused('CALLBACK.MALFORMED', 'resource is not JSON');
  }
}

function paymentOf(
  body: NotificationBody,
  keys: NotificationKeys,
  identity: WechatPayIdentity,
): ChannelNotification {
  const resource = decryptedResourceOf(body, keys, 'transaction');
  let transaction: WechatTransaction;
  try {
    transaction = readTransaction(resource, identity);
  } catch (error) {
    if (error instanceof TransactionShapeError) {
      throw refused(
        error.wrongMerchant ? 'CALLBACK.WRONG_APP' : 'CALLBACK.MALFORMED',
        `resource ${error.message}`,
      );
    }
    throw error;
  }
  if (transaction.status === 'SUCCEEDED' && body.event_type !== 'TRANSACTION.SUCCESS') {
    throw refused('CALLBACK.MALFORMED', `reports a payment as ${String(body.event_type)}`);
  }
  if (!transaction.transactionId) {
    throw refused('CALLBACK.MALFORMED', 'resource has no transaction_id');
  }
  return {
    notifyId: body.id,
    outTradeNo: transaction.outTradeNo,
    channelTradeNo: transaction.transactionId,
    status: transaction.status,
    amount: transaction.amount,
    paidAt: transaction.paidAt,
  };
}

/** REFUND.SUCCESS / REFUND.ABNORMAL / REFUND.CLOSED and their refund_status. */
const REFUND_EVENTS: Readonly<Record<string, 'SUCCESS' | 'ABNORMAL' | 'CLOSED'>> = {
  'REFUND.SUCCESS': 'SUCCESS',
  'REFUND.ABNORMAL': 'ABNORMAL',
  'REFUND.CLOSED': 'CLOSED',
};

/**
 * A refund notification's resource: our merchant, the refund's references, refund_status that
 * agrees with event_type, the refunded amount in fen and — on success — success_time.
 */
function refundNotificationOf(
  body: NotificationBody,
  keys: NotificationKeys,
  identity: WechatPayIdentity,
): ChannelRefundNotification {
  const eventStatus = REFUND_EVENTS[String(body.event_type)];
  if (!eventStatus)
    throw refused('CALLBACK.MALFORMED', `has event_type ${String(body.event_type)}`);
  const resource = decryptedResourceOf(body, keys, 'refund');
  if (!isObject(resource)) throw refused('CALLBACK.MALFORMED', 'resource is not a JSON object');
  if (resource.mchid !== identity.mchid) {
    throw refused(
      'CALLBACK.WRONG_APP',
      `resource is for mchid ${String(resource.mchid)}, not ours`,
    );
  }
  for (const name of ['out_trade_no', 'transaction_id', 'out_refund_no', 'refund_id'] as const) {
    if (typeof resource[name] !== 'string' || resource[name] === '') {
      throw refused('CALLBACK.MALFORMED', `resource has no ${name}`);
    }
  }
  if (resource.refund_status !== eventStatus) {
    throw refused(
      'CALLBACK.MALFORMED',
      `resource refund_status ${String(resource.refund_status)} disagrees with ${String(body.event_type)}`,
    );
  }
  const amount = resource.amount;
  if (!isObject(amount) || !isPositiveFen(amount.refund)) {
    throw refused('CALLBACK.MALFORMED', 'resource has no valid amount.refund');
  }
  let refundedAt: Date | null = null;
  if (eventStatus === 'SUCCESS') {
    refundedAt =
      typeof resource.success_time === 'string' ? parseRfc3339(resource.success_time) : null;
    if (!refundedAt) throw refused('CALLBACK.MALFORMED', 'reports a refund without success_time');
  }
  return {
    notifyId: body.id,
    outTradeNo: resource.out_trade_no as string,
    outRefundNo: resource.out_refund_no as string,
    channelRefundNo: resource.refund_id as string,
    channelTradeNo: resource.transaction_id as string,
    status: eventStatus === 'SUCCESS' ? 'SUCCEEDED' : 'FAILED',
    amount: Money.of(amount.refund as number, 'CNY'),
    refundedAt,
    ...(eventStatus === 'SUCCESS' ? {} : { failureCode: `REFUND.${eventStatus}` }),
  };
}

const isPositiveFen = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value > 0;

// -------------------------------------------------------------------------------------------
// Refunds (申请退款, 查询单笔退款)

/** The body of POST /v3/refund/domestic/refunds. Amounts are integer fen. */
export function refundBody(
  request: ChannelRefundRequest,
  notifyUrl: string,
): Record<string, unknown> {
  return {
    out_trade_no: request.outTradeNo,
    out_refund_no: request.outRefundNo,
    ...(request.reason ? { reason: [...request.reason].slice(0, 80).join('') } : {}),
    notify_url: notifyUrl,
    amount: {
      refund: request.amount.amountMinor,
      total: request.total.amountMinor,
      currency: 'CNY',
    },
  };
}

/**
 * The refund JSON (answer of apply and query): SUCCESS is done, PROCESSING waits for the
 * notification or a query, ABNORMAL and CLOSED are final refusals.
 */
export function refundResultOfJson(value: unknown, outRefundNo: string): ChannelRefundResult {
  const invalid = (what: string) =>
    new ChannelError('CHANNEL.INVALID_RESPONSE', `The WeChat Pay refund answer ${what}.`);
  if (!isObject(value)) throw invalid('is not a JSON object');
  if (value.out_refund_no !== outRefundNo) throw invalid('is about another refund');
  const refundId =
    typeof value.refund_id === 'string' && value.refund_id !== '' ? value.refund_id : null;
  const transactionId =
    typeof value.transaction_id === 'string' && value.transaction_id !== ''
      ? value.transaction_id
      : null;
  switch (value.status) {
    case 'SUCCESS': {
      const refundedAt =
        typeof value.success_time === 'string' ? parseRfc3339(value.success_time) : null;
      if (!refundId || !transactionId || !refundedAt) {
        throw invalid('reports a success without refund_id, transaction_id or success_time');
      }
      return {
        status: 'SUCCEEDED',
        channelRefundNo: refundId,
        channelTradeNo: transactionId,
        refundedAt,
      };
    }
    case 'PROCESSING':
      return {
        status: 'PROCESSING',
        channelRefundNo: refundId,
        channelTradeNo: transactionId,
        refundedAt: null,
      };
    case 'ABNORMAL':
    case 'CLOSED':
      return {
        status: 'FAILED',
        channelRefundNo: refundId,
        channelTradeNo: transactionId,
        refundedAt: null,
        failureCode: `REFUND.${value.status}`,
        failureMessage: `WeChat Pay ended the refund ${value.status}.`,
      };
    default:
      throw invalid(`has an unknown status ${String(value.status)}`);
  }
}

/**
 * WeChat Pay's refusals of a refund request that a retry will not change: the order does not
 * exist, the request is invalid (unpaid, exceeds what is left, amounts disagree), the balance
 * is short, the payer's account cannot take it. (Per the public docs, unconfirmed.)
 */
const PERMANENT_REFUND_CODES = new Set([
  'INVALID_REQUEST',
  'PARAM_ERROR',
  'NOT_ENOUGH',
  'RESOURCE_NOT_EXISTS',
  'ORDER_NOT_EXIST',
  'USER_ACCOUNT_ABNORMAL',
]);

/**
 * A failed refund request: a FAILED result when WeChat Pay refused it for good (a 4xx with a
 * permanent code); null when the failure says nothing final (429, 5xx, no answer, an answer
 * that does not verify, our own signature), which the caller turns into a retry.
 */
export function refundRefusalOf(failure: CallFailure): ChannelRefundResult | null {
  if (failure.verifierCode || failure.status === undefined || failure.status === 429) return null;
  if (failure.status >= 500) return null;
  const code = failure.wechatCode ?? '';
  if (!PERMANENT_REFUND_CODES.has(code)) return null;
  return {
    status: 'FAILED',
    channelRefundNo: null,
    channelTradeNo: null,
    refundedAt: null,
    failureCode: code,
    failureMessage: failure.message.slice(0, 512),
  };
}

/** RESOURCE_NOT_EXISTS on a refund query: WeChat Pay never received that refund. */
export function isRefundNotExist(failure: CallFailure): boolean {
  return (
    failure.status === 404 &&
    ['RESOURCE_NOT_EXISTS', 'ORDER_NOT_EXIST'].includes(failure.wechatCode ?? '')
  );
}

/** The body of a refusal, as WeChat Pay expects it: `{"code":"FAIL","message":…}`. */
export function failureReply(reason: string): string {
  return JSON.stringify({ code: 'FAIL', message: reason });
}

// -------------------------------------------------------------------------------------------
// Trade bill (交易账单)

/** The answer of GET /v3/bill/tradebill, checked: SHA1 and a billdownload URL. */
export interface TradeBillGrant {
  hashValue: string;
  /** The query of download_url (the token), passed to v3/billdownload/file as is. */
  params: Record<string, string>;
}

export function readTradeBillGrant(value: unknown): TradeBillGrant {
  const invalid = (what: string) =>
    new ChannelError('CHANNEL.INVALID_RESPONSE', `The WeChat Pay tradebill answer ${what}.`);
  if (!isObject(value)) throw invalid('is not a JSON object');
  if (value.hash_type !== 'SHA1')
    throw invalid(`has hash_type ${String(value.hash_type)}, not SHA1`);
  if (typeof value.hash_value !== 'string' || !/^[0-9a-fA-F]{40}$/.test(value.hash_value)) {
    throw invalid('has no SHA1 hash_value');
  }
  let url: URL;
  try {
    url = new URL(String(value.download_url));
  } catch {
    throw invalid('has no valid download_url');
  }
  // The file is fetched through the plugin's relative path (signed request, unsigned answer);
  // a URL to anywhere else is not a bill download.
  if (!url.pathname.endsWith('/v3/billdownload/file') || !url.searchParams.get('token')) {
    throw invalid('has a download_url that is not …/v3/billdownload/file?token=…');
  }
  return {
    hashValue: value.hash_value.toLowerCase(),
    params: Object.fromEntries(url.searchParams),
  };
}

/** Whether the downloaded bytes are the bill the (signed) tradebill answer announced. */
export function matchesSha1(content: Buffer, hashValue: string): boolean {
  return createHash('sha1').update(content).digest('hex') === hashValue.toLowerCase();
}
