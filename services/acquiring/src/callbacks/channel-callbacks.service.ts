import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import {
  ChannelError,
  type ChannelCallback,
  type ChannelRefundNotification,
  type RawCallbackRequest,
} from '../channels/channel-adapter';
import { ChannelAdapters, type ConnectedAccount } from '../channels/channel-adapters';
import { ChannelRefunds } from '../refunds/channel-refunds.service';
import { DomainError } from '../shared/domain-error';
import { ChannelTransactions } from '../transactions/channel-transactions.service';
import { type CallbackOutcome, RawCallbackEntity } from './raw-callback.entity';

export interface CallbackReply {
  status: number;
  contentType: string;
  body: string;
  outcome: CallbackOutcome;
}

/**
 * The notify_url side of every channel: verify, keep the raw callback, settle exactly once.
 * A verified callback is stored in the same database transaction as its effect, so the audit
 * trail and the state never disagree; a rejected one is stored on its own and changes nothing.
 */
@Injectable()
export class ChannelCallbacks {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly adapters: ChannelAdapters,
    private readonly transactions: ChannelTransactions,
    private readonly refunds: ChannelRefunds,
  ) {}

  async receive(channel: string, raw: RawCallbackRequest): Promise<CallbackReply> {
    const accounts = await this.adapters.accountsOf(channel);
    const adapter = accounts[0].adapter;
    const replies = adapter.callbackReplies;
    const acknowledge = (outcome: CallbackOutcome): CallbackReply => ({
      status: replies.successStatus,
      contentType: replies.successContentType,
      body: replies.success,
      outcome,
    });
    const refuse = (status: number, outcome: CallbackOutcome, reason: string): CallbackReply => ({
      status,
      contentType: replies.failureContentType,
      body: replies.failure(reason),
      outcome,
    });
    const headers = auditHeadersOf(raw, replies.auditHeaders);

    let notification: ChannelCallback;
    try {
      notification = await verifyWithAnyAccount(accounts, raw);
    } catch (error) {
      if (!(error instanceof ChannelError)) throw error;
      await this.record(this.dataSource.manager, channel, raw, {
        verification: 'REJECTED',
        errorCode: error.code,
        outcome: 'REJECTED',
        headers,
      });
      return refuse(400, 'REJECTED', `${error.code}: the callback cannot be trusted`);
    }

    if (notification.kind === 'REFUND') {
      return this.receiveRefund(channel, raw, notification, headers, acknowledge, refuse);
    }

    return this.dataSource.transaction(async (manager) => {
      const facts = {
        verification: 'VERIFIED' as const,
        notifyId: notification.notifyId,
        outTradeNo: notification.outTradeNo,
        channelTradeNo: notification.channelTradeNo,
        headers,
      };
      const row = await this.transactions.lockByOutTradeNo(
        manager,
        channel,
        notification.outTradeNo,
      );
      if (!row) {
        // Not ours, or not committed yet: answering fail makes the channel try again later.
        await this.record(manager, channel, raw, { ...facts, outcome: 'UNKNOWN_TRANSACTION' });
        return refuse(404, 'UNKNOWN_TRANSACTION', 'unknown out_trade_no; try again later');
      }
      if (notification.status !== 'SUCCEEDED') {
        // WAIT_BUYER_PAY / TRADE_CLOSED notices change nothing here; expiry is ours to decide.
        await this.record(manager, channel, raw, {
          ...facts,
          transactionId: row.id,
          outcome: 'IGNORED',
        });
        return acknowledge('IGNORED');
      }
      let outcome: CallbackOutcome;
      try {
        outcome = await this.transactions.settleLocked(
          manager,
          row,
          {
            channelTradeNo: notification.channelTradeNo,
            amount: notification.amount,
            paidAt: notification.paidAt!,
          },
          'CALLBACK',
        );
      } catch (error) {
        if (!(error instanceof DomainError && error.code.startsWith('SETTLEMENT.'))) throw error;
        // Never booked; kept with its reason, and the channel keeps re-sending until a person acts.
        await this.record(manager, channel, raw, {
          ...facts,
          transactionId: row.id,
          errorCode: error.code,
          outcome: 'MISMATCH',
        });
        return refuse(409, 'MISMATCH', `${error.code}: held for a person to review`);
      }
      await this.record(manager, channel, raw, { ...facts, transactionId: row.id, outcome });
      return acknowledge(outcome);
    });
  }

  /**
   * A refund notification (WeChat Pay REFUND.*): settles the PENDING refund exactly once, in
   * the same transaction as its audit record; a repeat is acknowledged and changes nothing.
   */
  private async receiveRefund(
    channel: string,
    raw: RawCallbackRequest,
    notice: ChannelRefundNotification,
    headers: Record<string, string>,
    acknowledge: (outcome: CallbackOutcome) => CallbackReply,
    refuse: (status: number, outcome: CallbackOutcome, reason: string) => CallbackReply,
  ): Promise<CallbackReply> {
    return this.dataSource.transaction(async (manager) => {
      const facts = {
        verification: 'VERIFIED' as const,
        notifyId: notice.notifyId,
        outTradeNo: notice.outTradeNo,
        channelTradeNo: notice.channelTradeNo,
        headers,
      };
      const row = await this.refunds.lockForNotification(manager, channel, notice.outRefundNo);
      if (!row) {
        // Not ours, or not committed yet: refusing makes the channel try again later.
        await this.record(manager, channel, raw, { ...facts, outcome: 'UNKNOWN_REFUND' });
        return refuse(404, 'UNKNOWN_REFUND', 'unknown out_refund_no; try again later');
      }
      const refundFacts = { ...facts, transactionId: row.transactionId, refundId: row.refundId };
      const outcome = await this.refunds.applyNotificationLocked(manager, row, notice);
      if (outcome === 'MISMATCH') {
        await this.record(manager, channel, raw, {
          ...refundFacts,
          errorCode: 'REFUND.NOTIFICATION_MISMATCH',
          outcome: 'MISMATCH',
        });
        return refuse(409, 'MISMATCH', 'REFUND.NOTIFICATION_MISMATCH: held for a person to review');
      }
      await this.record(manager, channel, raw, { ...refundFacts, outcome });
      return acknowledge(outcome);
    });
  }

  private async record(
    manager: EntityManager,
    channel: string,
    raw: RawCallbackRequest,
    facts: Partial<RawCallbackEntity> & Pick<RawCallbackEntity, 'verification' | 'outcome'>,
  ): Promise<void> {
    await manager.insert(RawCallbackEntity, {
      channel,
      receivedAt: new Date(),
      contentType: raw.contentType,
      body: raw.body.toString('utf8'),
      errorCode: null,
      notifyId: null,
      outTradeNo: null,
      channelTradeNo: null,
      transactionId: null,
      refundId: null,
      headers: {},
      ...facts,
    });
  }
}

/**
 * Which account a callback is for: the one whose adapter accepts it (Alipay checks the
 * notification's app_id with its account's platform key, WeChat Pay its mchid and keys). Each
 * account is tried; if none accepts it, the most telling refusal is recorded (a bad signature
 * says more than "another app").
 */
async function verifyWithAnyAccount(
  accounts: readonly ConnectedAccount[],
  raw: RawCallbackRequest,
): Promise<ChannelCallback> {
  let refusal: ChannelError | undefined;
  for (const { adapter } of accounts) {
    try {
      return await adapter.verifyCallback(raw);
    } catch (error) {
      if (!(error instanceof ChannelError)) throw error;
      if (!refusal || refusal.code === 'CALLBACK.WRONG_APP') refusal = error;
    }
  }
  throw refusal ?? new ChannelError('CALLBACK.WRONG_APP', 'No connected account takes it.');
}

/** The channel's signature headers of a callback, as received, for the audit record. */
function auditHeadersOf(raw: RawCallbackRequest, names: readonly string[]): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of names) {
    const value = raw.headers[name];
    if (typeof value === 'string') kept[name] = value;
  }
  return kept;
}
