import { Injectable } from '@nestjs/common';
import type { TradeEntity } from '../alipay/trade.entity';
import type { NotificationChannel } from '../notifications/notification-channel';
import { encryptResource } from './domain/aes-gcm';
import { formatRfc3339Shanghai } from './domain/native-order';
import { isWechatNotifyAcknowledged, nextWechatNotifyDelayMs } from './domain/notify-schedule';
import { newNonce, platformSignatureHeaders } from './domain/v3-signature';
import { transactionOf } from './wechat-pay-trades.service';
import { findWechatPayMerchant, WECHAT_PAY_PLATFORM } from './wechat-pay-merchants';

/**
 * WeChat Pay's payment notification (支付结果通知): JSON whose `resource` is the query-order JSON
 * encrypted with the merchant's APIv3 key (AEAD_AES_256_GCM), the body signed like an API
 * response (Wechatpay-* headers), acknowledged by HTTP 200/204. The shared NotificationWorker
 * stores, sends and retries it.
 */
@Injectable()
export class WechatPayNotificationChannel implements NotificationChannel {
  readonly channel = 'WECHAT_PAY' as const;

  request(trade: TradeEntity, notifyId: string): { headers: Record<string, string>; body: string } {
    const merchant = findWechatPayMerchant(trade.merchantAccount);
    if (!merchant) throw new Error(`unknown WeChat Pay merchant ${trade.merchantAccount}`);
    const associatedData = 'transaction';
    // A fresh 12-character nonce per attempt: GCM must never reuse a (key, iv) pair.
    const nonce = newNonce().slice(0, 12);
    const body = JSON.stringify({
      id: notifyId,
      create_time: formatRfc3339Shanghai(trade.paidAt ?? new Date()),
      resource_type: 'encrypt-resource',
      event_type: 'TRANSACTION.SUCCESS',
      summary: '支付成功',
      resource: {
        original_type: 'transaction',
        algorithm: 'AEAD_AES_256_GCM',
        ciphertext: encryptResource(
          JSON.stringify(transactionOf(trade)),
          merchant.apiV3Key,
          nonce,
          associatedData,
        ),
        associated_data: associatedData,
        nonce,
      },
    });
    return {
      headers: {
        'content-type': 'application/json; charset=utf-8',
        ...platformSignatureHeaders(
          body,
          WECHAT_PAY_PLATFORM.privateKey,
          WECHAT_PAY_PLATFORM.serial,
        ),
      },
      body,
    };
  }

  isAcknowledged(status: number): boolean {
    return isWechatNotifyAcknowledged(status);
  }

  nextDelayMs(attemptsMade: number, timeScale: number): number | null {
    return nextWechatNotifyDelayMs(attemptsMade, timeScale);
  }
}
