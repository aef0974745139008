import { Injectable } from '@nestjs/common';
import type { TradeEntity } from '../alipay/trade.entity';
import type { NotificationChannel } from '../notifications/notification-channel';
import { encryptResource } from './domain/aes-gcm';
import { formatRfc3339Shanghai } from './domain/native-order';
import { isWechatNotifyAcknowledged, nextWechatNotifyDelayMs } from './domain/notify-schedule';
import { newNonce, platformSignatureHeaders } from './domain/v3-signature';
import type { RefundEntity } from '../refunds/refund.entity';
import { refundStateAt } from '../refunds/domain/refund';
import { refundJsonOf, transactionOf } from './wechat-pay-trades.service';
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

  request(
    trade: TradeEntity,
    notifyId: string,
    refund: RefundEntity | null,
  ): { headers: Record<string, string>; body: string } {
    const merchant = findWechatPayMerchant(trade.merchantAccount);
    if (!merchant) throw new Error(`unknown WeChat Pay merchant ${trade.merchantAccount}`);
    const event = refund ? refundEventOf(refund, trade) : paymentEventOf(trade);
    const associatedData = event.originalType;
    // A fresh 12-character nonce per attempt: GCM must never reuse a (key, iv) pair.
    const nonce = newNonce().slice(0, 12);
    const body = JSON.stringify({
      id: notifyId,
      create_time: formatRfc3339Shanghai(event.at),
      resource_type: 'encrypt-resource',
      event_type: event.type,
      summary: event.summary,
      resource: {
        original_type: event.originalType,
        algorithm: 'AEAD_AES_256_GCM',
        ciphertext: encryptResource(
          JSON.stringify(event.plaintext),
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

interface NotificationEvent {
  type: string;
  summary: string;
  originalType: 'transaction' | 'refund';
  at: Date;
  plaintext: Record<string, unknown>;
}

function paymentEventOf(trade: TradeEntity): NotificationEvent {
  return {
    type: 'TRANSACTION.SUCCESS',
    summary: '支付成功',
    originalType: 'transaction',
    at: trade.paidAt ?? new Date(),
    plaintext: transactionOf(trade),
  };
}

/**
 * A refund notification (退款结果通知): REFUND.SUCCESS or REFUND.ABNORMAL, its resource the
 * refund's fields (refund_status rather than status). Sent when the refund's result is due.
 */
function refundEventOf(refund: RefundEntity, trade: TradeEntity): NotificationEvent {
  const now = new Date();
  const state = refundStateAt(refund, now);
  const json = refundJsonOf(refund, trade, now);
  const amount = json.amount as Record<string, unknown>;
  return {
    type: state === 'SUCCESS' ? 'REFUND.SUCCESS' : 'REFUND.ABNORMAL',
    summary: state === 'SUCCESS' ? '退款成功' : '退款异常',
    originalType: 'refund',
    at: refund.completesAt,
    plaintext: {
      mchid: trade.merchantAccount,
      out_trade_no: trade.outTradeNo,
      transaction_id: trade.tradeNo,
      out_refund_no: refund.outRefundNo,
      refund_id: refund.refundNo,
      refund_status: state,
      ...(state === 'SUCCESS' ? { success_time: json.success_time } : {}),
      user_received_account: json.user_received_account,
      amount: {
        total: amount.total,
        refund: amount.refund,
        payer_total: amount.payer_total,
        payer_refund: amount.payer_refund,
      },
    },
  };
}
