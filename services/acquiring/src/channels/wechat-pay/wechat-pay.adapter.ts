import type { KeyObject } from 'node:crypto';
import { privateKeyOf, publicKeyOf } from '@paylab/platform';
import { Wechatpay } from 'wechatpay-axios-plugin';
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
  type CallFailure,
  failureOf,
  failureReply,
  isOrderNotExist,
  matchesSha1,
  nativeOrderBody,
  type NotificationKeys,
  isRefundNotExist,
  type Operation,
  readCallback,
  readTradeBillGrant,
  refundBody,
  refundRefusalOf,
  refundResultOfJson,
  snapshotOfQuery,
  type WechatPayIdentity,
} from './domain/wechat-pay-protocol';

export interface WechatPayAdapterSettings {
  /** The API root with a trailing path as needed: https://api.mch.weixin.qq.com/ or the sandbox's /wechatpay/. */
  baseUrl: string;
  mchid: string;
  appid: string;
  /** Serial of the merchant API certificate (商户API证书序列号), sent in Authorization. */
  merchantSerial: string;
  /** The merchant API private key (apiclient_key.pem), PEM or bare base64 (PKCS#8). */
  merchantPrivateKey: string;
  /** The platform certificate serial (or PUB_KEY_ID_…) and its public key, PEM or bare base64 SPKI. */
  platformSerial: string;
  platformPublicKey: string;
  /** The APIv3 key (APIv3密钥), 32 bytes: decrypts notification resources. */
  apiV3Key: string;
  /** Where WeChat Pay posts notifications: `${PUBLIC_BASE_URL}/callbacks/wechat-pay`. */
  notifyUrl: string;
  timeoutMs?: number;
}

const STATEMENT_DOWNLOAD_TIMEOUT_MS = 15_000;

/** What an axios error carries, as far as this adapter reads it. */
interface AxiosLikeError {
  code?: unknown;
  message?: unknown;
  response?: { status?: unknown; data?: unknown };
}

/**
 * WeChat Pay API v3 (Native, 扫码支付) through wechatpay-axios-plugin, unchanged: the plugin signs
 * every request with the merchant key and verifies every 2xx answer with the platform key
 * (signature and ±300 s timestamp). Only the base URL and the keys are configuration, so
 * pointing at the real WeChat Pay is a config change. Notifications are verified here, on the
 * raw body, because the plugin has no notification handling of its own.
 */
export class WechatPayAdapter implements ChannelAdapter {
  readonly channel = 'WECHAT_PAY' as const;
  /** WeChat Pay wants 204 with no body; any other answer makes it re-send on its schedule. */
  readonly callbackReplies: CallbackReplies = {
    successStatus: 204,
    success: '',
    successContentType: 'application/json; charset=utf-8',
    failure: failureReply,
    failureContentType: 'application/json; charset=utf-8',
    auditHeaders: [
      'wechatpay-timestamp',
      'wechatpay-nonce',
      'wechatpay-signature',
      'wechatpay-serial',
      'wechatpay-signature-type',
    ],
  };
  private readonly client: Wechatpay;
  private readonly identity: WechatPayIdentity;
  private readonly notificationKeys: NotificationKeys;

