import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { OperatorRoles, parseRequest } from '@paylab/platform';
import { z } from 'zod';
import { DeadLetterAdmin, type DeadLetterView, type ReplayOutcome } from './dead-letter-admin';

const ERROR_RESPONSE = {
  description:
    'Error in the documented shape `{ error: { type, code, message, param?, requestId } }`',
};

const listQuery = z
  .object({
    topic: z.string().min(1).optional(),
    consumerGroup: z.string().min(1).optional(),
    limit: z.coerce.number().int().min(1).max(1_000).default(100),
  })
  .strict();

const offset = z.string().regex(/^\d{1,19}$/, 'must be a non-negative integer offset');
const replayBody = z.union([
  z
    .object({
      topic: z.string().min(1),
      partition: z.number().int().min(0),
      offset: z.union([offset, z.number().int().min(0).transform(String)]),
    })
    .strict(),
  z.object({ topic: z.string().min(1), all: z.literal(true) }).strict(),
]);

/**
 * Operators inspect and replay dead letters (死信) of the topics this service consumes.
 * Registered by MessagingModule in every service, so no service repeats the wiring.
 */
@ApiTags('dead letters (死信)')
@Controller('v1/admin/dead-letters')
export class DeadLettersController {
  constructor(private readonly admin: DeadLetterAdmin) {}

  @Get()
  @OperatorRoles('operator', 'viewer')
  @ApiOperation({
    summary:
      'Dead letters of the topics this service consumes, oldest first (the newest `limit`), ' +
      'with their reason, origin and payload.',
  })
  @ApiResponse({ status: 400, ...ERROR_RESPONSE })
  @ApiResponse({ status: 404, ...ERROR_RESPONSE })
  async list(
    @Query() query: Record<string, unknown>,
  ): Promise<{ topics: string[]; deadLetters: DeadLetterView[] }> {
    const request = parseRequest(listQuery, query);
    return {
      topics: this.admin.consumedTopics(),
      deadLetters: await this.admin.list(request),
    };
  }

  @Post('replay')
  @HttpCode(200)
  @OperatorRoles('operator')
  @ApiOperation({
    summary:
      'Re-publish one dead letter ({ topic, partition, offset }) or all of a topic ' +
      '({ topic, all: true }) to its original topic. Safe to repeat: a record already replayed ' +
      'is answered "already replayed" and not published again.',
  })
  @ApiResponse({ status: 400, ...ERROR_RESPONSE })
  @ApiResponse({ status: 404, ...ERROR_RESPONSE })
  async replay(@Body() body: unknown): Promise<{ replays: ReplayOutcome[] }> {
    const request = parseRequest(replayBody, body ?? {});
    if ('all' in request) return { replays: await this.admin.replayAll(request.topic) };
    return {
      replays: [await this.admin.replayOne(request.topic, request.partition, request.offset)],
    };
  }
}
