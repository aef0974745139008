export { LedgerError } from './ledger-error';
export type { LedgerErrorCode } from './ledger-error';
export {
  CHART_OF_ACCOUNTS,
  ENTRY_SIDES,
  NORMAL_SIDE,
  isAccountCode,
  isEntrySide,
  ledgerAccount,
  normalSideOf,
  parseLedgerAccount,
} from './accounts';
export type {
  AccountCode,
  AccountDefinition,
  AccountQualifier,
  AccountType,
  EntrySide,
  ParsedAccount,
} from './accounts';
export { postJournal, sumLines } from './journal';
export type { JournalEntry, JournalLine, JournalLineInput, PostJournalInput } from './journal';
export { journalForPaymentClearing } from './clearing-journal';
export type { JournalOptions, PaymentClearingReferences } from './clearing-journal';
export { balances, trialBalance } from './balances';
export type { TrialBalance } from './balances';
export {
  journalForLatePaymentReturn,
  journalForLatePaymentSuspense,
  journalForRefundClearing,
} from './refund-journal';
export type {
  LatePaymentReferences,
  RefundJournalAmounts,
  RefundReferences,
} from './refund-journal';
