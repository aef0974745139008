import { Controller, Get, Param } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { isId } from '@paylab/ids';
import { parseRequest } from '@paylab/platform';
import { z } from 'zod';
import {
  RoutingConfiguration,
  type ChannelAccountView,
  type ChannelView,
} from './routing-configuration';

const merchantPath = z
  .object({
    merchantId: z
      .string()
      .refine((value) => isId(value, 'mch'), { message: 'must be a merchant id (mch_…)' }),
  })
  .strict();

const ERROR_RESPONSE = {
  description:
    'Error in the documented shape `{ error: { type, code, message, param?, requestId } }`',
};

/** Routing configuration, read-only for now. Internal API; not authenticated yet. */
@ApiTags('channels (支付渠道)')
@Controller('v1')
export class ChannelsController {
  constructor(private readonly configuration: RoutingConfiguration) {}

  @Get('channels')
  @ApiOperation({
    summary: 'Every channel, its switch, and the methods and currencies it carries.',
  })
  @ApiResponse({ status: 200, description: '{ data: Channel[] }' })
  async channels(): Promise<{ data: ChannelView[] }> {
    return { data: await this.configuration.listChannels() };
  }

  @Get('merchants/:merchantId/channel-accounts')
  @ApiOperation({
    summary: "A merchant's channel accounts (渠道商户号): limits, fee rate, priority, switch.",
    description:
      'An unknown merchant has none: merchants live in cashier, so routing cannot tell them apart.',
  })
  @ApiResponse({ status: 200, description: '{ data: ChannelAccount[] }, ordered by id' })
  @ApiResponse({ status: 400, ...ERROR_RESPONSE })
  async channelAccounts(
    @Param('merchantId') merchantId: string,
  ): Promise<{ data: ChannelAccountView[] }> {
    const path = parseRequest(merchantPath, { merchantId });
    return { data: await this.configuration.listAccounts(path.merchantId) };
  }
}
