import { Injectable } from '@nestjs/common';
import { Rate } from '@paylab/money';
import type { EntityManager } from 'typeorm';
import { IsNull } from 'typeorm';
import { feeSchedule, type FeeSchedule } from './domain';
import { ChannelCostRateEntity, MerchantFeeRateEntity } from './fee-rate.entities';

export type FeeRateSource = 'MERCHANT' | 'CHANNEL_DEFAULT';

export interface ResolvedFeeSchedule {
  readonly schedule: FeeSchedule;
  /** Whether the merchant's own (negotiated) rate or the channel's default applied. */
  readonly source: FeeRateSource;
}

/** No rate is configured for this merchant and channel: an operator must add one. */
export class MissingFeeScheduleError extends Error {
  readonly code = 'SETTLEMENT.NO_FEE_SCHEDULE';

  constructor(message: string) {
    super(message);
    this.name = 'MissingFeeScheduleError';
  }
}

/** Reads fee schedules (费率表) from the settlement schema. */
@Injectable()
export class FeeSchedules {
  /**
   * The schedule for one payment: the merchant's own rate for the channel if it has one, else
   * the channel's default; and the channel's cost rate. Read inside the clearing's transaction so
   * the rates used are the ones committed when the payment is cleared.
   */
  async forPayment(
    manager: EntityManager,
    merchantId: string,
    channel: string,
  ): Promise<ResolvedFeeSchedule> {
    const rates = manager.getRepository(MerchantFeeRateEntity);
    const own = await rates.findOneBy({ merchantId, channel });
    const merchantRate = own ?? (await rates.findOneBy({ merchantId: IsNull(), channel }));
    if (!merchantRate) {
      throw new MissingFeeScheduleError(
        `no merchant fee rate for channel ${channel}: neither one for merchant ${merchantId} nor a channel default`,
      );
    }
    const cost = await manager.getRepository(ChannelCostRateEntity).findOneBy({ channel });
    if (!cost) {
      throw new MissingFeeScheduleError(`no channel cost rate for channel ${channel}`);
    }
    return {
      schedule: feeSchedule({
        merchantFeeRate: Rate.ppm(merchantRate.feeRatePpm),
        channelCostRate: Rate.ppm(cost.costRatePpm),
      }),
      source: own ? 'MERCHANT' : 'CHANNEL_DEFAULT',
    };
  }
}
