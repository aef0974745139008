import { Controller, Post, Req, Res } from '@nestjs/common';
import { ApiConsumes, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ChannelCallbacks } from './channel-callbacks.service';

type RequestWithRawBody = Request & { rawBody?: Buffer };

/**
 * The notify_url of each channel (异步通知). Channels are not PayLab clients: they get the plain
 * reply their protocol expects (`success` / `fail` for Alipay), not PayLab's JSON errors.
 */
@ApiTags('channel callbacks (渠道回调)')
@Controller('callbacks')
export class CallbacksController {
  constructor(private readonly callbacks: ChannelCallbacks) {}

  @Post('alipay')
  @ApiOperation({
    summary:
      'Alipay async notification: verified with the Alipay public key, stored, settled once. Answers `success`.',
  })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiResponse({ status: 200, description: '`success` (also for a duplicate)' })
  @ApiResponse({ status: 400, description: '`fail`: the signature or the fields are bad' })
  async alipay(@Req() request: RequestWithRawBody, @Res() response: Response): Promise<void> {
    const reply = await this.callbacks.receive('ALIPAY', {
      contentType: request.headers['content-type'] ?? '',
      headers: request.headers as Record<string, string | undefined>,
      body: request.rawBody ?? Buffer.alloc(0),
    });
    response.status(reply.status).type(reply.contentType).send(reply.body);
  }
}
