import { Controller, Get, Param } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { isId } from '@paylab/ids';
import { parseRequest } from '@paylab/platform';
import { z } from 'zod';
import {
  LatePaymentClearings,
  type LatePaymentClearingView,
} from '../late-payments/late-payment-clearings.service';
import { RefundClearings, type RefundClearingView } from './refund-clearings.service';

const refundParams = z.object({
  refundId: z.string().refine((value) => isId(value, 'ref'), 'must be a ref_ id'),
});
const transactionParams = z.object({
  transactionId: z.string().refine((value) => isId(value, 'txn'), 'must be a txn_ id'),
});

const ERROR_RESPONSE = {
  description:
    'Error in the documented shape `{ error: { type, code, message, param?, requestId } }`',
};

/**
 * Internal/admin reads of refund clearings (退款清分) and late payments in suspense (迟到支付挂账).
 * Plain GETs: any operator role may read them.
 */
@ApiTags('clearing (清分)')
@Controller('v1')
export class RefundClearingsController {
  constructor(
    private readonly refunds: RefundClearings,
    private readonly latePayments: LatePaymentClearings,
  ) {}

  @Get('refund-clearings/:refundId')
  @ApiOperation({
    summary:
      'The clearing of one refund: fee and cost given back, the fee policy applied and its journal entry.',
  })
  @ApiParam({ name: 'refundId', description: 'ref_…' })
  @ApiResponse({ status: 400, ...ERROR_RESPONSE })
  @ApiResponse({ status: 404, ...ERROR_RESPONSE })
  async refundClearing(@Param('refundId') refundId: string): Promise<RefundClearingView> {
    const request = parseRequest(refundParams, { refundId });
    return this.refunds.find(request.refundId);
  }

  @Get('late-payment-clearings/:transactionId')
  @ApiOperation({
    summary:
      'A late payment (迟到支付) held in suspense: its suspense leg and, once returned, its return leg.',
  })
  @ApiParam({ name: 'transactionId', description: 'txn_… of the late channel transaction' })
  @ApiResponse({ status: 400, ...ERROR_RESPONSE })
  @ApiResponse({ status: 404, ...ERROR_RESPONSE })
  async latePaymentClearing(
    @Param('transactionId') transactionId: string,
  ): Promise<LatePaymentClearingView> {
    const request = parseRequest(transactionParams, { transactionId });
    return this.latePayments.find(request.transactionId);
  }
}
