import { randomBytes, randomInt } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AppError } from '@paylab/platform';
import { Money } from '@paylab/money';
import type { DataSource, EntityManager } from 'typeorm';
import { qrNotFound, TradePayments } from '../trades/trade-payments.service';
import { ALIPAY_PLATFORM_PRIVATE_KEY, type AlipayApp, findAlipayApp } from './alipay-apps';
import { ALIPAY_SANDBOX_SETTINGS, type AlipaySandboxSettings } from './alipay.tokens';
import { issueBillToken, readBillToken } from './domain/bill-token';
import { GatewayError, tradeNotExist } from './domain/gateway-error';
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
      trade_status: trade.status,
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
      if (checkClose(trade.status) === 'close') {
        await manager.update(
          TradeEntity,
          { tradeNo: trade.tradeNo },
          { status: 'TRADE_CLOSED', closedAt: new Date() },
        );
      }
      return {
        code: '10000',
        msg: 'Success',
        trade_no: trade.tradeNo,
        out_trade_no: trade.outTradeNo,
      };
    });
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
    const text = buildTradeBill({
      pid: app.pid,
      billDate: grant.billDate,
      exportedAt: formatShanghaiDateTime(new Date()),
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

function newTradeNo(now: Date): string {
  const digits = Array.from({ length: 16 }, () => randomInt(0, 10)).join('');
  return formatTradeNo(compactShanghaiDate(now), digits);
}
