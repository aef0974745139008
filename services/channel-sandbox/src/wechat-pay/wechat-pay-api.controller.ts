import { randomUUID } from 'node:crypto';
import { Controller, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type PaylabLogger, ROOT_LOGGER, PublicEndpoint } from '@paylab/platform';
import type { Request, Response } from 'express';
import {
  MAX_CLOCK_SKEW_SECONDS,
  parseAuthorization,
  platformSignatureHeaders,
  requestMessage,
  rsaVerify,
} from './domain/v3-signature';
import { paramError, signError, WechatPayError } from './domain/wechat-pay-error';
import {
  findWechatPayMerchant,
  WECHAT_PAY_PLATFORM,
  type WechatPayMerchant,
} from './wechat-pay-merchants';
import { WechatPayTrades } from './wechat-pay-trades.service';

type RequestWithRawBody = Request & { rawBody?: Buffer };

/** What a handler answers: a JSON body (200), nothing (204), or raw bytes (downloads, unsigned). */
type Answer =
  | { status: 200; json: unknown }
  | { status: 204 }
  | { status: 200; file: Buffer; contentType: string };

/**
 * WeChat Pay API v3 (Native), the subset wechatpay-axios-plugin needs, under /wechatpay so that
 * `baseURL: '<sandbox>/wechatpay/'` is the only change a merchant makes. Every request must carry
 * a valid WECHATPAY2-SHA256-RSA2048 Authorization; every answer but a file download is signed
 * with the platform key (Wechatpay-* headers), errors and 204s included.
 */
@ApiTags('wechat pay v3 (模拟微信支付)')
@PublicEndpoint() // authenticated by the merchant's WECHATPAY2-SHA256-RSA2048 signature
@Controller('wechatpay/v3')
export class WechatPayApiController {
  constructor(
    private readonly trades: WechatPayTrades,
    @Inject(ROOT_LOGGER) private readonly logger: PaylabLogger,
  ) {}

  @Post('pay/transactions/native')
  @ApiOperation({
    summary: 'Native下单: a NOTPAY order and its code_url (the sandbox payer page).',
  })
  @ApiResponse({ status: 200, description: '{code_url}' })
  @ApiResponse({
    status: 400,
    description: 'PARAM_ERROR, APPID_MCHID_NOT_MATCH, OUT_TRADE_NO_USED',
  })
  @ApiResponse({ status: 401, description: 'SIGN_ERROR' })
  async native(@Req() request: RequestWithRawBody, @Res() response: Response): Promise<void> {
    await this.answer(request, response, async (merchant) => ({
      status: 200,
      json: await this.trades.native(merchant, request.body),
    }));
  }

  @Get('pay/transactions/out-trade-no/:outTradeNo')
  @ApiOperation({ summary: '查询订单 by out_trade_no (?mchid= required).' })
  @ApiResponse({ status: 404, description: 'ORDER_NOT_EXIST' })
  async queryByOutTradeNo(
    @Param('outTradeNo') outTradeNo: string,
    @Req() request: RequestWithRawBody,
    @Res() response: Response,
  ): Promise<void> {
    await this.answer(request, response, async (merchant) => {
      requireQueryMchid(request, merchant);
      return { status: 200, json: await this.trades.query(merchant, { outTradeNo }) };
    });
  }

  @Get('pay/transactions/id/:transactionId')
  @ApiOperation({ summary: '查询订单 by transaction_id (?mchid= required).' })
  @ApiResponse({ status: 404, description: 'ORDER_NOT_EXIST' })
  async queryById(
    @Param('transactionId') transactionId: string,
    @Req() request: RequestWithRawBody,
    @Res() response: Response,
  ): Promise<void> {
    await this.answer(request, response, async (merchant) => {
      requireQueryMchid(request, merchant);
      return { status: 200, json: await this.trades.query(merchant, { transactionId }) };
    });
  }

