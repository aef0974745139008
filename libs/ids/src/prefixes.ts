/**
 * One short prefix per entity type, Stripe-style, so an id seen in a log line, a support ticket
 * or a channel callback immediately says what it refers to, and an id of the wrong kind passed
 * to an API can be rejected before any database lookup. Prefixes are part of the public contract
 * (they appear in URLs and webhooks): never rename one, only add.
 */
export const ID_PREFIXES = {
  payment: 'pay',
  refund: 'ref',
  transaction: 'txn',
  event: 'evt',
  merchant: 'mch',
  app: 'app',
  channel: 'chn',
  channelAccount: 'cha',
  clearing: 'clr',
  ledgerEntry: 'led',
  journal: 'jnl',
  settlementBatch: 'stb',
  payout: 'po',
  reserveHold: 'rsv',
  settlementTermsChange: 'stc',
  reconRun: 'rcn',
  discrepancy: 'dsc',
  reconCase: 'cas',
  statement: 'stm',
  notification: 'ntf',
  checkout: 'cko',
  request: 'req',
  routeDecision: 'rtd',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;
export type IdPrefix = (typeof ID_PREFIXES)[IdKind];

const PREFIX_SET: ReadonlySet<string> = new Set(Object.values(ID_PREFIXES));

export function isIdPrefix(value: unknown): value is IdPrefix {
  return typeof value === 'string' && PREFIX_SET.has(value);
}
