import { Controller, Get, Param } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { isId } from '@paylab/ids';
import { parseRequest } from '@paylab/platform';
import { z } from 'zod';
import { clearingView, type ClearingView } from './clearing.views';
import { Clearings } from './clearings.service';

const params = z.object({
  transactionId: z.string().refine((value) => isId(value, 'txn'), 'must be a txn_ id'),
});

const ERROR_RESPONSE = {
  description:
    'Error in the documented shape `{ error: { type, code, message, param?, requestId } }`',
};

/** Internal/admin reads of clearing records. */
@ApiTags('clearing (清分)')
@Controller('v1/clearings')
export class ClearingsController {
  constructor(private readonly clearings: Clearings) {}

  @Get(':transactionId')
  @ApiOperation({
    summary:
      'The clearing of one channel transaction: fee, cost, margin, net and its journal entry. ' +
      'Internal/admin: any operator role (Authorization: Bearer <operator token>).',
  })
  @ApiParam({ name: 'transactionId', description: 'txn_… of the channel transaction' })
  @ApiResponse({ status: 200, schema: z.toJSONSchema(clearingView) as object })
  @ApiResponse({ status: 400, ...ERROR_RESPONSE })
  @ApiResponse({ status: 404, ...ERROR_RESPONSE })
  async find(@Param('transactionId') transactionId: string): Promise<ClearingView> {
    const request = parseRequest(params, { transactionId });
    return this.clearings.find(request.transactionId);
  }
}
