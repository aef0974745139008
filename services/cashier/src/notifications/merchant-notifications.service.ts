import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { newId } from '@paylab/ids';
import { ROOT_LOGGER, type PaylabLogger } from '@paylab/platform';
import type { DataSource, EntityManager } from 'typeorm';
import { MerchantAppEntity } from '../merchants/merchant-app.entity';
import type { PaymentView } from '../payments/payment-order.mapper';
import type { RefundView } from '../refunds/refund.mapper';
import type {
  SettlementWebhookData,
  SettlementWebhookType,
} from '../settlements/domain/settlement-webhook';
import { isAcknowledged, nextAttemptAfterFailure } from './domain/retry-schedule';
import {
  signWebhook,
  WEBHOOK_NOTIFICATION_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
} from './domain/webhook-signature';
import {
  MerchantNotificationAttemptEntity,
  MerchantNotificationEntity,
  type AttemptOutcome,
  type NotificationEventType,
} from './merchant-notification.entities';
import { postPinned, WebhookTargets } from './webhook-targets';

export const WEBHOOK_SETTINGS = Symbol('WEBHOOK_SETTINGS');

export interface WebhookSettings {
  /** One attempt's time limit. */
  timeoutMs: number;
  /** Multiplies the published retry schedule; 1 in production. */
  timeScale: number;
}

/** What a merchant webhook's JSON body looks like. */
export interface WebhookBody {
  /** The notification id (ntf_…): the same on every retry, so merchants can de-duplicate. */
  id: string;
  type: NotificationEventType;
  createdAt: string;
  /**
   * The payment view for payment.* types, the refund view for refund.* types, the settlement for
   * settlement.* types.
   */
  data: PaymentView | RefundView | SettlementWebhookData;
}

/** One webhook to queue: what happened, to which payment, and the body's `data`. */
export type WebhookToQueue = {
  paymentId: string;
  merchantId: string;
  appId: string;
  /** The order's notifyUrl; without one, the app's webhook URL. */
  notifyUrl: string | undefined;
} & (
  | {
      type: 'payment.succeeded' | 'payment.closed' | 'payment.late_payment_returned';
      data: PaymentView;
    }
  | { type: 'refund.succeeded' | 'refund.failed'; data: RefundView }
);

/** A merchant-wide webhook about one settlement batch (结算批次), not about a payment. */
export interface SettlementWebhookToQueue {
  type: SettlementWebhookType;
  merchantId: string;
  settlementId: string;
  data: SettlementWebhookData;
}

export interface NotificationAttemptView {
  attemptNo: number;
  attemptedAt: string;
  durationMs: number;
  responseStatus: number | null;
  error: string | null;
  outcome: AttemptOutcome;
  nextAttemptAt: string | null;
}

export interface NotificationView {
  id: string;
  type: NotificationEventType;
  url: string;
  status: MerchantNotificationEntity['status'];
  attemptCount: number;
  nextAttemptAt: string | null;
  lastResponseStatus: number | null;
  createdAt: string;
  deliveredAt: string | null;
  attempts: NotificationAttemptView[];
}

interface ClaimedNotification {
  row: MerchantNotificationEntity;
  secret: string;
}

interface AttemptResult {
  attemptedAt: Date;
  durationMs: number;
  responseStatus: number | null;
  error: string | null;
  /** The address check refused the destination: nothing was sent, and nothing will be. */
  refused?: boolean;
}

/** Extra time on top of an attempt's timeout before another replica may take the row over. */
const LEASE_MARGIN_MS = 30_000;

/**
 * Merchant webhooks (异步通知): a notification row is written in the same transaction as the order
 * change it reports, so a committed SUCCEEDED always has its webhook and a rolled-back one never
 * does. A worker then POSTs it, signed, until the merchant answers 2xx or the published schedule is
 * exhausted, recording every attempt.
 */
