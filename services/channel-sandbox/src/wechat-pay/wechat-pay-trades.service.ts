import { asOf } from '../trades/domain/trade-expiry';
import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ALIPAY_SANDBOX_SETTINGS, type AlipaySandboxSettings } from '../alipay/alipay.tokens';
import { issueBillToken, readBillToken } from '../alipay/domain/bill-token';
import {
  compactShanghaiDate,
  formatShanghaiDateTime,
  isCalendarDate,
  shanghaiBusinessDate,
} from '../alipay/domain/shanghai-time';
import { TradeEntity } from '../alipay/trade.entity';
import { RefundRefused, refundStateAt } from '../refunds/domain/refund';
import type { RefundEntity } from '../refunds/refund.entity';
import { TradeRefunds } from '../refunds/trade-refunds.service';
import { closeTrade, qrNotFound, TradePayments } from '../trades/trade-payments.service';
import {
  checkClose,
  formatRfc3339Shanghai,
  formatTransactionId,
  nativeOrderAgain,
  parseNativeOrder,
  tradeStateOf,
} from './domain/native-order';
import { parseRefundRequest } from './domain/refund-request';
import {
  buildWechatTradeBill,
  WECHAT_BILL_TYPES,
  type WechatBillTrade,
  type WechatBillType,
} from './domain/trade-bill';
import { orderNotExist, paramError, WechatPayError } from './domain/wechat-pay-error';
import { WECHAT_PAY_PLATFORM, type WechatPayMerchant } from './wechat-pay-merchants';

/**
 * How long a refund stays PROCESSING with no fault staged: WeChat Pay answers a refund request
 * PROCESSING and tells the result by notification, usually within seconds.
 */
const REFUND_PROCESSING_MS = 1_000;

/** How long a bill download_url works (the real one: about 5 minutes). */
const BILL_URL_TTL_MS = 5 * 60_000;

/** The query-order JSON (查询订单), also the plaintext of a payment notification. */
export type Transaction = Record<string, unknown>;

