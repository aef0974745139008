import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Rate } from '@paylab/money';
import { IsNull, type DataSource, type EntityManager } from 'typeorm';
import type {
  ChannelAccountSnapshot,
  ChannelCode,
  ChannelSnapshot,
  PaymentMethod,
  RouteRequest,
  RoutingContext,
  RoutingRuleSnapshot,
} from '../route-decisions/domain/route-model';
import { ChannelAccountEntity } from './channel-account.entity';
import { ChannelEntity } from './channel.entity';
import { RoutingRuleEntity } from './routing-rule.entity';

export interface ChannelView {
  code: ChannelCode;
  name: string;
  enabled: boolean;
  supportedMethods: PaymentMethod[];
  supportedCurrencies: string[];
}

export interface ChannelAccountView {
  id: string;
  merchantId: string;
  channel: ChannelCode;
  channelMerchantNo: string;
  enabled: boolean;
  limits: {
    minAmount: { amountMinor: number; currency: string };
    maxAmount: { amountMinor: number; currency: string };
  };
  merchantFeePpm: number;
  /** The same rate for people: '0.60%'. */
  merchantFeeRate: string;
  priority: number;
  createdAt: string;
  updatedAt: string;
}

/** Reads routing's configuration: channels, channel accounts and rules. */
@Injectable()
export class RoutingConfiguration {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async listChannels(): Promise<ChannelView[]> {
    const rows = await this.dataSource
      .getRepository(ChannelEntity)
      .find({ order: { code: 'ASC' } });
    return rows.map((row) => ({ ...toChannelSnapshot(row) }) as ChannelView);
  }

  /** An unknown merchant simply has no accounts: merchants live in cashier, not here. */
  async listAccounts(merchantId: string): Promise<ChannelAccountView[]> {
    const rows = await this.dataSource
      .getRepository(ChannelAccountEntity)
      .find({ where: { merchantId }, order: { id: 'ASC' } });
    return rows.map(toAccountView);
  }

  /** Everything the strategy needs for one request, read with the caller's manager. */
  async loadContext(manager: EntityManager, request: RouteRequest): Promise<RoutingContext> {
    const [channels, accounts, rules] = await Promise.all([
      manager.getRepository(ChannelEntity).find(),
      manager.getRepository(ChannelAccountEntity).findBy({ merchantId: request.merchantId }),
      manager.getRepository(RoutingRuleEntity).find({
        where: [
          { method: request.method, merchantId: request.merchantId },
          { method: request.method, merchantId: IsNull() },
        ],
      }),
    ]);
    return {
      request,
      channels: channels.map(toChannelSnapshot),
      accounts: accounts.map(toAccountSnapshot),
      rules: rules.map(toRuleSnapshot),
    };
  }
}

function toChannelSnapshot(row: ChannelEntity): ChannelSnapshot {
  return {
    code: row.code as ChannelCode,
    name: row.name,
    enabled: row.enabled,
    supportedMethods: row.supportedMethods as PaymentMethod[],
    supportedCurrencies: row.supportedCurrencies,
  };
}

function toAccountSnapshot(row: ChannelAccountEntity): ChannelAccountSnapshot {
  return {
    id: row.id,
    merchantId: row.merchantId,
    channel: row.channel as ChannelCode,
    channelMerchantNo: row.channelMerchantNo,
    enabled: row.enabled,
    currency: row.currency,
    minAmountMinor: row.minAmountMinor,
    maxAmountMinor: row.maxAmountMinor,
    merchantFeePpm: row.merchantFeePpm,
    priority: row.priority,
  };
}

function toRuleSnapshot(row: RoutingRuleEntity): RoutingRuleSnapshot {
  return {
    id: String(row.id),
    merchantId: row.merchantId,
    method: row.method as PaymentMethod,
    preferredChannel: row.preferredChannel as ChannelCode,
    priority: row.priority,
  };
}

function toAccountView(row: ChannelAccountEntity): ChannelAccountView {
  return {
    id: row.id,
    merchantId: row.merchantId,
    channel: row.channel as ChannelCode,
    channelMerchantNo: row.channelMerchantNo,
    enabled: row.enabled,
    limits: {
      minAmount: { amountMinor: row.minAmountMinor, currency: row.currency },
      maxAmount: { amountMinor: row.maxAmountMinor, currency: row.currency },
    },
    merchantFeePpm: row.merchantFeePpm,
    merchantFeeRate: Rate.ppm(row.merchantFeePpm).toPercentString(),
    priority: row.priority,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
