import { Controller, Post, Req, Res } from '@nestjs/common';
import { ApiConsumes, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ChannelCallbacks } from './channel-callbacks.service';
import { PublicEndpoint, AcceptsFormBody } from '@paylab/platform';

type RequestWithRawBody = Request & { rawBody?: Buffer };

/**
 * The notify_url of each channel (异步通知). Channels are not PayLab clients: they get the reply
 * their protocol expects (`success` / `fail` for Alipay; 204 / `{"code":"FAIL",…}` for WeChat
 * Pay), not PayLab's JSON errors.
 */
@ApiTags('channel callbacks (渠道回调)')
@PublicEndpoint() // channels prove themselves by their signatures
@Controller('callbacks')
export class CallbacksController {
  constructor(private readonly callbacks: ChannelCallbacks) {}

  @AcceptsFormBody()
  @Post('alipay')
  @ApiOperation({
    summary:
      'Alipay async notification: verified with the Alipay public key, stored, settled once. Answers `success`.',
  })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiResponse({ status: 200, description: '`success` (also for a duplicate)' })
  @ApiResponse({ status: 400, description: '`fail`: the signature or the fields are bad' })
  async alipay(@Req() request: RequestWithRawBody, @Res() response: Response): Promise<void> {
    await this.receive('ALIPAY', request, response);
  }

  @Post('wechat-pay')
  @ApiOperation({
    summary:
      'WeChat Pay (APIv3) payment notification: Wechatpay-Signature verified over the raw body with the platform key, resource decrypted with the APIv3 key (AES-256-GCM), stored, settled once. Answers 204.',
  })
  @ApiConsumes('application/json')
  @ApiResponse({ status: 204, description: 'Empty: acknowledged (also for a duplicate)' })
  @ApiResponse({
    status: 400,
    description: '`{"code":"FAIL","message":…}`: the signature, timestamp or resource is bad',
  })
  async wechatPay(@Req() request: RequestWithRawBody, @Res() response: Response): Promise<void> {
    await this.receive('WECHAT_PAY', request, response);
  }

  /** The raw bytes are what the channel signed: never the parsed and re-serialized body. */
  private async receive(
    channel: string,
    request: RequestWithRawBody,
    response: Response,
  ): Promise<void> {
    const reply = await this.callbacks.receive(channel, {
      contentType: request.headers['content-type'] ?? '',
      headers: request.headers as Record<string, string | undefined>,
      body: request.rawBody ?? Buffer.alloc(0),
    });
    response.status(reply.status);
    if (reply.status === 204) {
      response.end();
      return;
    }
    response.type(reply.contentType).send(reply.body);
  }
}
