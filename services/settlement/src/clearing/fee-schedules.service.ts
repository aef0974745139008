import { Injectable } from '@nestjs/common';
import { Rate } from '@paylab/money';
import type { EntityManager } from 'typeorm';
import { IsNull } from 'typeorm';
import { feeSchedule, type FeeSchedule, type RefundFeePolicy } from './domain';
import {
  ChannelCostRateEntity,
  MerchantFeeRateEntity,
  RefundFeePolicyEntity,
} from './fee-rate.entities';

export type FeeRateSource = 'MERCHANT' | 'CHANNEL_DEFAULT';
export type ChannelCostRateSource = 'CHANNEL_ACCOUNT' | 'CHANNEL_DEFAULT';

export interface ResolvedFeeSchedule {
  readonly schedule: FeeSchedule;
  /** Whether the merchant's own (negotiated) rate or the channel's default applied. */
  readonly source: FeeRateSource;
  /** Whether the channel account's own cost rate or the channel's default applied. */
  readonly costSource: ChannelCostRateSource;
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
   * the channel's default; and the cost rate of the channel account the payment was taken on if
   * it has one (two contracts on one channel can cost differently), else the channel's. Read
   * inside the clearing's transaction so the rates used are the ones committed when the payment
   * is cleared.
   */
  async forPayment(
    manager: EntityManager,
    merchantId: string,
    channel: string,
    channelAccountId?: string,
  ): Promise<ResolvedFeeSchedule> {
    const rates = manager.getRepository(MerchantFeeRateEntity);
    const own = await rates.findOneBy({ merchantId, channel });
    const merchantRate = own ?? (await rates.findOneBy({ merchantId: IsNull(), channel }));
    if (!merchantRate) {
      throw new MissingFeeScheduleError(
        `no merchant fee rate for channel ${channel}: neither one for merchant ${merchantId} nor a channel default`,
      );
    }
    const costs = manager.getRepository(ChannelCostRateEntity);
    const accountCost = channelAccountId
      ? await costs.findOneBy({ channel, channelAccountId })
      : null;
    const cost = accountCost ?? (await costs.findOneBy({ channel, channelAccountId: IsNull() }));
    if (!cost) {
      throw new MissingFeeScheduleError(`no channel cost rate for channel ${channel}`);
    }
    return {
      schedule: feeSchedule({
        merchantFeeRate: Rate.ppm(merchantRate.feeRatePpm),
        channelCostRate: Rate.ppm(cost.costRatePpm),
      }),
      source: own ? 'MERCHANT' : 'CHANNEL_DEFAULT',
      costSource: accountCost ? 'CHANNEL_ACCOUNT' : 'CHANNEL_DEFAULT',
    };
  }

  /**
   * The refund fee policy (退款手续费政策) for a merchant on a channel: its own if it has one, else
   * the channel's default. None configured is an operator's omission, like a missing rate.
   */
  async refundFeePolicy(
    manager: EntityManager,
    merchantId: string,
    channel: string,
  ): Promise<RefundFeePolicy> {
    const policies = manager.getRepository(RefundFeePolicyEntity);
    const policy =
      (await policies.findOneBy({ merchantId, channel })) ??
      (await policies.findOneBy({ merchantId: IsNull(), channel }));
    if (!policy) {
      throw new MissingFeeScheduleError(
        `no refund fee policy for channel ${channel}: neither one for merchant ${merchantId} nor a channel default`,
      );
    }
    return policy.policy;
  }
}
