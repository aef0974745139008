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
import { qrNotFound, TradePayments } from '../trades/trade-payments.service';
import {
  checkClose,
  formatRfc3339Shanghai,
  formatTransactionId,
  nativeOrderAgain,
  parseNativeOrder,
  tradeStateOf,
} from './domain/native-order';
import { buildWechatTradeBill, WECHAT_BILL_TYPES, type WechatBillType } from './domain/trade-bill';
import { orderNotExist, paramError, WechatPayError } from './domain/wechat-pay-error';
import { WECHAT_PAY_PLATFORM, type WechatPayMerchant } from './wechat-pay-merchants';

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
      if (checkClose(trade.status) === 'close') {
        await manager.update(
          TradeEntity,
          { tradeNo: trade.tradeNo },
          { status: 'TRADE_CLOSED', closedAt: new Date() },
        );
      }
    });
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
    const text = buildWechatTradeBill(
      trades.map((trade) => ({
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
      })),
      billType,
    );
    return Buffer.from(text, 'utf8');
  }
}

/** The query-order JSON of a trade; transaction_id, payer and success_time once it is paid. */
export function transactionOf(trade: TradeEntity): Transaction {
  const { state, desc } = tradeStateOf(trade.status);
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
