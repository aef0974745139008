import { randomBytes, randomInt } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AppError } from '@paylab/platform';
import { Money } from '@paylab/money';
import type { DataSource, EntityManager } from 'typeorm';
import { isFullyRefunded, RefundRefused, refundStateAt } from '../refunds/domain/refund';
import { TradeRefunds } from '../refunds/trade-refunds.service';
import { closeTrade, qrNotFound, TradePayments } from '../trades/trade-payments.service';
import { ALIPAY_PLATFORM_PRIVATE_KEY, type AlipayApp, findAlipayApp } from './alipay-apps';
import { ALIPAY_SANDBOX_SETTINGS, type AlipaySandboxSettings } from './alipay.tokens';
import { issueBillToken, readBillToken } from './domain/bill-token';
import { GatewayError, invalidParameter, tradeNotExist } from './domain/gateway-error';
import {
  compactShanghaiDate,
  formatShanghaiDateTime,
  isCalendarDate,
  shanghaiBusinessDate,
} from './domain/shanghai-time';
import {
  checkClose,
  formatTradeNo,
  parsePrecreate,
  parseRefund,
  parseRefundQuery,
  parseTradeReference,
  precreateAgain,
} from './domain/trade';
import { buildTradeBill } from './domain/trade-bill';
import { asOf } from '../trades/domain/trade-expiry';
import { TradeEntity } from './trade.entity';

type Biz = Readonly<Record<string, unknown>>;
type Node = Record<string, string>;

/** How long a bill_download_url works (the real one: about 30 s; longer here for classes). */
const BILL_URL_TTL_MS = 5 * 60_000;

const yuan = (minor: number) => Money.of(minor, 'CNY').toDecimalString();

