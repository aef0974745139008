import { Body, Controller, Get, HttpCode, Inject, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  CurrentOperator,
  OperatorRoles,
  parseRequest,
  type OperatorPrincipal,
} from '@paylab/platform';
import { z } from 'zod';
import { isBusinessDate } from '../calendar/domain/business-date';
import { SettlementError } from '../batches/domain/settlement-error';
import { SETTLEMENT_CONFIG, type SettlementConfig } from '../config';
import { assertRunnableDate } from './domain/end-of-day-plan';
import { EndOfDay, type EndOfDayReport, type JobRunView } from './end-of-day.service';

const runBody = z.object({ businessDate: z.unknown() }).strict();
const runsQuery = z
  .object({
    from: z.string().refine(isBusinessDate, 'must be a date YYYY-MM-DD'),
    to: z.string().refine(isBusinessDate, 'must be a date YYYY-MM-DD'),
  })
  .strict();

const ERROR_RESPONSE = {
  description:
    'Error in the documented shape `{ error: { type, code, message, param?, requestId } }`',
};

/**
 * The end of day (日终) for instructors and operators: run it for a date on demand (the same code
 * the schedule runs) and read what each job did.
 */
@ApiTags('end of day (日终)')
@Controller('v1/admin/end-of-day')
export class EndOfDayController {
  constructor(
    private readonly endOfDay: EndOfDay,
    @Inject(SETTLEMENT_CONFIG) private readonly config: SettlementConfig,
  ) {}

  @OperatorRoles('instructor', 'operator')
  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Run the end of day through a business date (instructor or operator): every open date up to it, in order.',
    description:
      'Releases due reserves, builds settlement batches, pays them out and closes the books for every ' +
      'business date after the last completed one up to `businessDate`. A date already done is not run ' +
      `again. At most EOD_MAX_DAYS_AHEAD days after today (Asia/Shanghai), so that a T+1 cycle can be ` +
      'shown in minutes. Waits up to two minutes if another run is in progress.',
  })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['businessDate'],
      properties: { businessDate: { type: 'string', format: 'date', example: '2026-03-02' } },
    },
  })
  @ApiResponse({ status: 200, description: 'The job runs of the processed dates' })
  @ApiResponse({ status: 400, ...ERROR_RESPONSE })
  @ApiResponse({ status: 409, ...ERROR_RESPONSE })
  async run(
    @Body() body: unknown,
    @CurrentOperator() operator: OperatorPrincipal | undefined,
  ): Promise<EndOfDayReport> {
    const request = parseRequest(runBody, body);
    const date = assertRunnableDate(
      request.businessDate,
      this.endOfDay.today(),
      this.config.EOD_MAX_DAYS_AHEAD,
    );
    const report = await this.endOfDay.runThrough(
      date,
      'INSTRUCTOR',
      operator ? `${operator.role}:${operator.name}` : null,
    );
    if (!report) {
      throw new SettlementError('END_OF_DAY.ALREADY_RUNNING', 'Another end of day is running');
    }
    return report;
  }

  @Get('runs')
  @ApiOperation({
    summary: 'The end-of-day job runs between two business dates (any operator role).',
  })
  @ApiResponse({ status: 400, ...ERROR_RESPONSE })
  async runs(@Query() query: unknown): Promise<{ data: JobRunView[] }> {
    const { from, to } = parseRequest(runsQuery, query);
    return { data: await this.endOfDay.runsBetween(from, to) };
  }
}
