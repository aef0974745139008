export { ClearingError } from './clearing-error';
export type { ClearingErrorCode } from './clearing-error';
export {
  CLEARING_ROUNDING_POLICY,
  assertFeeSchedule,
  assertPositiveGross,
  assertRoundingPolicy,
  feeSchedule,
  quoteChannelCost,
  quoteMerchantFee,
} from './fee-schedule';
export type { ClearingRoundingPolicy, FeeSchedule, MerchantFeeQuote } from './fee-schedule';
export { assertClearingInvariants, clearPayment, clearRefund } from './clearing';
export type {
  ClearPaymentInput,
  ClearRefundOptions,
  ClearingResult,
  RefundClearing,
} from './clearing';
export { applyRefundFeePolicy, isRefundFeePolicy, REFUND_FEE_POLICIES } from './refund-fee-policy';
export type { RefundFeePolicy } from './refund-fee-policy';
