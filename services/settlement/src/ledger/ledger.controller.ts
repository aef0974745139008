import { Controller, Get, Param } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { isId } from '@paylab/ids';
import { parseRequest } from '@paylab/platform';
import { z } from 'zod';
import { Ledger } from './ledger.service';
import { parseLedgerAccount } from './domain';
import {
  accountView,
  merchantBalancesView,
  type AccountView,
  type MerchantBalancesView,
} from './ledger.views';

const merchantParams = z.object({
  merchantId: z.string().refine((value) => isId(value, 'mch'), 'must be a mch_ id'),
});

const accountParams = z.object({
  account: z.string().refine((value) => {
    try {
      parseLedgerAccount(value);
      return true;
    } catch {
      return false;
    }
  }, 'must be an account key of the chart of accounts, e.g. LATE_PAYMENT_SUSPENSE or CHANNEL_RECEIVABLE:ALIPAY'),
});

const ERROR_RESPONSE = {
  description:
    'Error in the documented shape `{ error: { type, code, message, param?, requestId } }`',
};

/** Internal/admin reads of the ledger (账务). */
@ApiTags('ledger (账务)')
@Controller('v1')
export class LedgerController {
  constructor(private readonly ledger: Ledger) {}

  @Get('merchants/:merchantId/balances')
  @ApiOperation({
    summary:
      "A merchant's payables per currency: pending (待结算) and available (可结算). " +
      'Internal/admin: any operator role (Authorization: Bearer <operator token>).',
  })
  @ApiParam({ name: 'merchantId', description: 'mch_…' })
  @ApiResponse({ status: 200, schema: z.toJSONSchema(merchantBalancesView) as object })
  @ApiResponse({ status: 400, ...ERROR_RESPONSE })
  async merchantBalances(@Param('merchantId') merchantId: string): Promise<MerchantBalancesView> {
    const request = parseRequest(merchantParams, { merchantId });
    return this.ledger.merchantBalances(request.merchantId);
  }

  @Get('ledger/accounts/:account')
  @ApiOperation({
    summary:
      'One ledger account (科目): balance per currency on its normal side and its latest lines.',
  })
  @ApiParam({
    name: 'account',
    description: 'e.g. LATE_PAYMENT_SUSPENSE, CHANNEL_RECEIVABLE:ALIPAY',
  })
  @ApiResponse({ status: 200, schema: z.toJSONSchema(accountView) as object })
  @ApiResponse({ status: 400, ...ERROR_RESPONSE })
  async account(@Param('account') account: string): Promise<AccountView> {
    const request = parseRequest(accountParams, { account });
    return this.ledger.account(request.account);
  }
}
