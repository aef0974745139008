import type { ErrorType } from './app-error';

/**
 * Domain code → error type, for every error PayLab code raises with a `code` such as
 * `PAYMENT.NOT_FOUND`. Domain layers stay free of HTTP: they throw coded errors, and this table
 * (with the type → status table in app-error.ts) is the one place that decides the response.
 * Exact codes win over the suffix rules; anything unlisted is the client's invalid request.
 */
const EXACT: Record<string, ErrorType> = {
  'AUTH.NONCE_STORE_UNAVAILABLE': 'service_unavailable_error',
  // A service another one waits on (request/reply over Kafka) did not answer in time.
  'REQUEST.TIMEOUT': 'service_unavailable_error',
  'REQUEST.UNAVAILABLE': 'service_unavailable_error',
  'AUTH.MERCHANT_INACTIVE': 'permission_error',
  // A valid operator whose role may not do this (who it is is known: 403, not 401).
  'AUTH.ROLE_NOT_ALLOWED': 'permission_error',
  'REQUEST.UNSUPPORTED_MEDIA_TYPE': 'unsupported_media_type_error',
  'IDEMPOTENCY.KEY_REUSED_WITH_DIFFERENT_REQUEST': 'idempotency_error',
  'IDEMPOTENCY.REQUEST_IN_PROGRESS': 'conflict_error',
  // A slow request whose lease another request with the same key took over: retry to replay.
  'IDEMPOTENCY.LEASE_LOST': 'conflict_error',
  'PAYMENT.DUPLICATE_MERCHANT_ORDER_NO': 'conflict_error',
  'PAYMENT.ILLEGAL_TRANSITION': 'conflict_error',
  'PAYMENT.CONFLICTING_SUCCESS': 'conflict_error',
  'PAYMENT.CONCURRENT_UPDATE': 'conflict_error',
  // A close that came too late: the payer paid at the channel; the payment is on its way.
  'PAYMENT.ALREADY_PAID_AT_CHANNEL': 'conflict_error',
  // Checkout of an order that can no longer be paid: never hand out its QR.
  'PAYMENT.CLOSED': 'conflict_error',
  'PAYMENT.EXPIRED': 'conflict_error',
  'CHARGE.CLOSED': 'conflict_error',
  'CHANNEL.UNKNOWN_ACCOUNT': 'unprocessable_error',
  // Refunds (退款): the order's state or what is left of it refuses the request.
  'REFUND.PAYMENT_NOT_REFUNDABLE': 'conflict_error',
  'REFUND.EXCEEDS_REFUNDABLE_AMOUNT': 'unprocessable_error',
  'REFUND.DUPLICATE_MERCHANT_REFUND_NO': 'conflict_error',
  'REFUND.CURRENCY_MISMATCH': 'unprocessable_error',
  'REFUND.ILLEGAL_TRANSITION': 'conflict_error',
  'REFUND.CONFLICTING_OUTCOME': 'conflict_error',
  'REFUND.CONCURRENT_UPDATE': 'conflict_error',
  'REFUND.INCONSISTENT_STATE': 'api_error',
  // Stored data that breaks an invariant is our fault, never the client's.
  'PAYMENT.INCONSISTENT_STATE': 'api_error',
  'IDEMPOTENCY.INCONSISTENT_RECORD': 'api_error',
  'CLEARING.NOT_FOUND': 'not_found_error',
  // Settlement terms (结算条款): every other SETTLEMENT_TERMS.* code is a bad request (400);
  // stored terms that break the rules are our fault.
  'SETTLEMENT_TERMS.INCONSISTENT_RECORD': 'api_error',
  // Understood, but no channel can take it: not malformed input, not our fault.
  'ROUTING.NO_CHANNEL_AVAILABLE': 'unprocessable_error',
  'ROUTING.MERCHANT_HAS_NO_CHANNEL_ACCOUNTS': 'unprocessable_error',
  'CHARGE.CONFLICTING_REQUEST': 'conflict_error',
  'CHANNEL.ORDER_CONFLICT': 'conflict_error',
  'CHANNEL.TRADE_ALREADY_PAID': 'conflict_error',
  // The channel understood the request and refused it: not malformed, not our fault.
  'CHANNEL.REJECTED': 'unprocessable_error',
  // No trustworthy answer from the channel: the caller may retry later.
  'CHANNEL.UNAVAILABLE': 'service_unavailable_error',
  'CHANNEL.INVALID_RESPONSE': 'service_unavailable_error',
  // The channel's report disagrees with our record: a break for a person, never booked.
  'SETTLEMENT.AMOUNT_MISMATCH': 'conflict_error',
  'SETTLEMENT.CONFLICTING_TRADE_NO': 'conflict_error',
  'RECON.STATEMENT_UNAVAILABLE': 'service_unavailable_error',
  // A merchant's settlement reads (结算查询) through the Open API.
  'SETTLEMENT.INVALID_CURSOR': 'invalid_request_error',
  'SETTLEMENT.STATEMENT_TOO_LARGE': 'unprocessable_error',
  'SETTLEMENT.STATEMENT_INCONSISTENT': 'api_error',
  // A responder that failed or answered nonsense is our fault, never the caller's.
  'REQUEST.BAD_REPLY': 'api_error',
  'INTERNAL.UNEXPECTED': 'api_error',
  // The bank (银企直连): no trustworthy answer is a retry later; a forged or unreadable
  // notification is the sender's fault; a signed refusal is understood and final.
  'BANK.UNAVAILABLE': 'service_unavailable_error',
  'BANK.INVALID_RESPONSE': 'service_unavailable_error',
  'BANK.INVALID_NOTIFICATION': 'invalid_request_error',
  'BANK.REJECTED': 'unprocessable_error',
  // The books (账务): a date never closed has no report; dates close one after another.
  'BOOKS.NOT_CLOSED': 'not_found_error',
  'BOOKS.PAYMENT_NOT_FOUND': 'not_found_error',
  'BOOKS.OUT_OF_ORDER': 'conflict_error',
  'BOOKS.DATE_IN_FUTURE': 'unprocessable_error',
  // Dead-letter admin: an operator named a topic or record this service does not have.
  'DEAD_LETTER.TOPIC_NOT_FOUND': 'not_found_error',
  'DEAD_LETTER.RECORD_NOT_FOUND': 'not_found_error',
  'DEAD_LETTER.NOT_REPLAYABLE': 'unprocessable_error',
  // Settlement batches and payouts (结算批次/代付): the batch's state refuses the request.
  'SETTLEMENT_BATCH.ILLEGAL_TRANSITION': 'conflict_error',
  'SETTLEMENT_BATCH.CONCURRENT_UPDATE': 'conflict_error',
  'SETTLEMENT_BATCH.NOT_RETRYABLE': 'conflict_error',
  // Four eyes (四眼原则): who changed the payout account may not also send money to it.
  'SETTLEMENT_BATCH.SAME_OPERATOR': 'permission_error',
  // A payout settled by hand only while the bank cannot answer, and never twice.
  'PAYOUT.NOT_RESOLVABLE': 'conflict_error',
  'PAYOUT.BANK_TXN_NO_USED': 'conflict_error',
  'PAYOUT.ILLEGAL_TRANSITION': 'conflict_error',
  'PAYOUT.CONFLICTING_RESULT': 'conflict_error',
  // Another end of day holds the lock for longer than an instructor's request waits.
  'END_OF_DAY.ALREADY_RUNNING': 'conflict_error',
  // A job of the end of day broke (its error is recorded in the job run): our fault, not the caller's.
  'END_OF_DAY.JOB_FAILED': 'api_error',
};