/** The trades of the simulated Alipay: what the gateway methods and the payer page do. */
@Injectable()
export class AlipayTrades {
  private readonly billSecret: string;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(ALIPAY_SANDBOX_SETTINGS) private readonly settings: AlipaySandboxSettings,
    private readonly payments: TradePayments,
    private readonly refunds: TradeRefunds,
  ) {
    // Bill tokens only need to be unforgeable by clients; the platform key is a secret they lack.
    this.billSecret = `bill-token:${ALIPAY_PLATFORM_PRIVATE_KEY}`;
  }

  /** alipay.trade.precreate: a WAIT_BUYER_PAY trade and the QR the payer scans. */
  async precreate(app: AlipayApp, biz: Biz, notifyUrl: string | undefined): Promise<Node> {
    const request = parsePrecreate(biz);
    const now = new Date();
    const repository = this.dataSource.getRepository(TradeEntity);
    const inserted = await repository
      .createQueryBuilder()
      .insert()
      .values({
        tradeNo: newTradeNo(now),
        channel: 'ALIPAY',
        merchantAccount: app.appId,
        outTradeNo: request.outTradeNo,
        amountMinor: request.amountMinor,
        currency: 'CNY',
        status: 'WAIT_BUYER_PAY',
        subject: request.subject,
        notifyUrl: notifyUrl ?? null,
        expiresAt: request.expiresAt,
        qrToken: randomBytes(18).toString('base64url'),
        createdAt: now,
        statementFaults: {},
        appliedFaultIds: [],
      })
      .orIgnore()
      .returning(['tradeNo'])
      .execute();
    const trade = await repository.findOneByOrFail({
      channel: 'ALIPAY',
      merchantAccount: app.appId,
      outTradeNo: request.outTradeNo,
    });
    if (inserted.raw.length === 0) {
      precreateAgain(
        {
          status: asOf(trade, now).status,
          amountMinor: trade.amountMinor,
          subject: trade.subject ?? '',
        },
        request,
      );
    }
    return {
      code: '10000',
      msg: 'Success',
      out_trade_no: trade.outTradeNo,
      qr_code: this.qrUrlOf(trade),
    };
  }

  /** alipay.trade.query */
  async query(app: AlipayApp, biz: Biz): Promise<Node> {
    const trade = asOf(await this.findTrade(this.dataSource.manager, app, biz), new Date());
    const node: Node = {
      code: '10000',
      msg: 'Success',
      trade_no: trade.tradeNo,
      out_trade_no: trade.outTradeNo,
      // A fully refunded trade is closed (TRADE_CLOSED), as Alipay reports it.
      trade_status: isFullyRefunded(trade) ? 'TRADE_CLOSED' : trade.status,
      total_amount: yuan(trade.amountMinor),
    };
    if (trade.status === 'TRADE_SUCCESS' && trade.paidAt) {
      Object.assign(node, {
        receipt_amount: yuan(trade.amountMinor),
        buyer_pay_amount: yuan(trade.amountMinor),
        send_pay_date: formatShanghaiDateTime(trade.paidAt),
        buyer_user_id: trade.buyerUserId ?? '',
        buyer_logon_id: trade.buyerLogonId ?? '',
      });
    }
    return node;
  }

  /** alipay.trade.close: only an unpaid trade; closing twice succeeds. */
  async close(app: AlipayApp, biz: Biz): Promise<Node> {
    return this.dataSource.transaction(async (manager) => {
      const trade = await this.findTrade(manager, app, biz, true);
      if (checkClose(trade.status) === 'close') await closeTrade(manager, trade);
      return {
        code: '10000',
        msg: 'Success',
        trade_no: trade.tradeNo,
        out_trade_no: trade.outTradeNo,
      };
    });
  }

  /**
   * alipay.trade.refund: answered synchronously. fund_change Y means this request moved money
   * just now; N means it did not (a repeated out_request_no, or a refund still processing under
   * REFUND_RESULT_DELAYED) and the merchant asks fastpay.refund.query. refund_fee is cumulative.
   */
  async refund(app: AlipayApp, biz: Biz): Promise<Node> {
    const request = parseRefund(biz);
    let taken;
    try {
      taken = await this.refunds.refund({
        channel: 'ALIPAY',
        merchantAccount: app.appId,
        reference: request.reference,
        outRefundNo: request.outRequestNo,
        amountMinor: request.amountMinor,
        reason: request.reason,
        notifyUrl: null,
        processingMs: 0,
        refusesSynchronously: true,
        newRefundNo: (now) => newTradeNo(now),
        newNotifyId: () => randomBytes(16).toString('hex'),
      });
    } catch (error) {
      if (error instanceof RefundRefused) throw gatewayRefusal(error);
      throw error;
    }
    const { refund, trade, replay } = taken;
    const now = new Date();
    const done = refundStateAt(refund, now) === 'SUCCESS';
    return {
      code: '10000',
      msg: 'Success',
      trade_no: trade.tradeNo,
      out_trade_no: trade.outTradeNo,
      buyer_logon_id: trade.buyerLogonId ?? '',
      fund_change: !replay && done ? 'Y' : 'N',
      refund_fee: yuan(trade.refundedMinor),
      ...(done ? { gmt_refund_pay: formatShanghaiDateTime(refund.completesAt) } : {}),
      buyer_user_id: trade.buyerUserId ?? '',
    };
  }

  /**
   * alipay.trade.fastpay.refund.query: refund_status REFUND_SUCCESS once the refund is done; no
   * refund_status while it is processing, and no refund_amount either when the request was
   * never received (as Alipay documents: 未返回该字段表示退款请求未收到或者退款失败).
   */
  async refundQuery(app: AlipayApp, biz: Biz): Promise<Node> {
    const request = parseRefundQuery(biz);
    const trade = await this.findTrade(this.dataSource.manager, app, biz);
    const found = await this.refunds.find('ALIPAY', app.appId, request.outRequestNo);
    const node: Node = {
      code: '10000',
      msg: 'Success',
      trade_no: trade.tradeNo,
      out_trade_no: trade.outTradeNo,
      out_request_no: request.outRequestNo,
    };
    if (!found || found.refund.tradeNo !== trade.tradeNo) return node;
    const { refund } = found;
    Object.assign(node, {
      total_amount: yuan(trade.amountMinor),
      refund_amount: yuan(refund.amountMinor),
      ...(refund.reason ? { refund_reason: refund.reason } : {}),
    });
    if (refundStateAt(refund, new Date()) === 'SUCCESS') {
      Object.assign(node, {
        refund_status: 'REFUND_SUCCESS',
        gmt_refund_pay: formatShanghaiDateTime(refund.completesAt),
      });
    }
    return node;
  }

  /** alipay.data.dataservice.bill.downloadurl.query: a short-lived link to the day's bill. */
  billDownloadUrl(app: AlipayApp, biz: Biz): Node {
    if (biz.bill_type !== 'trade') {
      throw new GatewayError(
        '40002',
        'isv.invalid-parameter',
        'bill_type: the sandbox serves only "trade" (业务明细)',
      );
    }
    const billDate = biz.bill_date;
    if (typeof billDate !== 'string' || !isCalendarDate(billDate)) {
      throw new GatewayError(
        '40002',
        'isv.invalid-parameter',
        'bill_date must be a day yyyy-MM-dd (monthly bills are not simulated)',
      );
    }
    // Unlike the real T+1 bill, today's is served too (what is paid so far), so a class can
    // reconcile without waiting a day; a future day has no bill.
    if (billDate > shanghaiBusinessDate(new Date())) {
      throw new GatewayError(
        '40004',
        'isp.bill_not_exist',
        '账单不存在 (no bill for that day yet)',
      );
    }
    const token = issueBillToken(
      { appId: app.appId, billDate, expiresAt: new Date(Date.now() + BILL_URL_TTL_MS) },
      this.billSecret,
    );
    return {
      code: '10000',
      msg: 'Success',
      bill_download_url: `${this.settings.apiBaseUrl}/alipay/bills/${token}`,
    };
  }

  /** The 业务明细 text of a bill link, with the statement faults recorded on its trades. */
  async billText(token: string): Promise<{ fileName: string; text: string }> {
    const grant = readBillToken(token, this.billSecret, new Date());
    const app = grant ? findAlipayApp(grant.appId) : undefined;
    if (!grant || !app) {
      throw new AppError(
        'not_found_error',
        'BILL.NOT_FOUND',
        'This bill link is unknown or expired; ask the gateway for a new one.',
      );
    }
    const trades = await this.dataSource
      .getRepository(TradeEntity)
      .createQueryBuilder('trade')
      .where('trade.channel = :channel AND trade.merchant_account = :appId', {
        channel: 'ALIPAY',
        appId: app.appId,
      })
      .andWhere('trade.business_date = :billDate AND trade.status = :status', {
        billDate: grant.billDate,
        status: 'TRADE_SUCCESS',
      })
      .orderBy('trade.paid_at', 'ASC')
      .addOrderBy('trade.trade_no', 'ASC')
      .getMany();
    const refunds = await this.refunds.succeededOn('ALIPAY', app.appId, grant.billDate);
    const text = buildTradeBill({
      pid: app.pid,
      billDate: grant.billDate,
      exportedAt: formatShanghaiDateTime(new Date()),
      refunds: refunds.map(({ refund, trade }) => ({
        tradeNo: trade.tradeNo,
        outTradeNo: trade.outTradeNo,
        outRequestNo: refund.outRefundNo,
        subject: trade.subject ?? '',
        createdAt: formatShanghaiDateTime(refund.createdAt),
        finishedAt: formatShanghaiDateTime(refund.completesAt),
        amountMinor: refund.amountMinor,
        buyerLogonId: trade.buyerLogonId ?? '',
      })),
      trades: trades.map((trade) => ({
        tradeNo: trade.tradeNo,
        outTradeNo: trade.outTradeNo,
        subject: trade.subject ?? '',
        createdAt: formatShanghaiDateTime(trade.createdAt),
        paidAt: formatShanghaiDateTime(trade.paidAt!),
        amountMinor: trade.amountMinor,
        buyerLogonId: trade.buyerLogonId ?? '',
        statement: trade.statementFaults,
      })),
    });
    return {
      fileName: `${app.pid}0156_${grant.billDate.replaceAll('-', '')}_业务明细.csv`,
      text,
    };
  }

  async findByQrToken(token: string): Promise<TradeEntity> {
    const trade = await this.dataSource
      .getRepository(TradeEntity)
      .findOneBy({ qrToken: token, channel: 'ALIPAY' });
    if (!trade) throw qrNotFound();
    return asOf(trade, new Date());
  }

  /** The payer pays (the "scan and pay" page, or a test); see TradePayments. */
  async pay(qrToken: string): Promise<TradeEntity> {
    return this.payments.pay(
      'ALIPAY',
      qrToken,
      {
        buyerUserId: `2088${String(randomInt(0, 1e12)).padStart(12, '0')}`,
        buyerLogonId: 'stu***@paylab.demo',
      },
      () => randomBytes(16).toString('hex'),
    );
  }

  qrUrlOf(trade: TradeEntity): string {
    return `${this.settings.publicBaseUrl}/alipay/qr/${trade.qrToken}`;
  }

  private async findTrade(
    manager: EntityManager,
    app: AlipayApp,
    biz: Biz,
    lock = false,
  ): Promise<TradeEntity> {
    const reference = parseTradeReference(biz);
    const query = manager
      .getRepository(TradeEntity)
      .createQueryBuilder('trade')
      .where('trade.channel = :channel AND trade.merchant_account = :appId', {
        channel: 'ALIPAY',
        appId: app.appId,
      });
    // trade_no wins when both are given, as Alipay documents.
    if (reference.tradeNo) query.andWhere('trade.trade_no = :tradeNo', reference);
    else query.andWhere('trade.out_trade_no = :outTradeNo', reference);
    if (lock) query.setLock('pessimistic_write');
    const trade = await query.getOne();
    if (!trade) throw tradeNotExist();
    return trade;
  }
}

/** A refusal in Alipay's words: 40004 and the sub_code Alipay uses for it. */
function gatewayRefusal(error: RefundRefused): GatewayError {
  switch (error.refusal) {
    case 'TRADE_NOT_EXIST':
      return tradeNotExist();
    case 'TRADE_NOT_PAID':
      return new GatewayError(
        '40004',
        'ACQ.TRADE_STATUS_ERROR',
        `交易状态不合法: ${error.message}`,
      );
    case 'AMOUNT_EXCEEDS':
      return new GatewayError(
        '40004',
        'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL',
        `退款金额超限: ${error.message}`,
      );
    case 'REFUSED_BY_FAULT':
      return new GatewayError(
        '40004',
        'ACQ.SELLER_BALANCE_NOT_ENOUGH',
        `卖家余额不足: ${error.message}`,
      );
    default:
      return invalidParameter(error.message);
  }
}

function newTradeNo(now: Date): string {
  const digits = Array.from({ length: 16 }, () => randomInt(0, 10)).join('');
  return formatTradeNo(compactShanghaiDate(now), digits);
}
