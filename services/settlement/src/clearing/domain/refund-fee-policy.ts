import type { RefundClearing } from './clearing';
import { ClearingError } from './clearing-error';

/**
 * What happens to the merchant fee (商户手续费) of a refunded payment, as agreed with the merchant:
 * - PRO_RATA: the fee share of the refunded amount goes back to the merchant (退款退手续费);
 * - KEEP: the platform keeps the whole fee (退款不退手续费).
 * The channel cost share always comes back pro rata: that is the channel's rule, not ours.
 */
export type RefundFeePolicy = 'PRO_RATA' | 'KEEP';

export const REFUND_FEE_POLICIES: readonly RefundFeePolicy[] = ['PRO_RATA', 'KEEP'];

export function isRefundFeePolicy(value: unknown): value is RefundFeePolicy {
  return value === 'PRO_RATA' || value === 'KEEP';
}

/**
 * Applies the policy to a refund cleared by `clearRefund` (which always computes the pro-rata
 * share). Under KEEP the merchant gets no fee back: its payable bears the whole refund, and the
 * platform gives back only the channel cost share, so its margin on the refund is negative.
 *
 * The pro-rata result itself is what the refund history is built from (clearRefund checks every
 * earlier refund against its cumulative method), so callers store both: the pro-rata fee share
 * for the history and the applied one for the books.
 */
export function applyRefundFeePolicy(
  refund: RefundClearing,
  policy: RefundFeePolicy,
): RefundClearing {
  if (!isRefundFeePolicy(policy)) {
    throw new ClearingError('CLEARING.INVALID_FEE_SCHEDULE', `Unknown refund fee policy ${policy}`);
  }
  if (policy === 'PRO_RATA') return refund;
  const merchantFeeRefund = refund.merchantFeeRefund.subtract(refund.merchantFeeRefund);
  return Object.freeze({
    ...refund,
    merchantFeeRefund,
    platformMarginRefund: merchantFeeRefund.subtract(refund.channelCostRefund),
    merchantNetRefund: refund.refundAmount,
  });
}