  constructor(private readonly settings: WechatPayAdapterSettings) {
    const platformPublicKey: KeyObject = publicKeyOf(settings.platformPublicKey);
    this.client = new Wechatpay({
      mchid: settings.mchid,
      serial: settings.merchantSerial,
      // The plugin's typings take PEM text; parsing first fails fast on a bad key.
      privateKey: privateKeyOf(settings.merchantPrivateKey).export({
        type: 'pkcs8',
        format: 'pem',
      }) as string,
      certs: { [settings.platformSerial]: platformPublicKey },
      baseURL: settings.baseUrl.endsWith('/') ? settings.baseUrl : `${settings.baseUrl}/`,
      timeout: settings.timeoutMs ?? 5_000,
    });
    this.identity = { mchid: settings.mchid, appid: settings.appid };
    this.notificationKeys = {
      platformSerial: settings.platformSerial,
      platformPublicKey,
      apiV3Key: settings.apiV3Key,
    };
  }

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    if (request.amount.currency !== 'CNY') {
      throw new ChannelError(
        'CHANNEL.REJECTED',
        'WeChat Pay Native takes CNY only.',
        'PARAM_ERROR',
      );
    }
    const data = await this.call('native', () =>
      this.client.v3.pay.transactions.native.post(
        nativeOrderBody(request, this.identity, this.settings.notifyUrl),
      ),
    );
    const codeUrl = (data as { code_url?: unknown } | null)?.code_url;
    if (typeof codeUrl !== 'string' || codeUrl === '') {
      throw new ChannelError(
        'CHANNEL.INVALID_RESPONSE',
        'WeChat Pay native answered without a code_url.',
      );
    }
    // Native orders have no channel number until paid; the order is known by out_trade_no.
    return { qrPayload: codeUrl, channelOrderNo: request.outTradeNo };
  }

  async query(outTradeNo: string): Promise<ChannelTradeSnapshot> {
    const data = await this.call(
      'query',
      () =>
        this.client.v3.pay.transactions.outTradeNo.$out_trade_no$.get({
          params: { mchid: this.settings.mchid },
          out_trade_no: outTradeNo,
        } as Record<string, unknown>),
      (failure) => (isOrderNotExist(failure) ? NOT_EXISTING : undefined),
    );
    if (data === NOT_EXISTING) {
      return { exists: false, status: 'PENDING', channelTradeNo: null, amount: null, paidAt: null };
    }
    return snapshotOfQuery(data, this.identity, outTradeNo);
  }

  async close(outTradeNo: string): Promise<void> {
    await this.call(
      'close',
      () =>
        this.client.v3.pay.transactions.outTradeNo.$out_trade_no$.close.post(
          { mchid: this.settings.mchid },
          { out_trade_no: outTradeNo } as Record<string, unknown>,
        ),
      // An order the channel never had: nothing to close.
      (failure) => (isOrderNotExist(failure) ? NOT_EXISTING : undefined),
    );
  }

  async verifyCallback(raw: RawCallbackRequest): Promise<ChannelCallback> {
    return readCallback(raw, this.notificationKeys, this.identity, new Date());
  }

  async refund(request: ChannelRefundRequest): Promise<ChannelRefundResult> {
    if (request.amount.currency !== 'CNY' || request.total.currency !== 'CNY') {
      return {
        status: 'FAILED',
        channelRefundNo: null,
        channelTradeNo: null,
        refundedAt: null,
        failureCode: 'PARAM_ERROR',
        failureMessage: 'WeChat Pay refunds CNY only.',
      };
    }
    const data = await this.call(
      'refund',
      () =>
        this.client.v3.refund.domestic.refunds.post(refundBody(request, this.settings.notifyUrl)),
      (failure) => {
        const refusal = refundRefusalOf(failure);
        return refusal ? new Refused(refusal) : undefined;
      },
    );
    if (data instanceof Refused) return data.result;
    return refundResultOfJson(data, request.outRefundNo);
  }

  async queryRefund(_outTradeNo: string, outRefundNo: string): Promise<ChannelRefundResult> {
    const data = await this.call(
      'refund-query',
      () =>
        this.client.v3.refund.domestic.refunds.$out_refund_no$.get({
          out_refund_no: outRefundNo,
        } as Record<string, unknown>),
      (failure) => (isRefundNotExist(failure) ? NOT_EXISTING : undefined),
    );
    if (data === NOT_EXISTING) {
      return { status: 'NOT_FOUND', channelRefundNo: null, channelTradeNo: null, refundedAt: null };
    }
    return refundResultOfJson(data, outRefundNo);
  }

  async downloadStatement(businessDate: string): Promise<ChannelStatement> {
    const grant = readTradeBillGrant(
      await this.call('tradebill', () =>
        this.client.v3.bill.tradebill.get({
          params: { bill_date: businessDate, bill_type: 'ALL' },
        }),
      ),
    );
    // The file itself is unsigned (the plugin skips verification for this exact relative
    // path); its integrity comes from the SHA1 in the signed tradebill answer.
    const file = await this.call('billdownload', () =>
      this.client.v3.billdownload.file.get({
        params: grant.params,
        responseType: 'arraybuffer',
        timeout: STATEMENT_DOWNLOAD_TIMEOUT_MS,
      }),
    );
    const content = Buffer.from(file as ArrayBuffer);
    if (!matchesSha1(content, grant.hashValue)) {
      throw new ChannelError(
        'CHANNEL.INVALID_RESPONSE',
        'The WeChat Pay bill does not match the SHA1 hash_value of the tradebill answer.',
      );
    }
    return {
      format: 'WECHAT_BILL',
      contentType: 'text/csv; charset=utf-8',
      fileName: `wechatpay_${businessDate.replaceAll('-', '')}_tradebill.csv`,
      content,
    };
  }

  /**
   * One API call; its data on success. A failure becomes a ChannelError, unless `tolerate`
   * turns it into a value (e.g. ORDER_NOT_EXIST on query).
   */
  private async call(
    operation: Operation,
    send: () => Promise<{ data: unknown }>,
    tolerate?: (failure: CallFailure) => unknown,
  ): Promise<unknown> {
    try {
      return (await send()).data;
    } catch (error) {
      const failure = callFailureOf(error);
      const tolerated = tolerate?.(failure);
      if (tolerated !== undefined) return tolerated;
      throw failureOf(operation, failure);
    }
  }
}

const NOT_EXISTING = Symbol('ORDER_NOT_EXIST');

/** A refund request WeChat Pay refused for good, already read as a FAILED result. */
class Refused {
  constructor(readonly result: ChannelRefundResult) {}
}

/** Reads an axios error: its status, the plugin's EV3_ code, WeChat Pay's error body. */
function callFailureOf(error: unknown): CallFailure {
  const failure = (error ?? {}) as AxiosLikeError;
  const message = typeof failure.message === 'string' ? failure.message : String(error);
  const status = typeof failure.response?.status === 'number' ? failure.response.status : undefined;
  const verifierCode =
    typeof failure.code === 'string' && failure.code.startsWith('EV3_') ? failure.code : undefined;
  let body = failure.response?.data;
  if (body instanceof ArrayBuffer || Buffer.isBuffer(body)) {
    body = Buffer.from(body as ArrayBuffer).toString('utf8');
  }
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      // not a WeChat Pay error body
    }
  }
  const wechat = (body ?? {}) as { code?: unknown; message?: unknown };
  return {
    status,
    verifierCode,
    wechatCode: typeof wechat.code === 'string' ? wechat.code : undefined,
    message: typeof wechat.message === 'string' ? wechat.message : message,
  };
}
