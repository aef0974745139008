import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { parseRequest, OperatorRoles } from '@paylab/platform';
import { z } from 'zod';
import { isBusinessDate, RECON_CHANNELS, STATEMENT_FORMATS, type StatementFormat } from './domain';
import { AcquiringStatements } from '../statements/acquiring-statements';
import { ReconRuns, type DiscrepancyPage, type ReconRunView } from './recon-runs.service';

const createReconRunBody = z
  .object({
    channel: z.enum(RECON_CHANNELS),
    channelAccountId: z
      .string()
      .regex(/^cha_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a cha_ channel account id')
      .optional(),
    businessDate: z
      .string()
      .refine(isBusinessDate, 'must be a calendar date YYYY-MM-DD (Asia/Shanghai)'),
    statement: z
      .object({
        format: z.enum(Object.keys(STATEMENT_FORMATS) as [StatementFormat, ...StatementFormat[]]),
        contentBase64: z.base64().min(1, 'must not be empty'),
      })
      .strict()
      .optional(),
  })
  .strict();

const discrepanciesQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(50),
    startingAfter: z
      .string()
      .regex(/^dsc_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a dsc_ id')
      .optional(),
  })
  .strict();

const ERROR_RESPONSE = {
  description:
    'Error in the documented shape `{ error: { type, code, message, param?, requestId } }`',
};

/**
 * Recon runs (对账批次). An internal, instructor-facing API behind the operator guard: any role
 * reads; starting a run takes operator or instructor (it is a classroom action as much as an
 * operator's).
 */
@ApiTags('recon runs (对账)')
@Controller('v1/recon-runs')
export class ReconRunsController {
  constructor(
    private readonly runs: ReconRuns,
    private readonly statements: AcquiringStatements,
  ) {}

  @OperatorRoles('operator', 'instructor') // a classroom action as much as an operator's
  @Post()
  @ApiOperation({
    summary:
      "Reconcile one channel's statement for one business date: fetched through acquiring, or uploaded (internal; operator or instructor).",
    description:
      'Parses the statement (ALIPAY_CSV: 业务明细 CSV in GBK; WECHAT_BILL: trade bill, UTF-8 with BOM), ' +
      'matches payment lines against the platform transactions projected from ChannelPaymentSucceeded and ' +
      'refund lines against the platform refunds projected from ChannelRefundSucceeded, and files ' +
      'one OPEN discrepancy (差错) per break. With channelAccountId the run covers that channel ' +
      "account's statement and records only. A malformed statement stores nothing. The body is limited " +
      'to 1 MB, so a statement to about 750 KB.',
  })
  @ApiBody({ schema: z.toJSONSchema(createReconRunBody) as object })
  @ApiResponse({ status: 201, description: 'The completed run with counts per outcome' })
  @ApiResponse({ status: 400, ...ERROR_RESPONSE })
  async create(@Body() body: unknown): Promise<ReconRunView> {
    const request = parseRequest(createReconRunBody, body);
    // No upload: fetch the channel's statement for that day through acquiring (the usual path).
    let statement = request.statement;
    let channelAccountId = request.channelAccountId;
    if (statement === undefined) {
      const file = await this.statements.download(
        request.channel,
        request.businessDate,
        request.channelAccountId,
      );
      statement = { format: file.format, contentBase64: file.content.toString('base64') };
      // The fetched bill is one account's: expect that account's records only.
      channelAccountId = file.channelAccountId;
    }
    return this.runs.create({
      channel: request.channel,
      channelAccountId,
      businessDate: request.businessDate,
      statement,
    });
  }

  @Get(':runId')
  @ApiOperation({
    summary: 'A recon run with its counts per outcome (internal; any operator role).',
  })
  @ApiResponse({ status: 404, ...ERROR_RESPONSE })
  async find(@Param('runId') runId: string): Promise<ReconRunView> {
    return this.runs.find(runId);
  }

  @Get(':runId/discrepancies')
  @ApiOperation({ summary: "A run's discrepancies (差错), oldest first, cursor-paginated." })
  @ApiQuery({ name: 'limit', required: false, description: '1–100, default 50' })
  @ApiQuery({ name: 'startingAfter', required: false, description: 'nextCursor of the last page' })
  @ApiResponse({ status: 404, ...ERROR_RESPONSE })
  async discrepancies(
    @Param('runId') runId: string,
    @Query() query: unknown,
  ): Promise<DiscrepancyPage> {
    const page = parseRequest(discrepanciesQuery, query);
    return this.runs.discrepancies(runId, page);
  }
}
