import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Money } from '@paylab/money';
import { type PaylabLogger, ROOT_LOGGER } from '@paylab/platform';
import type { DataSource } from 'typeorm';
import { ALIPAY_PLATFORM_PRIVATE_KEY } from './alipay-apps';
import { ALIPAY_SANDBOX_SETTINGS, type AlipaySandboxSettings } from './alipay.tokens';
import { isNotifyAcknowledged, nextNotifyDelayMs } from './domain/notify-schedule';
import { signNotification } from './domain/openapi-signature';
import { formatShanghaiDateTime } from './domain/shanghai-time';
import { TradeEntity } from './trade.entity';

/** A claimed attempt stays reserved this long; a crash mid-send makes it due again after it. */
const CLAIM_LEASE_MS = 60_000;
const SEND_TIMEOUT_MS = 10_000;
const BATCH_SIZE = 20;

interface DueNotification {
  id: string;
  trade_no: string;
  notify_url: string;
  notify_id: string;
  attempts: number;
}

/**
 * Sends the async notifications (异步通知) and re-sends them on Alipay's schedule until the
 * merchant answers `success`. The state lives in the notifications table, so a restart picks
 * up where it left off: a polling worker claims due rows with a lease, sends outside any
 * transaction, and records the outcome.
 */
@Injectable()
export class AlipayNotifier implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(ALIPAY_SANDBOX_SETTINGS) private readonly settings: AlipaySandboxSettings,
    @Inject(ROOT_LOGGER) private readonly logger: PaylabLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.pass()
        .catch((error: unknown) => this.logger.error({ err: error }, 'notification pass failed'))
        .finally(() => this.schedule());
    }, this.settings.callbackPollIntervalMs);
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
         RETURNING "id", "trade_no", "notify_url", "notify_id", "attempts")
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
    const fields = signNotification(
      this.fieldsOf(trade, notification.notify_id),
      ALIPAY_PLATFORM_PRIVATE_KEY,
    );
    let result: string;
    let acknowledged = false;
    try {
      const response = await fetch(notification.notify_url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body: new URLSearchParams(fields).toString(),
        signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
        redirect: 'manual',
      });
      const body = await response.text();
      acknowledged = isNotifyAcknowledged(response.status, body);
      result = `HTTP ${response.status}: ${body.slice(0, 200)}`;
    } catch (error) {
      result = `not delivered: ${error instanceof Error ? error.message : String(error)}`;
    }
    const attempts = notification.attempts + 1;
    const delay = acknowledged
      ? null
      : nextNotifyDelayMs(attempts, this.settings.callbackTimeScale);
    const status = acknowledged ? 'DELIVERED' : delay === null ? 'GAVE_UP' : 'PENDING';
    await this.dataSource.query(
      `UPDATE "notifications" SET "attempts" = $2, "status" = $3::text, "last_attempt_at" = now(),
         "last_result" = $4, "delivered_at" = CASE WHEN $3::text = 'DELIVERED' THEN now() END,
         "next_attempt_at" = now() + ($5::float8 * interval '1 millisecond')
       WHERE "id" = $1`,
      [notification.id, attempts, status, result, delay ?? 0],
    );
    this.logger.info(
      { tradeNo: trade.tradeNo, notifyId: notification.notify_id, attempts, status, result },
      'alipay notification attempt',
    );
  }

  /**
   * The notification fields, sent as a form; notify_time is this attempt's time. Empty fields
   * are left out: the official rule drops them from the signed string but alipay-sdk's
   * checkNotifySignV2 keeps them, so sending none keeps both verifiers agreeing.
   */
  private fieldsOf(trade: TradeEntity, notifyId: string): Record<string, string> {
    const amount = Money.of(trade.amountMinor, 'CNY').toDecimalString();
    const fields: Record<string, string> = {
      notify_id: notifyId,
      notify_time: formatShanghaiDateTime(new Date()),
      notify_type: 'trade_status_sync',
      app_id: trade.merchantAccount,
      charset: 'utf-8',
      version: '1.0',
      trade_no: trade.tradeNo,
      out_trade_no: trade.outTradeNo,
      trade_status: trade.status,
      total_amount: amount,
      receipt_amount: amount,
      buyer_pay_amount: amount,
      subject: trade.subject ?? '',
      buyer_id: trade.buyerUserId ?? '',
      gmt_create: formatShanghaiDateTime(trade.createdAt),
      gmt_payment: trade.paidAt ? formatShanghaiDateTime(trade.paidAt) : '',
    };
    return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== ''));
  }
}
