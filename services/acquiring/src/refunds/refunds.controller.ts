import { Controller, Get, Param } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { DomainError } from '../shared/domain-error';
import { type ChannelRefundView, ChannelRefunds } from './channel-refunds.service';

const REFUND_ID = /^ref_[0-9A-HJKMNP-TV-Z]{26}$/;

/** Operators' view of channel refunds (渠道退款); any operator role may read. */
@ApiTags('channel refunds (渠道退款)')
@Controller('v1/refunds')
export class RefundsController {
  constructor(private readonly refunds: ChannelRefunds) {}

  @Get(':refundId')
  @ApiOperation({
    summary:
      'A channel refund: status (PENDING / SUCCEEDED / FAILED), its next step, the channel references and how it was confirmed.',
  })
  @ApiResponse({ status: 200, description: 'The channel refund' })
  @ApiResponse({ status: 404, description: 'REFUND.NOT_FOUND' })
  async find(@Param('refundId') refundId: string): Promise<ChannelRefundView> {
    if (!REFUND_ID.test(refundId)) {
      throw new DomainError('REFUND.NOT_FOUND', `No channel refund ${refundId}.`, 'refundId');
    }
    return this.refunds.find(refundId);
  }
}
