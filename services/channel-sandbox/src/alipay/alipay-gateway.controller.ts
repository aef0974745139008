import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiConsumes, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ALIPAY_PLATFORM_PRIVATE_KEY, type AlipayApp, findAlipayApp } from './alipay-apps';
import { AlipayTrades } from './alipay-trades.service';
import { GatewayError } from './domain/gateway-error';
import {
  type Fields,
  responseKeyOf,
  signedResponseBody,
  verifyRequestSignature,
} from './domain/openapi-signature';
import { isGatewayTimestamp } from './domain/shanghai-time';
import { PublicEndpoint, AcceptsFormBody } from '@paylab/platform';

type Method = (
  app: AlipayApp,
  biz: Record<string, unknown>,
  params: Fields,
) => Promise<object> | object;

/**
 * The classic Alipay OpenAPI gateway (网关), the subset alipay-sdk's exec() uses: public
 * parameters in the query, biz_content in a form body, RSA2 both ways. Like the real gateway it
 * answers HTTP 200 every time; failures are codes inside the signed `<method>_response` node.
 */
@ApiTags('alipay gateway (模拟支付宝网关)')
@PublicEndpoint() // authenticated by the app's RSA2 signature, as the real gateway
@Controller('alipay')
export class AlipayGatewayController {
  private readonly methods: Readonly<Record<string, Method>>;

  constructor(private readonly trades: AlipayTrades) {
    this.methods = {
      'alipay.trade.precreate': (app, biz, params) =>
        this.trades.precreate(app, biz, params.notify_url || undefined),
      'alipay.trade.query': (app, biz) => this.trades.query(app, biz),
      'alipay.trade.close': (app, biz) => this.trades.close(app, biz),
      'alipay.trade.refund': (app, biz) => this.trades.refund(app, biz),
      'alipay.trade.fastpay.refund.query': (app, biz) => this.trades.refundQuery(app, biz),
      'alipay.data.dataservice.bill.downloadurl.query': (app, biz) =>
        this.trades.billDownloadUrl(app, biz),
    };
  }

  @AcceptsFormBody()
  @Post('gateway.do')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'alipay.trade.precreate | query | close | refund | fastpay.refund.query, alipay.data.dataservice.bill.downloadurl.query',
    description:
      'Point alipay-sdk `gateway` here. Always HTTP 200 with `{"<method>_response":{…},"sign":"…"}`.',
  })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiResponse({ status: 200, description: 'Signed response node (code 10000 or an error code)' })
  async gateway(@Req() request: Request, @Res() response: Response): Promise<void> {
    let method = '';
    let node: object;
    try {
      const params = mergedParams(request);
      method = params.method ?? '';
      node = await this.handle(params);
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error;
      node = error.toNode();
    }
    const key = method in this.methods ? responseKeyOf(method) : 'error_response';
    response
      .status(200)
      .type('application/json; charset=utf-8')
      .send(signedResponseBody(key, node as Record<string, unknown>, ALIPAY_PLATFORM_PRIVATE_KEY));
  }

  private async handle(params: Fields): Promise<object> {
    const handler = params.method ? this.methods[params.method] : undefined;
    if (!params.method) throw new GatewayError('40001', 'isv.missing-method', '缺少方法名参数');
    if (!handler) {
      throw new GatewayError('40002', 'isv.invalid-method', `不存在的方法名: ${params.method}`);
    }
    const app = authenticate(params);
    if ((params.charset ?? 'utf-8').toLowerCase() !== 'utf-8') {
      throw new GatewayError(
        '40002',
        'isv.invalid-charset',
        'the sandbox accepts charset=utf-8 only',
      );
    }
    if (params.version !== '1.0') {
      throw new GatewayError('40002', 'isv.invalid-version', 'version must be 1.0');
    }
    // Only the shape is checked: alipay-sdk writes the process-local time, so a UTC host is 8 h
    // behind Beijing, and the real gateway's tolerance is undocumented.
    if (!params.timestamp)
      throw new GatewayError('40001', 'isv.missing-timestamp', '缺少时间戳参数');
    if (!isGatewayTimestamp(params.timestamp)) {
      throw new GatewayError(
        '40002',
        'isv.invalid-timestamp',
        'timestamp must be yyyy-MM-dd HH:mm:ss',
      );
    }
    return handler(app, parseBizContent(params.biz_content), params);
  }
}

/** Query and form body as one flat map (the signature covers both); repeated keys are refused. */
function mergedParams(request: Request): Fields {
  const merged: Record<string, string> = {};
  const sources = [
    request.query as Record<string, unknown>,
    (request.body ?? {}) as Record<string, unknown>,
  ];
  for (const source of sources) {
    for (const [key, value] of Object.entries(source)) {
      if (typeof value !== 'string' || key in merged) {
        throw new GatewayError(
          '40002',
          'isv.invalid-parameter',
          `parameter ${key} is given more than once`,
        );
      }
      merged[key] = value;
    }
  }
  return merged;
}

function authenticate(params: Fields): AlipayApp {
  if (!params.app_id) throw new GatewayError('40001', 'isv.missing-app-id', '缺少AppID参数');
  const app = findAlipayApp(params.app_id);
  if (!app) throw new GatewayError('40002', 'isv.invalid-app-id', '无效的AppID参数');
  if (!params.sign) throw new GatewayError('40001', 'isv.missing-signature', '缺少签名参数');
  if (!params.sign_type) {
    throw new GatewayError('40001', 'isv.missing-signature-type', '缺少签名类型参数');
  }
  if (params.sign_type !== 'RSA2') {
    throw new GatewayError(
      '40002',
      'isv.invalid-signature-type',
      'the sandbox accepts sign_type=RSA2 only',
    );
  }
  const check = verifyRequestSignature(params, app.appPublicKey);
  if (!check.valid) {
    // Echoing the string the gateway built is what the real gateway does, and the fastest way
    // for a developer to see which parameter their signature disagrees on.
    throw new GatewayError(
      '40002',
      'isv.invalid-signature',
      `验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：${check.content}`,
    );
  }
  return app;
}

function parseBizContent(text: string | undefined): Record<string, unknown> {
  if (text === undefined || text === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return parsed as Record<string, unknown>;
    }
  } catch {
    // reported below
  }
  throw new GatewayError('40002', 'isv.invalid-parameter', 'biz_content must be a JSON object');
}
