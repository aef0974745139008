import { Body, Controller, Get, HttpCode, Param, Put, Req } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { isId } from '@paylab/ids';
import { AppError, OperatorRoles, parseRequest, type OperatorPrincipal } from '@paylab/platform';
import type { Request } from 'express';
import { z } from 'zod';
import { MAX_REASON_LENGTH } from './domain/terms-change';
import { SettlementTermsAdmin } from './settlement-terms.service';
import {
  termsChangeResultView,
  termsHistoryView,
  termsOverviewView,
  termsView,
  type TermsChangeResultView,
  type TermsHistoryView,
  type TermsOverviewView,
} from './settlement-terms.views';

const merchantParams = z.object({
  merchantId: z.string().refine((value) => isId(value, 'mch'), 'must be a mch_ id'),
});

/** For the OpenAPI document only: the domain (parseTermsChange) checks bodies, with its codes. */
const changeBodyDoc = termsView
  .omit({ merchantId: true, version: true, cycleLabel: true, effectiveFrom: true })
  .extend({
    reason: z
      .string()
      .min(1)
      .max(MAX_REASON_LENGTH)
      .describe('Why (kept in the audit trail, 审计原因)'),
  })
  .strict();

const ERROR_RESPONSE = {
  description:
    'Error in the documented shape `{ error: { type, code, message, param?, requestId } }`',
};

type OperatorRequest = Request & { operator?: OperatorPrincipal };

/** Operators' view and changes of a merchant's settlement terms (结算条款). */
@ApiTags('settlement terms (结算条款)')
@Controller('v1/admin/merchants/:merchantId/settlement-terms')
export class SettlementTermsController {
  constructor(private readonly admin: SettlementTermsAdmin) {}

  @Get()
  @ApiOperation({
    summary:
      'The terms in force today and any version scheduled for a later business date. ' +
      'A merchant never configured reads as the defaults (configured: false). Any operator role.',
  })
  @ApiParam({ name: 'merchantId', description: 'mch_…' })
  @ApiResponse({ status: 200, schema: z.toJSONSchema(termsOverviewView) as object })
  @ApiResponse({ status: 400, ...ERROR_RESPONSE })
  async overview(@Param('merchantId') merchantId: string): Promise<TermsOverviewView> {
    return this.admin.overview(parseRequest(merchantParams, { merchantId }).merchantId);
  }

  @OperatorRoles('operator')
  @Put()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Save new terms: a new version, applied from the next business date whose batches are ' +
      'not built yet (never today). Admin or operator.',
    description:
      'The body is the whole terms (null for no reserve / no payout account) plus a reason. ' +
      'Sending the terms of the newest version again writes nothing (created: false).',
  })
  @ApiParam({ name: 'merchantId', description: 'mch_…' })
  @ApiBody({ schema: z.toJSONSchema(changeBodyDoc) as object })
  @ApiResponse({ status: 200, schema: z.toJSONSchema(termsChangeResultView) as object })
  @ApiResponse({ status: 400, ...ERROR_RESPONSE })
  @ApiResponse({ status: 403, ...ERROR_RESPONSE })
  async change(
    @Param('merchantId') merchantId: string,
    @Body() body: unknown,
    @Req() request: OperatorRequest,
  ): Promise<TermsChangeResultView> {
    const params = parseRequest(merchantParams, { merchantId });
    const operator = request.operator;
    if (!operator) {
      // The global guard sets it on every guarded route; without it nobody could be audited.
      throw new AppError('api_error', 'SETTLEMENT_TERMS.NO_OPERATOR', 'No operator identity.');
    }
    return this.admin.change(params.merchantId, body, {
      operator: operator.name,
      role: operator.role,
    });
  }

  @Get('history')
  @ApiOperation({
    summary:
      'Who changed the terms, when, why, and what changed (before and after), newest first. ' +
      'Any operator role.',
  })
  @ApiParam({ name: 'merchantId', description: 'mch_…' })
  @ApiResponse({ status: 200, schema: z.toJSONSchema(termsHistoryView) as object })
  @ApiResponse({ status: 400, ...ERROR_RESPONSE })
  async history(@Param('merchantId') merchantId: string): Promise<TermsHistoryView> {
    return this.admin.history(parseRequest(merchantParams, { merchantId }).merchantId);
  }
}