/** The orders of the simulated WeChat Pay (Native): what the APIv3 endpoints and payer page do. */
@Injectable()
export class WechatPayTrades {
  private readonly billSecret: string;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(ALIPAY_SANDBOX_SETTINGS) private readonly settings: AlipaySandboxSettings,
    private readonly payments: TradePayments,
    private readonly refunds: TradeRefunds,
  ) {
    // Bill tokens only need to be unforgeable by clients; the platform key is a secret they lack.
    this.billSecret = `wechatpay-bill-token:${WECHAT_PAY_PLATFORM.privateKey}`;
  }

  /** POST /v3/pay/transactions/native: a NOTPAY order and the code_url the payer scans. */
  async native(merchant: WechatPayMerchant, body: unknown): Promise<{ code_url: string }> {
    const request = parseNativeOrder(body);
    if (request.mchid !== merchant.mchid) {
      throw paramError('mchid', 'must be the merchant that signed the request');
    }
    if (!merchant.appids.includes(request.appid)) {
      throw new WechatPayError(400, 'APPID_MCHID_NOT_MATCH', 'appid和mchid不匹配');
    }
    const now = new Date();
    const repository = this.dataSource.getRepository(TradeEntity);
    const inserted = await repository
      .createQueryBuilder()
      .insert()
      .values({
        tradeNo: newTransactionId(now),
        channel: 'WECHAT_PAY',
        merchantAccount: merchant.mchid,
        outTradeNo: request.outTradeNo,
        amountMinor: request.totalFen,
        currency: 'CNY',
        status: 'WAIT_BUYER_PAY',
        subject: request.description,
        notifyUrl: request.notifyUrl,
        qrToken: randomBytes(18).toString('base64url'),
        appId: request.appid,
        attach: request.attach,
        expiresAt: request.expiresAt,
        createdAt: now,
        statementFaults: {},
        appliedFaultIds: [],
      })
      .orIgnore()
      .returning(['tradeNo'])
      .execute();
    const trade = await repository.findOneByOrFail({
      channel: 'WECHAT_PAY',
      merchantAccount: merchant.mchid,
      outTradeNo: request.outTradeNo,
    });
    if (inserted.raw.length === 0) {
      nativeOrderAgain(
        {
          status: asOf(trade, now).status,
          amountMinor: trade.amountMinor,
          description: trade.subject ?? '',
        },
        request,
      );
    }
    return { code_url: this.qrUrlOf(trade) };
  }

  /** GET /v3/pay/transactions/out-trade-no/{no} or /id/{transaction_id}. */
  async query(
    merchant: WechatPayMerchant,
    reference: { outTradeNo: string } | { transactionId: string },
  ): Promise<Transaction> {
    const trade = await this.dataSource.getRepository(TradeEntity).findOneBy({
      channel: 'WECHAT_PAY',
      merchantAccount: merchant.mchid,
      ...('outTradeNo' in reference
        ? { outTradeNo: reference.outTradeNo }
        : { tradeNo: reference.transactionId }),
    });
    if (!trade) throw orderNotExist();
    return transactionOf(asOf(trade, new Date()));
  }

  /** POST /v3/pay/transactions/out-trade-no/{no}/close: only an unpaid order; twice is fine. */
  async close(merchant: WechatPayMerchant, outTradeNo: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const trade = await manager
        .getRepository(TradeEntity)
        .createQueryBuilder('trade')
        .setLock('pessimistic_write')
        .where('trade.channel = :channel AND trade.merchant_account = :mchid', {
          channel: 'WECHAT_PAY',
          mchid: merchant.mchid,
        })
        .andWhere('trade.out_trade_no = :outTradeNo', { outTradeNo })
        .getOne();
      if (!trade) throw orderNotExist();
      if (checkClose(trade.status) === 'close') await closeTrade(manager, trade);
    });
  }

  /**
   * POST /v3/refund/domestic/refunds (申请退款): accepted PROCESSING, final after a moment (or
   * after REFUND_RESULT_DELAYED's delay), then the REFUND.SUCCESS / REFUND.ABNORMAL notification
   * is sent. A repeated out_refund_no answers the refund as it stands.
   */
  async refund(merchant: WechatPayMerchant, body: unknown): Promise<RefundJson> {
    const request = parseRefundRequest(body);
    try {
      const { refund, trade } = await this.refunds.refund({
        channel: 'WECHAT_PAY',
        merchantAccount: merchant.mchid,
        reference: { tradeNo: request.transactionId, outTradeNo: request.outTradeNo },
        outRefundNo: request.outRefundNo,
        amountMinor: request.refundFen,
        expectedTotalMinor: request.totalFen,
        reason: request.reason,
        notifyUrl: request.notifyUrl,
        processingMs: REFUND_PROCESSING_MS,
        refusesSynchronously: false,
        newRefundNo: newRefundId,
        newNotifyId: () => randomUUID(),
      });
      return refundJsonOf(refund, trade, new Date());
    } catch (error) {
      if (error instanceof RefundRefused) throw refundRefusal(error);
      throw error;
    }
  }

  /** GET /v3/refund/domestic/refunds/{out_refund_no} (查询单笔退款). */
  async queryRefund(merchant: WechatPayMerchant, outRefundNo: string): Promise<RefundJson> {
    const found = await this.refunds.find('WECHAT_PAY', merchant.mchid, outRefundNo);
    if (!found) throw new WechatPayError(404, 'RESOURCE_NOT_EXISTS', '退款单不存在');
    return refundJsonOf(found.refund, found.trade, new Date());
  }

  /** GET /v3/bill/tradebill: a short-lived download_url and the SHA1 of the file behind it. */
  async tradeBill(
    merchant: WechatPayMerchant,
    query: Record<string, unknown>,
  ): Promise<{ hash_type: 'SHA1'; hash_value: string; download_url: string }> {
    const billDate = query.bill_date;
    if (typeof billDate !== 'string' || !isCalendarDate(billDate)) {
      throw paramError('query.bill_date', 'must be a day YYYY-MM-DD');
    }
    const billType = query.bill_type ?? 'ALL';
    if (typeof billType !== 'string' || !isBillType(billType)) {
      throw paramError('query.bill_type', `must be one of ${WECHAT_BILL_TYPES.join(', ')}`);
    }
    if (query.tar_type !== undefined) {
      throw paramError('query.tar_type', 'the sandbox serves uncompressed bills only');
    }
    // Unlike the real T+1 bill, today's is served too (what is paid so far), so a class can
    // reconcile without waiting a day; a future day has no bill.
    if (billDate > shanghaiBusinessDate(new Date())) {
      throw new WechatPayError(
        400,
        'NO_STATEMENT_EXIST',
        '账单文件不存在 (no bill for that day yet)',
      );
    }
    const file = await this.billFileOf(merchant.mchid, billDate, billType);
    const token = issueBillToken(
      {
        appId: merchant.mchid,
        billDate,
        kind: billType,
        expiresAt: new Date(Date.now() + BILL_URL_TTL_MS),
      },
      this.billSecret,
    );
    return {
      hash_type: 'SHA1',
      // Of the file as served; a payment made on the same day before the download changes it.
      hash_value: createHash('sha1').update(file).digest('hex'),
      download_url: `${this.settings.apiBaseUrl}/wechatpay/v3/billdownload/file?token=${token}`,
    };
  }

  /** GET /v3/billdownload/file?token=: the bill bytes, for the merchant the token was issued to. */
  async billDownload(merchant: WechatPayMerchant, token: unknown): Promise<Buffer> {
    const grant =
      typeof token === 'string' ? readBillToken(token, this.billSecret, new Date()) : null;
    if (!grant || grant.appId !== merchant.mchid || !isBillType(grant.kind ?? '')) {
      throw new WechatPayError(
        404,
        'NO_STATEMENT_EXIST',
        '下载链接无效或已过期 (unknown or expired token)',
      );
    }
    return this.billFileOf(merchant.mchid, grant.billDate, grant.kind as WechatBillType);
  }

  async findByQrToken(token: string): Promise<TradeEntity> {
    const trade = await this.dataSource
      .getRepository(TradeEntity)
      .findOneBy({ qrToken: token, channel: 'WECHAT_PAY' });
    if (!trade) throw qrNotFound();
    return asOf(trade, new Date());
  }

  /** The payer pays on the sandbox page (or a test); see TradePayments. */
  async pay(qrToken: string): Promise<TradeEntity> {
    return this.payments.pay(
      'WECHAT_PAY',
      qrToken,
      { buyerUserId: `o${randomBytes(20).toString('base64url').slice(0, 27)}`, buyerLogonId: null },
      () => randomUUID(),
    );
  }

  qrUrlOf(trade: TradeEntity): string {
    return `${this.settings.publicBaseUrl}/wechatpay/qr/${trade.qrToken}`;
  }

  private async billFileOf(
    mchid: string,
    billDate: string,
    billType: WechatBillType,
  ): Promise<Buffer> {
    const trades = await this.dataSource
      .getRepository(TradeEntity)
      .createQueryBuilder('trade')
      .where('trade.channel = :channel AND trade.merchant_account = :mchid', {
        channel: 'WECHAT_PAY',
        mchid,
      })
      .andWhere('trade.business_date = :billDate AND trade.status = :status', {
        billDate,
        status: 'TRADE_SUCCESS',
      })
      .orderBy('trade.paid_at', 'ASC')
      .addOrderBy('trade.trade_no', 'ASC')
      .getMany();
    const refunds = await this.refunds.succeededOn('WECHAT_PAY', mchid, billDate);
    const text = buildWechatTradeBill(
      trades.map(billTradeOf),
      billType,
      refunds.map(({ refund, trade }) => ({
        // The refund row describes the order as it was paid, without its statement faults.
        trade: { ...billTradeOf(trade), statement: {} },
        refundId: refund.refundNo,
        outRefundNo: refund.outRefundNo,
        refundedAt: formatShanghaiDateTime(refund.completesAt),
        amountMinor: refund.amountMinor,
      })),
    );
    return Buffer.from(text, 'utf8');
  }
}

