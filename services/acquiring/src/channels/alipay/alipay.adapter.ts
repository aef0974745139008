import { AlipaySdk } from 'alipay-sdk';
import {
  ChannelError,
  type CallbackReplies,
  type ChannelAdapter,
  type ChannelCallback,
  type ChannelRefundRequest,
  type ChannelRefundResult,
  type ChannelStatement,
  type ChannelTradeSnapshot,
  type ChargeRequest,
  type ChargeResult,
  type RawCallbackRequest,
} from '../channel-adapter';
import {
  type GatewayResult,
  gatewayFailure,
  isTradeNotExist,
  MAX_ALIPAY_AMOUNT_FEN,
  NOT_EXISTING_TRADE,
  parseNotification,
  parseNotificationBody,
  refundQueryResultOf,
  refundResultOf,
  snapshotOfQuery,
  timeExpireOf,
} from './domain/alipay-protocol';

export interface AlipayAdapterSettings {
  /** The full gateway URL, e.g. https://openapi.alipay.com/gateway.do or the sandbox's. */
  gatewayUrl: string;
  appId: string;
  /** PKCS#1 private key of the app, PEM or bare base64. */
  appPrivateKey: string;
  /** Alipay's (here: the sandbox platform's) public key, PEM or bare base64. */
  platformPublicKey: string;
  /** Where Alipay posts notifications: `${PUBLIC_BASE_URL}/callbacks/alipay`. */
  notifyUrl: string;
  timeoutMs?: number;
}

const STATEMENT_DOWNLOAD_TIMEOUT_MS = 15_000;

/**
 * Alipay through the official alipay-sdk, unchanged: only the gateway URL and the keys are
 * configuration, so pointing at the real Alipay is a config change. Every call verifies the
 * gateway's response signature (`validateSign: true`, off by default in the SDK).
 */
export class AlipayAdapter implements ChannelAdapter {
  readonly channel = 'ALIPAY' as const;
  /** Alipay wants the bare word `success`; anything else makes it re-send on its schedule. */
  readonly callbackReplies: CallbackReplies = {
    successStatus: 200,
    success: 'success',
    successContentType: 'text/plain; charset=utf-8',
    failure: () => 'fail',
    failureContentType: 'text/plain; charset=utf-8',
    // The signature is a field of the form body, which is stored whole.
    auditHeaders: [],
  };
  private readonly sdk: AlipaySdk;

