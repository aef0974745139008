import { Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Money } from '@paylab/money';
import type { Request, Response } from 'express';
import type { TradeEntity } from '../alipay/trade.entity';
import { formatRfc3339Shanghai, tradeStateOf } from './domain/native-order';
import { WechatPayTrades } from './wechat-pay-trades.service';
import { PublicEndpoint, AcceptsFormBody } from '@paylab/platform';

/**
 * What the payer sees: the page behind code_url ("scan and pay", 扫码支付) and its Pay button.
 * The sandbox's code_url is this page's address (not weixin://wxpay/…) so that any phone or
 * browser can open it.
 */
@ApiTags('wechat pay payer (付款方)')
@PublicEndpoint()
@Controller('wechatpay/qr')
export class WechatPayPayerController {
  constructor(private readonly trades: WechatPayTrades) {}

  @Get(':token')
  @ApiOperation({ summary: 'The "scan and pay" page of a Native order (HTML).' })
  @ApiResponse({ status: 404, description: 'Unknown QR code' })
  async page(@Param('token') token: string, @Res() response: Response): Promise<void> {
    const trade = await this.trades.findByQrToken(token);
    response.status(200).type('text/html; charset=utf-8').send(payPage(trade));
  }

  @AcceptsFormBody()
  @Post(':token/pay')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Pay the order (SUCCESS) and queue its notification. JSON for API clients, HTML for the page.',
  })
  @ApiResponse({ status: 404, description: 'Unknown QR code' })
  @ApiResponse({ status: 409, description: 'Already paid or closed' })
  async pay(
    @Param('token') token: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const trade = await this.trades.pay(token);
    const result = {
      transaction_id: trade.tradeNo,
      out_trade_no: trade.outTradeNo,
      trade_state: tradeStateOf(trade.status).state,
      amount: { total: trade.amountMinor, currency: 'CNY' },
      success_time: formatRfc3339Shanghai(trade.paidAt!),
    };
    if (request.accepts(['json', 'html']) === 'html') {
      response
        .status(200)
        .type('text/html; charset=utf-8')
        .send(paidPage(trade, result.success_time));
      return;
    }
    response.status(200).json(result);
  }
}

function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function shell(title: string, body: string): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:420px;margin:2rem auto;padding:0 1rem;color:#222}
.amount{font-size:2.4rem;font-weight:600;margin:.5rem 0}.muted{color:#777;font-size:.9rem}
button{width:100%;padding:.9rem;font-size:1.1rem;background:#07c160;color:#fff;border:0;border-radius:8px;cursor:pointer}
.banner{background:#fff7e6;border:1px solid #ffd591;padding:.5rem;border-radius:6px;font-size:.85rem}</style>
</head><body><p class="banner">PayLab sandbox — simulated WeChat Pay, no real money (模拟微信支付，非真实扣款)</p>
${body}</body></html>`;
}

function payPage(trade: TradeEntity): string {
  const amount = Money.of(trade.amountMinor, 'CNY').toDecimalString();
  const description = escapeHtml(trade.subject ?? '');
  if (trade.status !== 'WAIT_BUYER_PAY') {
    const what =
      trade.status === 'TRADE_SUCCESS' ? '订单已支付 (already paid)' : '订单已关闭 (closed)';
    return shell(
      '微信支付',
      `<h1>${what}</h1><p>${description}</p><p class="amount">¥${amount}</p>`,
    );
  }
  return shell(
    '确认付款 — 微信支付',
    `<h1>确认付款 (Confirm payment)</h1><p>${description}</p><p class="amount">¥${amount}</p>
<p class="muted">商户订单号 ${escapeHtml(trade.outTradeNo)}</p>
<form method="post" action="/wechatpay/qr/${encodeURIComponent(trade.qrToken ?? '')}/pay">
<button type="submit">立即支付 (Pay)</button></form>`,
  );
}

function paidPage(trade: TradeEntity, successTime: string): string {
  const amount = Money.of(trade.amountMinor, 'CNY').toDecimalString();
  return shell(
    '支付成功 — 微信支付',
    `<h1>支付成功 (Paid)</h1><p class="amount">¥${amount}</p>
<p>${escapeHtml(trade.subject ?? '')}</p>
<p class="muted">微信支付订单号 ${escapeHtml(trade.tradeNo)}<br>支付时间 ${successTime}</p>`,
  );
}