  @Post('pay/transactions/out-trade-no/:outTradeNo/close')
  @ApiOperation({
    summary: '关闭订单: 204, empty and signed; closing a closed order again is fine.',
  })
  @ApiResponse({ status: 400, description: 'ORDERPAID' })
  @ApiResponse({ status: 404, description: 'ORDER_NOT_EXIST' })
  async close(
    @Param('outTradeNo') outTradeNo: string,
    @Req() request: RequestWithRawBody,
    @Res() response: Response,
  ): Promise<void> {
    await this.answer(request, response, async (merchant) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      if (body.mchid !== merchant.mchid) {
        throw paramError('mchid', 'is required and must be the merchant that signed the request');
      }
      await this.trades.close(merchant, outTradeNo);
      return { status: 204 };
    });
  }

  @Post('refund/domestic/refunds')
  @ApiOperation({
    summary:
      '申请退款: answers the refund (status PROCESSING, or SUCCESS / ABNORMAL when already final); idempotent per out_refund_no.',
  })
  @ApiResponse({ status: 200, description: 'The refund: refund_id, status, amount{…}' })
  @ApiResponse({ status: 400, description: 'PARAM_ERROR, INVALID_REQUEST (unpaid, exceeds)' })
  @ApiResponse({ status: 404, description: 'RESOURCE_NOT_EXISTS (no such order)' })
  async refund(@Req() request: RequestWithRawBody, @Res() response: Response): Promise<void> {
    await this.answer(request, response, async (merchant) => ({
      status: 200,
      json: await this.trades.refund(merchant, request.body),
    }));
  }

  @Get('refund/domestic/refunds/:outRefundNo')
  @ApiOperation({ summary: '查询单笔退款 by out_refund_no.' })
  @ApiResponse({ status: 404, description: 'RESOURCE_NOT_EXISTS' })
  async queryRefund(
    @Param('outRefundNo') outRefundNo: string,
    @Req() request: RequestWithRawBody,
    @Res() response: Response,
  ): Promise<void> {
    await this.answer(request, response, async (merchant) => ({
      status: 200,
      json: await this.trades.queryRefund(merchant, outRefundNo),
    }));
  }

  @Get('bill/tradebill')
  @ApiOperation({
    summary: '申请交易账单: {hash_type, hash_value, download_url} (?bill_date=&bill_type=).',
  })
  async tradeBill(@Req() request: RequestWithRawBody, @Res() response: Response): Promise<void> {
    await this.answer(request, response, async (merchant) => ({
      status: 200,
      json: await this.trades.tradeBill(merchant, request.query as Record<string, unknown>),
    }));
  }

  @Get('billdownload/file')
  @ApiOperation({
    summary: '下载账单: the bill file (UTF-8 with BOM), unsigned like the real one.',
  })
  @ApiResponse({ status: 404, description: 'NO_STATEMENT_EXIST: unknown or expired token' })
  async billDownload(@Req() request: RequestWithRawBody, @Res() response: Response): Promise<void> {
    await this.answer(request, response, async (merchant) => ({
      status: 200,
      file: await this.trades.billDownload(merchant, request.query.token),
      contentType: 'text/csv; charset=utf-8',
    }));
  }

  /** Authenticate, run, and answer in WeChat Pay's shape, signed. */
  private async answer(
    request: RequestWithRawBody,
    response: Response,
    handler: (merchant: WechatPayMerchant) => Promise<Answer>,
  ): Promise<void> {
    response.setHeader('Request-ID', randomUUID());
    let answer: Answer | undefined;
    let failure: WechatPayError;
    try {
      answer = await handler(authenticate(request));
    } catch (error) {
      if (error instanceof WechatPayError) {
        failure = error;
      } else {
        this.logger.error({ err: error, url: request.originalUrl }, 'wechat pay request failed');
        failure = new WechatPayError(500, 'SYSTEM_ERROR', '系统错误 (sandbox internal error)');
      }
    }
    if (answer && 'file' in answer) {
      response.status(200).type(answer.contentType).send(answer.file);
      return;
    }
    if (answer?.status === 204) {
      response.status(204).set(signed('')).end();
      return;
    }
    const [status, body] = answer ? [200, answer.json] : [failure!.httpStatus, failure!.toBody()];
    const text = JSON.stringify(body);
    response.status(status).set(signed(text)).type('application/json; charset=utf-8').send(text);
  }
}

function signed(body: string): Record<string, string> {
  return platformSignatureHeaders(body, WECHAT_PAY_PLATFORM.privateKey, WECHAT_PAY_PLATFORM.serial);
}

/**
 * Verifies `Authorization: WECHATPAY2-SHA256-RSA2048 …` over the request exactly as it arrived:
 * method, the original path and query (the /wechatpay prefix included), and the raw body bytes.
 */
function authenticate(request: RequestWithRawBody): WechatPayMerchant {
  const fields = parseAuthorization(request.header('authorization'));
  if (!fields) {
    throw signError(
      'Authorization must be WECHATPAY2-SHA256-RSA2048 with mchid, serial_no, timestamp, nonce_str and signature',
    );
  }
  const merchant = findWechatPayMerchant(fields.mchid);
  if (!merchant) throw signError(`商户号 ${fields.mchid} 不存在 (unknown mchid)`);
  if (fields.serialNo !== merchant.serial) {
    throw signError(`serial_no ${fields.serialNo} is not the merchant's API certificate`);
  }
  const skew = Math.abs(Math.floor(Date.now() / 1000) - Number(fields.timestamp));
  if (skew > MAX_CLOCK_SKEW_SECONDS) {
    throw signError(
      `timestamp is ${skew} s away from the platform clock (at most ${MAX_CLOCK_SKEW_SECONDS})`,
    );
  }
  const body = request.rawBody ? request.rawBody.toString('utf8') : '';
  const message = requestMessage(
    request.method,
    request.originalUrl,
    fields.timestamp,
    fields.nonceStr,
    body,
  );
  if (!rsaVerify(message, fields.signature, merchant.publicKey)) {
    throw signError('签名错误: the signature does not verify with the merchant certificate');
  }
  return merchant;
}

function requireQueryMchid(request: Request, merchant: WechatPayMerchant): void {
  if (request.query.mchid !== merchant.mchid) {
    throw paramError('query.mchid', 'is required and must be the merchant that signed the request');
  }
}