function billTradeOf(trade: TradeEntity): WechatBillTrade {
  return {
    appid: trade.appId ?? '',
    mchid: trade.merchantAccount,
    transactionId: trade.tradeNo,
    outTradeNo: trade.outTradeNo,
    openid: trade.buyerUserId ?? '',
    description: trade.subject ?? '',
    attach: trade.attach ?? '',
    paidAt: formatShanghaiDateTime(trade.paidAt!),
    amountMinor: trade.amountMinor,
    statement: trade.statementFaults,
  };
}

/** The refund JSON (退款单): the answer of apply and query, also a refund notification's fields. */
export type RefundJson = Record<string, unknown>;

/** A refund as WeChat Pay describes it at `now`: PROCESSING until its outcome is due. */
export function refundJsonOf(refund: RefundEntity, trade: TradeEntity, now: Date): RefundJson {
  const status = refundStateAt(refund, now);
  return {
    refund_id: refund.refundNo,
    out_refund_no: refund.outRefundNo,
    transaction_id: trade.tradeNo,
    out_trade_no: trade.outTradeNo,
    channel: 'ORIGINAL',
    user_received_account: '支付用户零钱',
    ...(status === 'SUCCESS' ? { success_time: formatRfc3339Shanghai(refund.completesAt) } : {}),
    create_time: formatRfc3339Shanghai(refund.createdAt),
    status,
    funds_account: 'AVAILABLE',
    amount: {
      total: trade.amountMinor,
      refund: refund.amountMinor,
      payer_total: trade.amountMinor,
      payer_refund: refund.amountMinor,
      settlement_total: trade.amountMinor,
      settlement_refund: refund.amountMinor,
      discount_refund: 0,
      currency: 'CNY',
    },
  };
}

