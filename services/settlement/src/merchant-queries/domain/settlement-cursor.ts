import { createHash } from 'node:crypto';
import { MerchantQueryError } from './merchant-query-error';

/**
 * The keyset cursor of a merchant's settlement list: the sort key (settlement date, batch id) of
 * the last row of a page, so the next page starts strictly after it whatever was inserted
 * meanwhile (no duplicates, no gaps, unlike OFFSET). It is opaque to the merchant: base64url of a
 * small JSON document that also carries a digest of the merchant id it was issued to and a
 * checksum, so a cursor from another merchant or one edited by hand is refused rather than
 * silently read. (The list is always filtered by the merchant, so a forged cursor could never
 * reveal another merchant's batches; the checks make misuse loud instead of odd.)
 */
export interface SettlementCursor {
  settlementDate: string;
  batchId: string;
}

const VERSION = 1;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const BATCH_ID = /^stb_[0-9A-HJKMNP-TV-Z]{26}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
export const MAX_CURSOR_LENGTH = 200;

interface CursorDocument {
  v: number;
  d: string;
  i: string;
  m: string;
  c: string;
}

function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 12);
}

export function encodeSettlementCursor(merchantId: string, cursor: SettlementCursor): string {
  const m = digest('merchant', merchantId);
  const body = { v: VERSION, d: cursor.settlementDate, i: cursor.batchId, m };
  const document: CursorDocument = {
    ...body,
    c: digest('cursor', String(VERSION), body.d, body.i, m),
  };
  return Buffer.from(JSON.stringify(document), 'utf8').toString('base64url');
}

/** The sort key a cursor carries, or SETTLEMENT.INVALID_CURSOR (param `cursor`). */
export function decodeSettlementCursor(merchantId: string, text: string): SettlementCursor {
  const invalid = (why: string) =>
    new MerchantQueryError(
      'SETTLEMENT.INVALID_CURSOR',
      `cursor: ${why}. Pass the nextCursor of a previous page unchanged, or omit it to start over.`,
      'cursor',
    );
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_CURSOR_LENGTH) {
    throw invalid('not a cursor');
  }
  if (!BASE64URL.test(text)) throw invalid('not a cursor');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw invalid('not a cursor');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalid('not a cursor');
  }
  const document = parsed as Partial<CursorDocument>;
  const keys = Object.keys(document).sort().join(',');
  if (
    keys !== 'c,d,i,m,v' ||
    document.v !== VERSION ||
    typeof document.d !== 'string' ||
    typeof document.i !== 'string' ||
    typeof document.m !== 'string' ||
    typeof document.c !== 'string' ||
    !DATE.test(document.d) ||
    Number.isNaN(Date.parse(`${document.d}T00:00:00Z`)) ||
    new Date(`${document.d}T00:00:00Z`).toISOString().slice(0, 10) !== document.d ||
    !BATCH_ID.test(document.i)
  ) {
    throw invalid('not a cursor');
  }
  if (document.c !== digest('cursor', String(VERSION), document.d, document.i, document.m)) {
    throw invalid('the cursor was altered');
  }
  if (document.m !== digest('merchant', merchantId)) {
    throw invalid('the cursor was issued to another merchant');
  }
  return { settlementDate: document.d, batchId: document.i };
}
