import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { BackgroundWorker, type PaylabLogger, ROOT_LOGGER } from '@paylab/platform';
import type { DataSource } from 'typeorm';
import { ALIPAY_SANDBOX_SETTINGS, type AlipaySandboxSettings } from '../alipay/alipay.tokens';
import { TradeEntity } from '../alipay/trade.entity';
import { RefundEntity } from '../refunds/refund.entity';
import { NOTIFICATION_CHANNELS, type NotificationChannel } from './notification-channel';

/** A claimed attempt stays reserved this long; a crash mid-send makes it due again after it. */
const CLAIM_LEASE_MS = 60_000;
const SEND_TIMEOUT_MS = 10_000;
const BATCH_SIZE = 20;

interface DueNotification {
  id: string;
  trade_no: string;
  notify_url: string;
  notify_id: string;
  refund_no: string | null;
  attempts: number;
}

/**
 * Sends the async notifications (异步通知) of every channel and re-sends them on that channel's
 * schedule until the merchant acknowledges. The state lives in the notifications table, so a
 * restart picks up where it left off: a polling worker claims due rows with a lease, sends
 * outside any transaction, and records the outcome. What is sent is the channel's business
 * (NotificationChannel); the trade's channel picks it.
 */
@Injectable()
export class NotificationWorker extends BackgroundWorker {
  private readonly channels: ReadonlyMap<string, NotificationChannel>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(ALIPAY_SANDBOX_SETTINGS) private readonly settings: AlipaySandboxSettings,
    @Inject(ROOT_LOGGER) private readonly logger: PaylabLogger,
    @Inject(NOTIFICATION_CHANNELS) channels: readonly NotificationChannel[],
  ) {
    super('sandbox-notifications', settings.callbackPollIntervalMs, logger);
    this.channels = new Map(channels.map((channel) => [channel.channel, channel]));
  }

  protected async runPass(): Promise<boolean> {
    await this.pass();
    return false;
  }

  /** One pass: claim what is due, send each, record each outcome. */
  async pass(): Promise<void> {
    // Wrapped in a SELECT: TypeORM returns [rows, count] for a bare UPDATE … RETURNING.
    const due: DueNotification[] = await this.dataSource.query(
      `WITH "claimed" AS (
         UPDATE "notifications" SET "next_attempt_at" = now() + ($1::float8 * interval '1 millisecond')
         WHERE "id" IN (
           SELECT "id" FROM "notifications"
           WHERE "status" = 'PENDING' AND "next_attempt_at" <= now()
           ORDER BY "next_attempt_at", "id" LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING "id", "trade_no", "notify_url", "notify_id", "refund_no", "attempts")
       SELECT * FROM "claimed"`,
      [CLAIM_LEASE_MS, BATCH_SIZE],
    );
    // One failing notification must not hold up the others; its lease makes it due again.
    await Promise.all(
      due.map((notification) =>
        this.deliver(notification).catch((error: unknown) =>
          this.logger.error({ err: error, notificationId: notification.id }, 'notification failed'),
        ),
      ),
    );
  }

  private async deliver(notification: DueNotification): Promise<void> {
    const trade = await this.dataSource
      .getRepository(TradeEntity)
      .findOneByOrFail({ tradeNo: notification.trade_no });
    const channel = this.channels.get(trade.channel);
    if (!channel) throw new Error(`no notification format for channel ${trade.channel}`);
    const refund = notification.refund_no
      ? await this.dataSource
          .getRepository(RefundEntity)
          .findOneByOrFail({ refundNo: notification.refund_no })
      : null;
    const { headers, body: payload } = channel.request(trade, notification.notify_id, refund);
    let result: string;
    let acknowledged = false;
    try {
      const response = await fetch(notification.notify_url, {
        method: 'POST',
        headers,
        body: payload,
        signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
        redirect: 'manual',
      });
      const body = await response.text();
      acknowledged = channel.isAcknowledged(response.status, body);
      result = `HTTP ${response.status}: ${body.slice(0, 200)}`;
    } catch (error) {
      result = `not delivered: ${error instanceof Error ? error.message : String(error)}`;
    }
    const attempts = notification.attempts + 1;
    const delay = acknowledged
      ? null
      : channel.nextDelayMs(attempts, this.settings.callbackTimeScale);
    const status = acknowledged ? 'DELIVERED' : delay === null ? 'GAVE_UP' : 'PENDING';
    await this.dataSource.query(
      `UPDATE "notifications" SET "attempts" = $2, "status" = $3::text, "last_attempt_at" = now(),
         "last_result" = $4, "delivered_at" = CASE WHEN $3::text = 'DELIVERED' THEN now() END,
         "next_attempt_at" = now() + ($5::float8 * interval '1 millisecond')
       WHERE "id" = $1`,
      [notification.id, attempts, status, result, delay ?? 0],
    );
    this.logger.info(
      {
        channel: trade.channel,
        tradeNo: trade.tradeNo,
        refundNo: notification.refund_no,
        notifyId: notification.notify_id,
        attempts,
        status,
        result,
      },
      'notification attempt',
    );
  }
}
