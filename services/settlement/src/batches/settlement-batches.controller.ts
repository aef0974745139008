import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { isId } from '@paylab/ids';
import {
  CurrentOperator,
  OperatorRoles,
  parseRequest,
  type OperatorPrincipal,
} from '@paylab/platform';
import { z } from 'zod';
import { isBusinessDate } from '../calendar/domain/business-date';
import { Payouts } from '../payouts/payouts.service';
import { SettlementError } from './domain/settlement-error';
import {
  SettlementBatches,
  type SettlementBatchDetailView,
  type SettlementBatchPage,
} from './settlement-batches.service';

const listQuery = z
  .object({
    merchantId: z
      .string()
      .refine((value) => isId(value, 'mch'), 'must be a mch_ id')
      .optional(),
    settlementDate: z.string().refine(isBusinessDate, 'must be a date YYYY-MM-DD').optional(),
    state: z
      .enum(['CREATED', 'PAYING', 'PAID', 'FAILED', 'CARRIED_FORWARD', 'SUPERSEDED'])
      .optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

const retryBody = z
  .object({
    reason: z.string().trim().min(1).max(500),
    /** Pay to this (the newest) terms version's account now; saved by another operator. */
    termsVersion: z.number().int().min(1).max(1_000_000).optional(),
  })
  .strict();

const resolveBody = z
  .object({
    outcome: z.literal('PAID'),
    bankTxnNo: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be the bank transaction number (银行流水号)'),
    reason: z.string().trim().min(1).max(500),
  })
  .strict();

const ERROR_RESPONSE = {
  description:
    'Error in the documented shape `{ error: { type, code, message, param?, requestId } }`',
};

function batchIdOf(value: string): string {
  if (!isId(value, 'stb')) {
    throw new SettlementError(
      'SETTLEMENT_BATCH.INVALID_ID',
      'batchId must be an stb_ id',
      'batchId',
    );
  }
  return value;
}

/** Settlement batches (结算批次) for operators: read them, and pay a failed one again. */
@ApiTags('settlement batches (结算批次)')
@Controller('v1/admin/settlement-batches')
export class SettlementBatchesController {
  constructor(
    private readonly batches: SettlementBatches,
    private readonly payouts: Payouts,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Settlement batches, newest first, filtered (any operator role).' })
  @ApiResponse({ status: 400, ...ERROR_RESPONSE })
  async list(@Query() query: unknown): Promise<SettlementBatchPage> {
    return this.batches.list(parseRequest(listQuery, query));
  }

  @Get(':batchId')
  @ApiOperation({
    summary: 'One batch with its payouts and reserve holds (any operator role).',
  })
  @ApiResponse({ status: 404, ...ERROR_RESPONSE })
  async find(@Param('batchId') batchId: string): Promise<SettlementBatchDetailView> {
    return this.batches.find(batchIdOf(batchId));
  }

  @OperatorRoles('operator')
  @Post(':batchId/retry-payout')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Pay a FAILED batch again (operator): a new payout attempt with a new request number, to the payout account on file now.',
  })
  @ApiResponse({ status: 404, ...ERROR_RESPONSE })
  @ApiResponse({ status: 409, ...ERROR_RESPONSE })
  async retry(
    @Param('batchId') batchId: string,
    @Body() body: unknown,
    @CurrentOperator() operator: OperatorPrincipal | undefined,
  ): Promise<SettlementBatchDetailView> {
    const id = batchIdOf(batchId);
    const { reason, termsVersion } = parseRequest(retryBody, body);
    await this.payouts.retry(
      id,
      { name: operator?.name ?? 'unknown', role: operator?.role ?? 'unknown' },
      reason,
      termsVersion,
    );
    return this.batches.find(id);
  }

  @OperatorRoles('admin')
  @Post(':batchId/payouts/:payoutId/resolve')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Settle as PAID by hand a payout the bank cannot answer for (admin), after finding it on the bank statement, with its bank transaction number.',
  })
  @ApiResponse({ status: 404, ...ERROR_RESPONSE })
  @ApiResponse({ status: 409, ...ERROR_RESPONSE })
  async resolve(
    @Param('batchId') batchId: string,
    @Param('payoutId') payoutId: string,
    @Body() body: unknown,
    @CurrentOperator() operator: OperatorPrincipal | undefined,
  ): Promise<SettlementBatchDetailView> {
    const id = batchIdOf(batchId);
    if (!isId(payoutId, 'po')) {
      throw new SettlementError(
        'SETTLEMENT_BATCH.INVALID_ID',
        'payoutId must be a po_ id',
        'payoutId',
      );
    }
    const resolution = parseRequest(resolveBody, body);
    const batch = await this.batches.find(id);
    if (!batch.payouts.some((payout) => payout.id === payoutId)) {
      throw new SettlementError(
        'PAYOUT.NOT_FOUND',
        `Batch ${id} has no payout ${payoutId}`,
        'payoutId',
      );
    }
    await this.payouts.resolveAsPaid(
      payoutId,
      resolution,
      `${operator?.role ?? 'unknown'}:${operator?.name ?? 'unknown'}`,
    );
    return this.batches.find(id);
  }
}
