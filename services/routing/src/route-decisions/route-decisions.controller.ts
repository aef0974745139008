import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { isId } from '@paylab/ids';
import { AppError, parseRequest, OperatorRoles } from '@paylab/platform';
import type { Response } from 'express';
import { z } from 'zod';
import { CHANNEL_CODES, DEVICES, PAYMENT_METHODS } from './domain/route-model';
import {
  RouteDecisions,
  type RouteDecisionView,
  type SimulationView,
} from './route-decisions.service';

/**
 * Shape only: types, enums and unknown fields. The business checks (a positive amount, a known
 * currency) are the domain's, with their own codes (ROUTING.INVALID_AMOUNT, …UNKNOWN_CURRENCY).
 */
const routeRequestShape = {
  merchantId: z
    .string()
    .refine((value) => isId(value, 'mch'), { message: 'must be a merchant id (mch_…)' }),
  method: z.enum(PAYMENT_METHODS),
  amount: z.object({ amountMinor: z.number().int(), currency: z.string() }).strict(),
  device: z.enum(DEVICES).optional(),
};
const routeRequestBody = z.object(routeRequestShape).strict();

const channelAccountIds = z.array(z.string()).max(50);
const simulateBody = z
  .object({
    ...routeRequestShape,
    overrides: z
      .object({
        disabledChannels: z.array(z.enum(CHANNEL_CODES)).optional(),
        enabledChannels: z.array(z.enum(CHANNEL_CODES)).optional(),
        disabledChannelAccounts: channelAccountIds.optional(),
        enabledChannelAccounts: channelAccountIds.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** The header that names the stored decision when the answer is a 422 (the error body cannot). */
export const ROUTE_DECISION_ID_HEADER = 'Route-Decision-Id';

const DECISION_ID_HEADER_DOC = {
  description: 'The stored decision (rtd_…); on a 422 it is where the trace is',
  schema: { type: 'string' as const },
};

const ERROR_RESPONSE = {
  description:
    'Error in the documented shape `{ error: { type, code, message, param?, requestId } }`',
};

@ApiTags('route decisions (路由决策)')
@Controller('v1/route-decisions')
export class RouteDecisionsController {
  constructor(private readonly decisions: RouteDecisions) {}

  @OperatorRoles('operator', 'service')
  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Choose a channel account for a payment; the decision is stored with its trace.',
    description:
      'Internal API for cashier and acquiring; not authenticated yet. Every merchant channel account is traced as KEPT (ranked) or DROPPED (with reason codes). When every one is dropped the answer is 422 ROUTING.NO_CHANNEL_AVAILABLE; the decision is still stored, and its id is in the Route-Decision-Id header and the message, so GET /v1/route-decisions/{id} shows the trace.',
  })
  @ApiBody({ schema: z.toJSONSchema(routeRequestBody) as object })
  @ApiResponse({
    status: 200,
    description: 'The stored decision: chosen, fallbacks, trace',
    headers: { [ROUTE_DECISION_ID_HEADER]: DECISION_ID_HEADER_DOC },
  })
  @ApiResponse({ status: 400, ...ERROR_RESPONSE })
  @ApiResponse({
    status: 422,
    ...ERROR_RESPONSE,
    headers: { [ROUTE_DECISION_ID_HEADER]: DECISION_ID_HEADER_DOC },
  })
  async decide(
    @Body() body: unknown,
    @Res({ passthrough: true }) response: Response,
  ): Promise<RouteDecisionView> {
    const request = parseRequest(routeRequestBody, body);
    const outcome = await this.decisions.decide(request);
    response.setHeader(ROUTE_DECISION_ID_HEADER, outcome.decision.id);
    if (outcome.kind === 'NO_CHANNEL_AVAILABLE') {
      throw new AppError(
        'unprocessable_error',
        outcome.error.code,
        `${outcome.error.message} Decision ${outcome.decision.id} holds the trace: GET /v1/route-decisions/${outcome.decision.id}.`,
      );
    }
    return outcome.decision;
  }

  @OperatorRoles('operator', 'instructor') // a classroom what-if
  @Post('simulate')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'What-if (模拟): decide as if some channels or accounts were switched; nothing is stored.',
    description:
      'Same input as POST /v1/route-decisions plus optional overrides. "No channel" is an answer here (outcome NO_CHANNEL_AVAILABLE, 200), not an error.',
  })
  @ApiBody({ schema: z.toJSONSchema(simulateBody) as object })
  @ApiResponse({ status: 200, description: 'The simulated decision with its trace' })
  @ApiResponse({ status: 400, ...ERROR_RESPONSE })
  @ApiResponse({ status: 422, ...ERROR_RESPONSE })
  async simulate(@Body() body: unknown): Promise<SimulationView> {
    const { overrides, ...request } = parseRequest(simulateBody, body);
    return this.decisions.simulate(request, overrides ?? {});
  }

  @Get(':decisionId')
  @ApiOperation({ summary: 'Read a stored route decision with its trace.' })
  @ApiResponse({ status: 200, description: 'The decision' })
  @ApiResponse({ status: 404, ...ERROR_RESPONSE })
  async find(@Param('decisionId') decisionId: string): Promise<RouteDecisionView> {
    return this.decisions.find(decisionId);
  }
}
