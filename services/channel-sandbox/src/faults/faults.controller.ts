import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { AppError, parseRequest, OperatorRoles } from '@paylab/platform';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import {
  FAULT_CHANNELS,
  FAULT_KINDS,
  FaultParamsError,
  isBankFault,
  parseFaultParams,
} from '../alipay/domain/faults';
import { FaultEntity } from './fault.entity';

const createFaultBody = z
  .object({
    channel: z.enum(FAULT_CHANNELS),
    kind: z.enum(FAULT_KINDS),
    params: z.record(z.string(), z.unknown()).optional(),
    remaining: z.number().int().min(1).max(1_000).default(1),
  })
  .strict();

export interface FaultView {
  id: string;
  channel: string;
  kind: string;
  params: Record<string, unknown>;
  remaining: number;
  createdAt: string;
}

const toView = (row: FaultEntity): FaultView => ({
  id: row.id,
  channel: row.channel,
  kind: row.kind,
  params: row.params,
  remaining: row.remaining,
  createdAt: row.createdAt.toISOString(),
});

/**
 * Instructor fault injection (故障注入): stage a dropped, late or duplicated callback, or a
 * statement that disagrees with the platform, for the next `remaining` payments; or, on the
 * channel BANK, a refused or timed-out payout (代付) for the next `remaining` payouts. Staging and
 * withdrawing take the instructor role (operator credential); any operator role may list them.
 */
@ApiTags('instructor faults (故障注入)')
@ApiBearerAuth()
@Controller('v1/faults')
export class FaultsController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @OperatorRoles('instructor')
  @Post()
  @ApiOperation({ summary: 'Stage a fault for the next `remaining` payments of a channel.' })
  @ApiBody({ schema: z.toJSONSchema(createFaultBody, { io: 'input' }) as object })
  @ApiResponse({ status: 201, description: 'The staged fault' })
  @ApiResponse({ status: 400, description: 'Invalid kind, params or remaining' })
  @ApiResponse({ status: 401, description: 'Missing or wrong operator credential' })
  async create(@Body() body: unknown): Promise<FaultView> {
    const request = parseRequest(createFaultBody, body);
    if (isBankFault(request.kind) !== (request.channel === 'BANK')) {
      // A fault staged on a channel that never uses its kind would sit there doing nothing.
      throw new AppError(
        'invalid_request_error',
        'FAULT.KIND_NOT_FOR_CHANNEL',
        request.channel === 'BANK'
          ? `The BANK channel takes only BANK_* faults, not ${request.kind}.`
          : `${request.kind} is a fault of the BANK channel, not ${request.channel}.`,
        'kind',
      );
    }
    let params: Record<string, unknown>;
    try {
      params = parseFaultParams(request.kind, request.params);
    } catch (error) {
      if (error instanceof FaultParamsError) {
        throw new AppError('invalid_request_error', error.code, error.message, error.param);
      }
      throw error;
    }
    const row = await this.dataSource.getRepository(FaultEntity).save({
      channel: request.channel,
      kind: request.kind,
      params,
      remaining: request.remaining,
      createdAt: new Date(),
    });
    return toView(row);
  }

  @Get()
  @ApiOperation({ summary: 'All staged faults, newest first (remaining 0 = used up).' })
  async list(): Promise<{ data: FaultView[] }> {
    const rows = await this.dataSource
      .getRepository(FaultEntity)
      .find({ order: { id: 'DESC' }, take: 200 });
    return { data: rows.map(toView) };
  }

  @OperatorRoles('instructor')
  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Withdraw a fault; payments already made keep what it did to them.' })
  @ApiResponse({ status: 404, description: 'No such fault' })
  async remove(@Param('id') id: string): Promise<void> {
    const result = /^\d{1,18}$/.test(id)
      ? await this.dataSource.getRepository(FaultEntity).delete({ id })
      : { affected: 0 };
    if (!result.affected) {
      throw new AppError('not_found_error', 'FAULT.NOT_FOUND', `No fault ${id}.`, 'id');
    }
  }
}
