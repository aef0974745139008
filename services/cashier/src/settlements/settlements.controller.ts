import { Controller, Get, Param, Query, Res, UseGuards } from '@nestjs/common';
import {
  ApiHeader,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiQuery,
  ApiResponse,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { SETTLEMENT_BATCH_STATES } from '@paylab/contracts';
import { parseRequest, PublicEndpoint } from '@paylab/platform';
import type { Response } from 'express';
import { z } from 'zod';
import {
  CurrentMerchant,
  MerchantAuthGuard,
  type MerchantContext,
} from '../merchant-auth/merchant-auth.guard';
import { listSettlementsQuery, noQuery, settlementIdParam } from './domain/settlement-query-params';
import { MerchantSettlements } from './merchant-settlements.service';

const ERROR_RESPONSE = {
  description:
    'Error in the documented shape `{ error: { type, code, message, param?, requestId } }`',
};
const UNAVAILABLE = {
  status: 503,
  description: 'Settlement did not answer in time (REQUEST.TIMEOUT); retry shortly.',
};

const idParam = z.object({ id: settlementIdParam });

/**
 * A merchant's money after clearing, read through the signed Open API: the balance (余额), the
 * settlement batches (结算批次) paid or due to it, one batch with its items, and the statement file
 * (结算单). Settlement owns the data; cashier authenticates the merchant and asks settlement with
 * the merchant id from the verified signature, never one from the request.
 */
@ApiTags('settlements (结算)')
@ApiSecurity('merchant-hmac')
@ApiHeader({
  name: 'Authorization',
  required: true,
  description:
    'PAYLAB-HMAC-SHA256 app_id="…",timestamp="<unix s>",nonce="…",signature="<base64 HMAC-SHA256 of the canonical request>"',
})
@PublicEndpoint() // the merchant Open API: MerchantAuthGuard checks its signature
@Controller('v1')
@UseGuards(MerchantAuthGuard)
export class SettlementsController {
  constructor(private readonly settlements: MerchantSettlements) {}

  @Get('balance')
  @ApiOperation({
    summary:
      'Your balance per currency: pending (待结算), available (可结算), reserved (保证金), in transit (在途).',
  })
  @ApiResponse({ status: 200, description: 'Balances; an empty list before any money cleared.' })
  @ApiResponse({ status: 401, ...ERROR_RESPONSE })
  @ApiResponse(UNAVAILABLE)
  async balance(@CurrentMerchant() merchant: MerchantContext, @Query() query: unknown) {
    parseRequest(noQuery, query);
    return { object: 'balance', ...(await this.settlements.balance(merchant.merchantId)) };
  }

  @Get('settlements')
  @ApiOperation({
    summary:
      'Your settlements, newest first, one page at a time (pass nextCursor as cursor for the next).',
  })
  @ApiQuery({ name: 'limit', required: false, description: '1..100, default 20' })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page' })
  @ApiQuery({ name: 'state', required: false, enum: SETTLEMENT_BATCH_STATES })
  @ApiQuery({ name: 'from_date', required: false, description: 'YYYY-MM-DD, inclusive' })
  @ApiQuery({ name: 'to_date', required: false, description: 'YYYY-MM-DD, inclusive' })
  @ApiResponse({ status: 200, description: '{ object: "list", data, hasMore, nextCursor }' })
  @ApiResponse({ status: 400, ...ERROR_RESPONSE })
  @ApiResponse({ status: 401, ...ERROR_RESPONSE })
  @ApiResponse(UNAVAILABLE)
  async list(@CurrentMerchant() merchant: MerchantContext, @Query() query: unknown) {
    const request = parseRequest(listSettlementsQuery, query);
    const page = await this.settlements.list(merchant.merchantId, request);
    return { object: 'list', data: page.data, hasMore: page.hasMore, nextCursor: page.nextCursor };
  }

  @Get('settlements/:id')
  @ApiOperation({ summary: 'One of your settlements with its items (the first 1,000).' })
  @ApiParam({ name: 'id', description: 'stb_…' })
  @ApiResponse({ status: 400, ...ERROR_RESPONSE })
  @ApiResponse({ status: 404, ...ERROR_RESPONSE })
  @ApiResponse(UNAVAILABLE)
  async find(
    @CurrentMerchant() merchant: MerchantContext,
    @Param('id') id: string,
    @Query() query: unknown,
  ) {
    const { id: settlementId } = parseRequest(idParam, { id });
    parseRequest(noQuery, query);
    return this.settlements.get(merchant.merchantId, settlementId);
  }

  @Get('settlements/:id/statement.csv')
  @ApiOperation({
    summary:
      'The settlement statement file (结算单): UTF-8 CSV with a BOM, every item, and the totals.',
  })
  @ApiProduces('text/csv')
  @ApiParam({ name: 'id', description: 'stb_…' })
  @ApiResponse({ status: 200, description: 'text/csv; charset=utf-8, as an attachment' })
  @ApiResponse({ status: 400, ...ERROR_RESPONSE })
  @ApiResponse({ status: 404, ...ERROR_RESPONSE })
  @ApiResponse({ status: 422, ...ERROR_RESPONSE })
  @ApiResponse(UNAVAILABLE)
  async statement(
    @CurrentMerchant() merchant: MerchantContext,
    @Param('id') id: string,
    @Query() query: unknown,
    @Res({ passthrough: true }) response: Response,
  ): Promise<string> {
    const { id: settlementId } = parseRequest(idParam, { id });
    parseRequest(noQuery, query);
    const file = await this.settlements.statement(merchant.merchantId, settlementId);
    response.setHeader('Content-Type', 'text/csv; charset=utf-8');
    // Settlement names the file after the batch; anything else is not put into a header.
    const fileName = /^[A-Za-z0-9._-]{1,100}$/.test(file.fileName)
      ? file.fileName
      : `settlement-${settlementId}.csv`;
    response.setHeader('Content-Disposition', `attachment; filename="${fileName}"`);
    response.setHeader('Cache-Control', 'no-store');
    return file.content;
  }
}
