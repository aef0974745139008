import { Body, Controller, Get, Header, Headers, Param, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOperation, ApiTags } from '@nestjs/swagger';
import { parseRequest, PublicEndpoint, AcceptsFormBody } from '@paylab/platform';
import type { Response } from 'express';
import QRCode from 'qrcode';
import { z } from 'zod';
import { PAYMENT_METHODS, paymentMethodForUserAgent } from '../payments/domain/payer-agent';
import { renderCheckoutPage } from './checkout-page';
import { Checkout } from './checkout.service';

const payBody = z.object({ method: z.enum(PAYMENT_METHODS) }).strict();
const pageQuery = z.object({ method: z.enum(PAYMENT_METHODS).optional() }).strict();

/**
 * What the payer sees: the hosted checkout page and the aggregated QR (一码付). Public: the
 * unguessable payment id is the capability (a production cashier would use a signed,
 * short-lived checkout session token instead).
 */
@ApiTags('checkout (收银台页面)')
@PublicEndpoint()
@Controller()
export class CheckoutController {
  constructor(private readonly checkout: Checkout) {}

  @Get('checkout/:paymentId')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @ApiOperation({
    summary: 'The hosted checkout page: the order, the methods offered, and the QR once chosen.',
  })
  async page(
    @Param('paymentId') paymentId: string,
    @Query() query: unknown,
    @Headers('user-agent') userAgent: string | undefined,
  ): Promise<string> {
    const { method } = parseRequest(pageQuery, query);
    const payment = await this.checkout.view(paymentId);
    // A closed order shows as closed: its QR is closed at the channel and is never shown again.
    if (payment.state === 'CLOSED') return renderCheckoutPage(payment, { methods: [] });
    if (method) return this.payAndRender(paymentId, method);
    const device = /Mobile|Android|iPhone/i.test(userAgent ?? '') ? 'MOBILE' : 'DESKTOP';
    try {
      return renderCheckoutPage(payment, {
        methods: await this.checkout.offeredMethods(payment, device),
      });
    } catch (error) {
      // The payer still sees the order; the page says plainly why there is nothing to choose.
      return renderCheckoutPage(payment, {
        methods: [],
        error: `Payment methods are unavailable right now (${error instanceof Error ? error.message : 'unknown error'}). Reload to try again.`,
      });
    }
  }

  @AcceptsFormBody()
  @Post('checkout/:paymentId/pay')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @ApiOperation({
    summary: 'Pay with a method (form post from the page): route, charge, show the QR.',
  })
  async payFromPage(@Param('paymentId') paymentId: string, @Body() body: unknown): Promise<string> {
    const { method } = parseRequest(payBody, body);
    const payment = await this.checkout.view(paymentId);
    if (payment.state === 'CLOSED') return renderCheckoutPage(payment, { methods: [] });
    return this.payAndRender(paymentId, method);
  }

  @Post('checkout/:paymentId/credentials')
  @ApiOperation({
    summary: 'The same as choosing a method on the page, as JSON (for apps, tests and the demo).',
    description:
      'A CLOSED order is refused with 409 PAYMENT.CLOSED, an expired one with PAYMENT.EXPIRED: a closed QR is never handed out.',
  })
  async credentials(@Param('paymentId') paymentId: string, @Body() body: unknown) {
    const { method } = parseRequest(payBody, body);
    return this.checkout.pay(paymentId, method);
  }

  @Get('checkout/:paymentId/status')
  @ApiOperation({ summary: 'The order state, polled by the checkout page.' })
  async status(
    @Param('paymentId') paymentId: string,
  ): Promise<{ id: string; state: string; closeReason: string | null }> {
    const payment = await this.checkout.view(paymentId);
    return { id: payment.id, state: payment.state, closeReason: payment.closeReason };
  }

  /**
   * The aggregated QR (一码付): one code for every wallet. The wallet app opening it is read from
   * the User-Agent and goes straight to its own method; any other client gets the picker.
   */
  @Get('qr/:paymentId')
  @ApiOperation({
    summary:
      'Aggregated QR target: redirects by wallet (WeChat, Alipay, UnionPay) or to the picker.',
  })
  @ApiExcludeEndpoint(false)
  async aggregatedQr(
    @Param('paymentId') paymentId: string,
    @Headers('user-agent') userAgent: string | undefined,
    @Res() response: Response,
  ): Promise<void> {
    await this.checkout.view(paymentId);
    const method = paymentMethodForUserAgent(userAgent);
    response.redirect(
      302,
      `/checkout/${encodeURIComponent(paymentId)}${method ? `?method=${method}` : ''}`,
    );
  }

  private async payAndRender(
    paymentId: string,
    method: (typeof PAYMENT_METHODS)[number],
  ): Promise<string> {
    const credentials = await this.checkout.pay(paymentId, method);
    const svg = await QRCode.toString(credentials.qrPayload, { type: 'svg', margin: 1 });
    return renderCheckoutPage(credentials.payment, {
      methods: PAYMENT_METHODS,
      qr: { method, payload: credentials.qrPayload, svg },
    });
  }
}