@Injectable()
export class MerchantNotifications {
  private readonly log: PaylabLogger;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(WEBHOOK_SETTINGS) private readonly settings: WebhookSettings,
    private readonly targets: WebhookTargets,
    @Inject(ROOT_LOGGER) logger: PaylabLogger,
  ) {
    this.log = logger.child({ component: 'merchant-webhooks' });
  }

  /**
   * Queues a webhook to the order's notifyUrl, else the app's webhook URL; with neither, the
   * merchant asked for no webhooks and nothing is queued (undefined). Refund webhooks go to the
   * same place as their payment's, as Alipay and WeChat Pay send refund notices to the merchant's
   * notify address.
   */
  async enqueue(manager: EntityManager, webhook: WebhookToQueue): Promise<string | undefined> {
    let url = webhook.notifyUrl;
    if (url === undefined) {
      const app = await manager.getRepository(MerchantAppEntity).findOneBy({ id: webhook.appId });
      url = app?.webhookUrl ?? undefined;
    }
    if (url === undefined || url === '') return undefined;
    return this.insert(manager, {
      subject: { paymentId: webhook.paymentId, settlementId: null },
      merchantId: webhook.merchantId,
      appId: webhook.appId,
      type: webhook.type,
      url,
      data: webhook.data,
    });
  }

  /**
   * Queues a settlement webhook to every active app of the merchant that has a webhook URL, each
   * signed with that app's secret: a settlement belongs to the merchant, not to one app. Apps
   * without a URL asked for no webhooks. Returns the notification ids (empty when none).
   */
  async enqueueForMerchant(
    manager: EntityManager,
    webhook: SettlementWebhookToQueue,
  ): Promise<string[]> {
    const apps = await manager
      .getRepository(MerchantAppEntity)
      .createQueryBuilder('app')
      .where("app.merchant_id = :merchantId AND app.status = 'ACTIVE'", {
        merchantId: webhook.merchantId,
      })
      .andWhere("app.webhook_url IS NOT NULL AND app.webhook_url <> ''")
      .orderBy('app.id', 'ASC')
      .getMany();
    const ids: string[] = [];
    for (const app of apps) {
      ids.push(
        await this.insert(manager, {
          subject: { paymentId: null, settlementId: webhook.settlementId },
          merchantId: webhook.merchantId,
          appId: app.id,
          type: webhook.type,
          url: app.webhookUrl!,
          data: webhook.data,
        }),
      );
    }
    return ids;
  }

  private async insert(
    manager: EntityManager,
    notification: {
      subject: { paymentId: string | null; settlementId: string | null };
      merchantId: string;
      appId: string;
      type: NotificationEventType;
      url: string;
      data: WebhookBody['data'];
    },
  ): Promise<string> {
    const now = new Date();
    const id = newId('ntf', now.getTime());
    const body: WebhookBody = {
      id,
      type: notification.type,
      createdAt: now.toISOString(),
      data: notification.data,
    };
    await manager.insert(MerchantNotificationEntity, {
      id,
      paymentId: notification.subject.paymentId,
      settlementId: notification.subject.settlementId,
      merchantId: notification.merchantId,
      appId: notification.appId,
      eventType: notification.type,
      url: notification.url,
      body: JSON.stringify(body),
      status: 'PENDING',
      attemptCount: 0,
      nextAttemptAt: now,
      lastResponseStatus: null,
      lastError: null,
      createdAt: now,
      deliveredAt: null,
    });
    return id;
  }

  /**
   * One worker pass: claims up to `limit` due notifications and attempts each. Returns how many
   * it claimed, so the worker goes again at once after a full batch.
   */
  async deliverDue(limit: number): Promise<number> {
    const claimed = await this.claimDue(limit);
    await Promise.all(claimed.map((notification) => this.attempt(notification)));
    return claimed.length;
  }

  async listForPayment(merchantId: string, paymentId: string): Promise<NotificationView[]> {
    const rows = await this.dataSource
      .getRepository(MerchantNotificationEntity)
      .find({ where: { merchantId, paymentId }, order: { createdAt: 'ASC', id: 'ASC' } });
    if (rows.length === 0) return [];
    const attempts = await this.dataSource
      .getRepository(MerchantNotificationAttemptEntity)
      .createQueryBuilder('attempt')
      .where('attempt.notification_id IN (:...ids)', { ids: rows.map((row) => row.id) })
      .orderBy('attempt.attempt_no', 'ASC')
      .getMany();
    return rows.map((row) => ({
      id: row.id,
      type: row.eventType,
      url: row.url,
      status: row.status,
      attemptCount: row.attemptCount,
      nextAttemptAt: row.nextAttemptAt?.toISOString() ?? null,
      lastResponseStatus: row.lastResponseStatus,
      createdAt: row.createdAt.toISOString(),
      deliveredAt: row.deliveredAt?.toISOString() ?? null,
      attempts: attempts
        .filter((attempt) => attempt.notificationId === row.id)
        .map((attempt) => ({
          attemptNo: attempt.attemptNo,
          attemptedAt: attempt.attemptedAt.toISOString(),
          durationMs: attempt.durationMs,
          responseStatus: attempt.responseStatus,
          error: attempt.error,
          outcome: attempt.outcome,
          nextAttemptAt: attempt.nextAttemptAt?.toISOString() ?? null,
        })),
    }));
  }

  /**
   * SKIP LOCKED lets replicas claim disjoint rows; pushing next_attempt_at out by a lease keeps
   * the row theirs after this short transaction commits, while the HTTP call runs outside any
   * transaction. A replica that dies mid-attempt loses the lease and the row is tried again.
   */
  private async claimDue(limit: number): Promise<ClaimedNotification[]> {
    return this.dataSource.transaction(async (manager) => {
      const now = new Date();
      const rows = await manager
        .getRepository(MerchantNotificationEntity)
        .createQueryBuilder('notification')
        .where("notification.status = 'PENDING' AND notification.next_attempt_at <= :now", { now })
        .orderBy('notification.next_attempt_at', 'ASC')
        .limit(limit)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      if (rows.length === 0) return [];
      const leaseUntil = new Date(now.getTime() + this.settings.timeoutMs + LEASE_MARGIN_MS);
      await manager
        .createQueryBuilder()
        .update(MerchantNotificationEntity)
        .set({ nextAttemptAt: leaseUntil })
        .whereInIds(rows.map((row) => row.id))
        .execute();
      const apps = await manager
        .getRepository(MerchantAppEntity)
        .createQueryBuilder('app')
        .where('app.id IN (:...ids)', { ids: [...new Set(rows.map((row) => row.appId))] })
        .getMany();
      const secretOf = new Map(apps.map((app) => [app.id, app.signingSecret]));
      return rows.map((row) => ({ row, secret: secretOf.get(row.appId)! }));
    });
  }

  private async attempt({ row, secret }: ClaimedNotification): Promise<void> {
    const result = await this.post(row, secret);
    const attemptNo = row.attemptCount + 1;
    const delivered = result.responseStatus !== null && isAcknowledged(result.responseStatus);
    const finishedAt = new Date(result.attemptedAt.getTime() + result.durationMs);
    // A refused destination is a policy answer, not a transient failure: retrying cannot help.
    const nextAttemptAt =
      delivered || result.refused
        ? undefined
        : nextAttemptAfterFailure(attemptNo, finishedAt, this.settings.timeScale);
    const outcome: AttemptOutcome = delivered
      ? 'DELIVERED'
      : result.refused
        ? 'REFUSED'
        : nextAttemptAt
          ? 'RETRY_SCHEDULED'
          : 'GAVE_UP';
    await this.dataSource.transaction(async (manager) => {
      // The attempt count is the claim's version: if the lease ran out and another replica took
      // the row over meanwhile, this result is not recorded twice.
      const updated = await manager
        .createQueryBuilder()
        .update(MerchantNotificationEntity)
        .set({
          status: delivered ? 'DELIVERED' : nextAttemptAt ? 'PENDING' : 'FAILED',
          attemptCount: attemptNo,
          nextAttemptAt: nextAttemptAt ?? null,
          lastResponseStatus: result.responseStatus,
          lastError: result.error,
          deliveredAt: delivered ? finishedAt : null,
        })
        .where("id = :id AND attempt_count = :claimed AND status = 'PENDING'", {
          id: row.id,
          claimed: row.attemptCount,
        })
        .execute();
      if (updated.affected !== 1) {
        this.log.warn(
          { notificationId: row.id, attemptNo },
          'notification taken over; attempt not recorded',
        );
        return;
      }
      await manager.insert(MerchantNotificationAttemptEntity, {
        notificationId: row.id,
        attemptNo,
        attemptedAt: result.attemptedAt,
        durationMs: result.durationMs,
        responseStatus: result.responseStatus,
        error: result.error,
        outcome,
        nextAttemptAt: nextAttemptAt ?? null,
      });
    });
    const fields = {
      notificationId: row.id,
      paymentId: row.paymentId ?? undefined,
      settlementId: row.settlementId ?? undefined,
      attemptNo,
      responseStatus: result.responseStatus,
      error: result.error,
      nextAttemptAt: nextAttemptAt?.toISOString(),
    };
    if (outcome === 'DELIVERED') this.log.info(fields, 'merchant webhook delivered');
    else if (outcome === 'REFUSED') this.log.warn(fields, 'merchant webhook refused: address');
    else if (outcome === 'GAVE_UP') this.log.error(fields, 'merchant webhook given up');
    else this.log.warn(fields, 'merchant webhook failed; retry scheduled');
  }

  private async post(row: MerchantNotificationEntity, secret: string): Promise<AttemptResult> {
    const attemptedAt = new Date();
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      // Checked again now, after DNS: the URL was fine when set, the name may not be any more.
      const destination = await this.targets.forDelivery(row.url);
      if (!destination.allowed) {
        return {
          attemptedAt,
          durationMs: elapsed(),
          responseStatus: null,
          error: `refused, not sent: ${destination.reason}`.slice(0, 500),
          refused: true,
        };
      }
      const response = await postPinned(
        destination.target,
        {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'PayLab-Webhooks/1.0',
          [WEBHOOK_SIGNATURE_HEADER]: signWebhook(secret, row.body, attemptedAt),
          [WEBHOOK_NOTIFICATION_ID_HEADER]: row.id,
        },
        row.body,
        this.settings.timeoutMs,
      );
      return { attemptedAt, durationMs: elapsed(), responseStatus: response.status, error: null };
    } catch (error) {
      return { attemptedAt, durationMs: elapsed(), responseStatus: null, error: describe(error) };
    }
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error).slice(0, 500);
  const cause = (error as { cause?: unknown }).cause;
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  return `${error.name}: ${error.message}${detail}`.slice(0, 500);
}