const BY_PREFIX: Array<[prefix: string, type: ErrorType]> = [
  ['AUTH.', 'authentication_error'],
  // Ledger and clearing invariants guard money already taken: a breach is an internal fault.
  ['LEDGER.', 'api_error'],
  ['CLEARING.', 'api_error'],
];
const BY_SUFFIX: Array<[suffix: string, type: ErrorType]> = [['.NOT_FOUND', 'not_found_error']];

const CODE_PATTERN = /^[A-Z][A-Z0-9_]*\.[A-Z][A-Z0-9_]*$/;

export interface CodedError {
  code: string;
  message: string;
  param?: string;
}

/** A PayLab domain error: an Error whose code looks like `AREA.REASON`. */
export function isCodedError(error: unknown): error is Error & CodedError {
  return (
    error instanceof Error &&
    typeof (error as { code?: unknown }).code === 'string' &&
    CODE_PATTERN.test((error as unknown as { code: string }).code)
  );
}

export function errorTypeOf(code: string): ErrorType {
  const exact = EXACT[code];
  if (exact) return exact;
  for (const [prefix, type] of BY_PREFIX) if (code.startsWith(prefix)) return type;
  for (const [suffix, type] of BY_SUFFIX) if (code.endsWith(suffix)) return type;
  return 'invalid_request_error';
}
