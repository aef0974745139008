import { Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Money } from '@paylab/money';
import iconv from 'iconv-lite';
import type { Request, Response } from 'express';
import { AlipayTrades } from './alipay-trades.service';
import { formatShanghaiDateTime } from './domain/shanghai-time';
import type { TradeEntity } from './trade.entity';
import { PublicEndpoint, AcceptsFormBody } from '@paylab/platform';

/**
 * What the payer sees: the page behind the QR code ("scan and pay", 扫码支付) and its Pay
 * button, plus the bill download behind bill_download_url.
 */
@ApiTags('alipay payer (付款方)')
@PublicEndpoint()
@Controller('alipay')
export class AlipayPayerController {
  constructor(private readonly trades: AlipayTrades) {}

  @Get('qr/:token')
  @ApiOperation({ summary: 'The "scan and pay" page of a precreated order (HTML).' })
  @ApiResponse({ status: 404, description: 'Unknown QR code' })
  async page(@Param('token') token: string, @Res() response: Response): Promise<void> {
    const trade = await this.trades.findByQrToken(token);
    response.status(200).type('text/html; charset=utf-8').send(payPage(trade));
  }

  @AcceptsFormBody()
  @Post('qr/:token/pay')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Pay the order (TRADE_SUCCESS) and queue its notification. JSON for API clients, HTML for the page.',
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
      trade_no: trade.tradeNo,
      out_trade_no: trade.outTradeNo,
      trade_status: trade.status,
      total_amount: Money.of(trade.amountMinor, 'CNY').toDecimalString(),
      gmt_payment: formatShanghaiDateTime(trade.paidAt!),
    };
    if (request.accepts(['json', 'html']) === 'html') {
      response
        .status(200)
        .type('text/html; charset=utf-8')
        .send(paidPage(trade, result.gmt_payment));
      return;
    }
    response.status(200).json(result);
  }

  @Get('bills/:token')
  @ApiOperation({
    summary: 'The 业务明细 CSV (GBK) of a bill_download_url from bill.downloadurl.query.',
  })
  @ApiResponse({ status: 404, description: 'Unknown or expired link' })
  async bill(@Param('token') token: string, @Res() response: Response): Promise<void> {
    const { fileName, text } = await this.trades.billText(token);
    response
      .status(200)
      .type('text/csv; charset=GBK')
      .setHeader(
        'content-disposition',
        `attachment; filename="bill.csv"; filename*=UTF-8''${encodeURIComponent(fileName)}`,
      )
      .send(iconv.encode(text, 'gbk'));
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
button{width:100%;padding:.9rem;font-size:1.1rem;background:#1677ff;color:#fff;border:0;border-radius:8px;cursor:pointer}
.banner{background:#fff7e6;border:1px solid #ffd591;padding:.5rem;border-radius:6px;font-size:.85rem}</style>
</head><body><p class="banner">PayLab sandbox — simulated Alipay, no real money (模拟支付宝，非真实扣款)</p>
${body}</body></html>`;
}

function payPage(trade: TradeEntity): string {
  const amount = Money.of(trade.amountMinor, 'CNY').toDecimalString();
  const subject = escapeHtml(trade.subject ?? '');
  if (trade.status !== 'WAIT_BUYER_PAY') {
    const what =
      trade.status === 'TRADE_SUCCESS' ? '订单已支付 (already paid)' : '订单已关闭 (closed)';
    return shell('支付宝', `<h1>${what}</h1><p>${subject}</p><p class="amount">¥${amount}</p>`);
  }
  return shell(
    '确认付款 — 支付宝',
    `<h1>确认付款 (Confirm payment)</h1><p>${subject}</p><p class="amount">¥${amount}</p>
<p class="muted">商户订单号 ${escapeHtml(trade.outTradeNo)}</p>
<form method="post" action="/alipay/qr/${encodeURIComponent(trade.qrToken ?? '')}/pay">
<button type="submit">立即付款 (Pay)</button></form>`,
  );
}

function paidPage(trade: TradeEntity, paidAt: string): string {
  const amount = Money.of(trade.amountMinor, 'CNY').toDecimalString();
  return shell(
    '支付成功 — 支付宝',
    `<h1>支付成功 (Paid)</h1><p class="amount">¥${amount}</p>
<p>${escapeHtml(trade.subject ?? '')}</p>
<p class="muted">支付宝交易号 ${escapeHtml(trade.tradeNo)}<br>付款时间 ${paidAt}</p>`,
  );
}
