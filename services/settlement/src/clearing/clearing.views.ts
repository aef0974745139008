import { z } from 'zod';
import { journalEntryView, moneyView } from '../ledger/ledger.views';

/** Response shape of GET /v1/clearings/{transactionId}; the type is inferred from it. */
export const clearingView = z.object({
  clearingId: z.string().describe('clr_…'),
  transactionId: z.string().describe('txn_…'),
  paymentId: z.string().describe('pay_…'),
  merchantId: z.string().describe('mch_…'),
  channel: z.string(),
  channelAccountId: z.string().nullable().describe('cha_… the payment was taken on, when known'),
  channelTradeNo: z.string(),
  gross: moneyView.describe('What the payer paid (交易金额)'),
  merchantFee: moneyView.describe('What we charge the merchant (商户手续费)'),
  channelCost: moneyView.describe('What the channel charges us (渠道成本)'),
  platformMargin: moneyView.describe('merchantFee − channelCost (平台毛利); may be negative'),
  merchantNet: moneyView.describe('gross − merchantFee: what we owe the merchant (商户应结金额)'),
  merchantFeeRatePpm: z.number().int(),
  channelCostRatePpm: z.number().int(),
  feeRateSource: z.enum(['MERCHANT', 'CHANNEL_DEFAULT']),
  channelCostRateSource: z
    .enum(['CHANNEL_ACCOUNT', 'CHANNEL_DEFAULT'])
    .describe("The channel account's own cost rate, or the channel's default"),
  rounding: z.object({ merchantFee: z.string(), channelCost: z.string() }),
  paidAt: z.string(),
  businessDate: z.string().describe('YYYY-MM-DD, Asia/Shanghai'),
  clearedAt: z.string(),
  journal: journalEntryView,
});
export type ClearingView = z.infer<typeof clearingView>;