  constructor(private readonly settings: AlipayAdapterSettings) {
    this.sdk = new AlipaySdk({
      appId: settings.appId,
      privateKey: settings.appPrivateKey,
      keyType: 'PKCS1',
      alipayPublicKey: settings.platformPublicKey,
      gateway: settings.gatewayUrl,
      signType: 'RSA2',
      timeout: settings.timeoutMs ?? 5_000,
    });
  }

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    if (request.amount.currency !== 'CNY' || request.amount.amountMinor > MAX_ALIPAY_AMOUNT_FEN) {
      throw new ChannelError(
        'CHANNEL.REJECTED',
        'Alipay takes CNY amounts of at most 100000000.00 yuan.',
        'ACQ.TOTAL_FEE_EXCEED',
      );
    }
    const method = 'alipay.trade.precreate';
    const result = await this.exec(method, {
      notifyUrl: this.settings.notifyUrl,
      bizContent: {
        outTradeNo: request.outTradeNo,
        totalAmount: request.amount.toDecimalString(),
        subject: request.subject,
        timeExpire: timeExpireOf(request.expiresAt),
      },
    });
    if (result.code !== '10000') throw gatewayFailure(method, result);
    if (typeof result.qrCode !== 'string' || result.qrCode === '') {
      throw new ChannelError('CHANNEL.INVALID_RESPONSE', `${method} answered without a qr_code.`);
    }
    return {
      qrPayload: result.qrCode,
      channelOrderNo:
        typeof result.outTradeNo === 'string' ? result.outTradeNo : request.outTradeNo,
    };
  }

  async query(outTradeNo: string): Promise<ChannelTradeSnapshot> {
    const method = 'alipay.trade.query';
    const result = await this.exec(method, { bizContent: { outTradeNo } });
    if (isTradeNotExist(result)) return NOT_EXISTING_TRADE;
    if (result.code !== '10000') throw gatewayFailure(method, result);
    if (result.outTradeNo !== outTradeNo) {
      throw new ChannelError('CHANNEL.INVALID_RESPONSE', `${method} answered about another trade.`);
    }
    return snapshotOfQuery(result);
  }

  async close(outTradeNo: string): Promise<void> {
    const method = 'alipay.trade.close';
    const result = await this.exec(method, { bizContent: { outTradeNo } });
    // Nobody scanned the QR, so Alipay never opened the trade: there is nothing to close.
    if (isTradeNotExist(result)) return;
    if (result.code !== '10000') throw gatewayFailure(method, result);
  }

  async refund(request: ChannelRefundRequest): Promise<ChannelRefundResult> {
    if (request.amount.currency !== 'CNY') {
      return {
        status: 'FAILED',
        channelRefundNo: null,
        channelTradeNo: null,
        refundedAt: null,
        failureCode: 'ACQ.INVALID_PARAMETER',
        failureMessage: 'Alipay refunds CNY only.',
      };
    }
    const result = await this.exec('alipay.trade.refund', {
      bizContent: {
        outTradeNo: request.outTradeNo,
        refundAmount: request.amount.toDecimalString(),
        // Idempotency key at Alipay: the same out_request_no never refunds twice.
        outRequestNo: request.outRefundNo,
        ...(request.reason ? { refundReason: request.reason } : {}),
      },
    });
    return refundResultOf(result, request.outRefundNo);
  }

  async queryRefund(outTradeNo: string, outRefundNo: string): Promise<ChannelRefundResult> {
    const result = await this.exec('alipay.trade.fastpay.refund.query', {
      bizContent: { outTradeNo, outRequestNo: outRefundNo },
    });
    return refundQueryResultOf(result, outRefundNo);
  }

  async verifyCallback(raw: RawCallbackRequest): Promise<ChannelCallback> {
    if (!/^application\/x-www-form-urlencoded\b/i.test(raw.contentType)) {
      throw new ChannelError('CALLBACK.MALFORMED', 'An Alipay notification is a form post.');
    }
    const fields = parseNotificationBody(raw.body);
    let verified = false;
    try {
      verified = this.sdk.checkNotifySignV2(fields);
    } catch {
      // An unknown sign_type or a sign that is not base64 makes the SDK throw: not verified.
      verified = false;
    }
    if (!verified) {
      throw new ChannelError(
        'CALLBACK.BAD_SIGNATURE',
        "The notification's signature does not verify with Alipay's public key.",
      );
    }
    return { kind: 'PAYMENT', ...parseNotification(fields, this.settings.appId) };
  }

  async downloadStatement(businessDate: string): Promise<ChannelStatement> {
    const method = 'alipay.data.dataservice.bill.downloadurl.query';
    const result = await this.exec(method, {
      bizContent: { billType: 'trade', billDate: businessDate },
    });
    if (result.code !== '10000') throw gatewayFailure(method, result);
    if (typeof result.billDownloadUrl !== 'string') {
      throw new ChannelError('CHANNEL.INVALID_RESPONSE', `${method} answered without a URL.`);
    }
    let response: Response;
    try {
      response = await fetch(result.billDownloadUrl, {
        signal: AbortSignal.timeout(STATEMENT_DOWNLOAD_TIMEOUT_MS),
      });
    } catch (error) {
      throw new ChannelError(
        'CHANNEL.UNAVAILABLE',
        `The Alipay statement download failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (!response.ok) {
      throw new ChannelError(
        'CHANNEL.UNAVAILABLE',
        `The Alipay statement download answered HTTP ${response.status}.`,
      );
    }
    // The real bill is a .csv.zip of GBK files; the sandbox serves the 业务明细 CSV itself.
    // Either way the bytes are passed on untouched: reconciliation parses them.
    return {
      format: 'ALIPAY_CSV',
      contentType: response.headers.get('content-type') ?? 'text/csv; charset=GBK',
      fileName: `alipay_${businessDate.replaceAll('-', '')}_trade.csv`,
      content: Buffer.from(await response.arrayBuffer()),
    };
  }

  /** One gateway call; transport and signature failures become ChannelErrors. */
  private async exec(method: string, params: Record<string, unknown>): Promise<GatewayResult> {
    try {
      return (await this.sdk.exec(method, params, { validateSign: true })) as GatewayResult;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (message.includes('验签')) {
        throw new ChannelError(
          'CHANNEL.INVALID_RESPONSE',
          `The ${method} response signature does not verify with Alipay's public key.`,
        );
      }
      throw new ChannelError('CHANNEL.UNAVAILABLE', `${method} failed: ${message}`);
    }
  }
}