/** A refusal in WeChat Pay's words (codes follow the public docs, unconfirmed per endpoint). */
function refundRefusal(error: RefundRefused): WechatPayError {
  switch (error.refusal) {
    case 'TRADE_NOT_EXIST':
      return new WechatPayError(404, 'RESOURCE_NOT_EXISTS', '订单不存在');
    case 'TRADE_NOT_PAID':
      return new WechatPayError(400, 'INVALID_REQUEST', `订单未支付: ${error.message}`);
    case 'AMOUNT_EXCEEDS':
      return new WechatPayError(
        400,
        'INVALID_REQUEST',
        `申请退款金额超过订单可退金额: ${error.message}`,
      );
    case 'TOTAL_MISMATCH':
      return new WechatPayError(400, 'INVALID_REQUEST', `订单金额与实际不符: ${error.message}`);
    default:
      return new WechatPayError(400, 'INVALID_REQUEST', `请求参数与之前的不一致: ${error.message}`);
  }
}

/** A 29-digit refund_id like WeChat Pay's: 503 + the Shanghai date + 18 random digits. */
function newRefundId(now: Date): string {
  const digits = Array.from({ length: 18 }, () => randomInt(0, 10)).join('');
  return `503${compactShanghaiDate(now)}${digits}`;
}

/** The query-order JSON of a trade; transaction_id, payer and success_time once it is paid. */
export function transactionOf(trade: TradeEntity): Transaction {
  const { state, desc } = tradeStateOf(trade.status, trade.refundedMinor);
  const paid = trade.status === 'TRADE_SUCCESS' && trade.paidAt;
  return {
    appid: trade.appId,
    mchid: trade.merchantAccount,
    out_trade_no: trade.outTradeNo,
    ...(paid ? { transaction_id: trade.tradeNo } : {}),
    trade_type: 'NATIVE',
    trade_state: state,
    trade_state_desc: desc,
    ...(paid
      ? {
          bank_type: 'OTHERS',
          success_time: formatRfc3339Shanghai(trade.paidAt!),
          payer: { openid: trade.buyerUserId },
        }
      : {}),
    ...(trade.attach === null ? {} : { attach: trade.attach }),
    amount: {
      total: trade.amountMinor,
      ...(paid ? { payer_total: trade.amountMinor } : {}),
      currency: 'CNY',
      ...(paid ? { payer_currency: 'CNY' } : {}),
    },
  };
}

function isBillType(value: string): value is WechatBillType {
  return (WECHAT_BILL_TYPES as readonly string[]).includes(value);
}

function newTransactionId(now: Date): string {
  const digits = Array.from({ length: 13 }, () => randomInt(0, 10)).join('');
  return formatTransactionId(compactShanghaiDate(now), digits);
}
