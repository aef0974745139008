import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { BackgroundWorker, type PaylabLogger, ROOT_LOGGER } from '@paylab/platform';
import type { DataSource } from 'typeorm';
import { BankPayoutEntity } from './bank-payout.entity';
import { BANK_SANDBOX_SETTINGS, BANK_SIGNING_KEY, type BankSandboxSettings } from './bank.settings';
import { bankSignatureHeaders, NOTIFICATION_SUBJECT } from './domain/bank-signature';
import { isBankNotifyAcknowledged, nextBankNotifyDelayMs } from './domain/payout';

/** A claimed attempt stays reserved this long; a crash mid-send makes it due again after it. */
const CLAIM_LEASE_MS = 60_000;
const SEND_TIMEOUT_MS = 10_000;
const BATCH_SIZE = 20;

interface DueNotification {
  id: string;
  bank_txn_no: string;
  notify_url: string;
  notify_id: string;
  attempts: number;
}

/** The body of a payout result notification (代付结果通知), signed with the bank's key. */
export function payoutNotificationBody(payout: BankPayoutEntity, notifyId: string): string {
  const failed = payout.status === 'FAILED';
  return JSON.stringify({
    notifyId,
    notifyType: 'PAYOUT_RESULT',
    requestNo: payout.requestNo,
    bankTxnNo: payout.bankTxnNo,
    status: payout.status,
    amountMinor: payout.amountMinor,
    currency: payout.currency,
    failureCode: failed ? payout.failureCode : null,
    failureMessage: failed ? payout.failureMessage : null,
    finishedAt: payout.finishedAt?.toISOString() ?? null,
  });
}

/**
 * Sends the bank's payout result notifications and re-sends them on the bank's schedule
 * (scaled by CALLBACK_TIME_SCALE) until the client answers 2xx — the same claim-with-a-lease,
 * send-outside-any-transaction, record-the-outcome loop as the channels' NotificationWorker,
 * over the bank's own table.
 */
@Injectable()
export class BankNotificationWorker extends BackgroundWorker {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(BANK_SANDBOX_SETTINGS) private readonly settings: BankSandboxSettings,
    @Inject(ROOT_LOGGER) private readonly logger: PaylabLogger,
  ) {
    super('sandbox-bank-notifications', settings.pollIntervalMs, logger);
  }

  protected async runPass(): Promise<boolean> {
    await this.pass();
    return false;
  }

  async pass(): Promise<void> {
    const due: DueNotification[] = await this.dataSource.query(
      `WITH "claimed" AS (
         UPDATE "bank_notifications"
         SET "next_attempt_at" = now() + ($1::float8 * interval '1 millisecond')
         WHERE "id" IN (
           SELECT "id" FROM "bank_notifications"
           WHERE "status" = 'PENDING' AND "next_attempt_at" <= now()
           ORDER BY "next_attempt_at", "id" LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING "id", "bank_txn_no", "notify_url", "notify_id", "attempts")
       SELECT * FROM "claimed"`,
      [CLAIM_LEASE_MS, BATCH_SIZE],
    );
    await Promise.all(
      due.map((notification) =>
        this.deliver(notification).catch((error: unknown) =>
          this.logger.error(
            { err: error, notificationId: notification.id },
            'bank notification failed',
          ),
        ),
      ),
    );
  }

  private async deliver(notification: DueNotification): Promise<void> {
    const payout = await this.dataSource
      .getRepository(BankPayoutEntity)
      .findOneByOrFail({ bankTxnNo: notification.bank_txn_no });
    const body = payoutNotificationBody(payout, notification.notify_id);
    let result: string;
    let acknowledged = false;
    try {
      const response = await fetch(notification.notify_url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'X-Bank-Notify-Id': notification.notify_id,
          ...bankSignatureHeaders('NOTIFY', NOTIFICATION_SUBJECT, body, BANK_SIGNING_KEY),
        },
        body,
        signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
        redirect: 'manual',
      });
      const answer = await response.text();
      acknowledged = isBankNotifyAcknowledged(response.status);
      result = `HTTP ${response.status}: ${answer.slice(0, 200)}`;
    } catch (error) {
      result = `not delivered: ${error instanceof Error ? error.message : String(error)}`;
    }
    const attempts = notification.attempts + 1;
    const delay = acknowledged
      ? null
      : nextBankNotifyDelayMs(attempts, this.settings.callbackTimeScale);
    const status = acknowledged ? 'DELIVERED' : delay === null ? 'GAVE_UP' : 'PENDING';
    await this.dataSource.query(
      `UPDATE "bank_notifications" SET "attempts" = $2, "status" = $3::text,
         "last_attempt_at" = now(), "last_result" = $4,
         "delivered_at" = CASE WHEN $3::text = 'DELIVERED' THEN now() END,
         "next_attempt_at" = now() + ($5::float8 * interval '1 millisecond')
       WHERE "id" = $1`,
      [notification.id, attempts, status, result, delay ?? 0],
    );
    this.logger.info(
      {
        bankTxnNo: payout.bankTxnNo,
        requestNo: payout.requestNo,
        notifyId: notification.notify_id,
        attempts,
        status,
        result,
      },
      'bank notification attempt',
    );
  }
}
