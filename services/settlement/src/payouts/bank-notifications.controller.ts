import { Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { PublicEndpoint, ROOT_LOGGER, type PaylabLogger } from '@paylab/platform';
import type { Request, Response } from 'express';
import { BANK_CLIENT, type BankClient } from './bank/bank-client';
import { Payouts } from './payouts.service';

type RequestWithRawBody = Request & { rawBody?: Buffer };

/**
 * Where the bank pushes payout results (代付结果通知). The bank is not a PayLab client: it proves
 * itself by its signature over the raw body and gets the short reply its protocol expects; it
 * retries until it gets a 200.
 */
@ApiTags('bank callbacks (银行回调)')
@PublicEndpoint()
@Controller('v1/bank')
export class BankNotificationsController {
  private readonly log: PaylabLogger;

  constructor(
    @Inject(BANK_CLIENT) private readonly bank: BankClient,
    private readonly payouts: Payouts,
    @Inject(ROOT_LOGGER) logger: PaylabLogger,
  ) {
    this.log = logger.child({ component: 'bank-notifications' });
  }

  @Post('payout-notifications')
  @HttpCode(200)
  @ApiOperation({
    summary:
      "The bank's payout result notification: verified with the bank's public key over the raw body, applied once.",
  })
  async receive(@Req() request: RequestWithRawBody, @Res() response: Response): Promise<void> {
    const rawBody = (request.rawBody ?? Buffer.alloc(0)).toString('utf8');
    let notification;
    try {
      notification = this.bank.verifyNotification(
        request.headers as Record<string, string | undefined>,
        rawBody,
      );
    } catch (error) {
      this.log.warn(
        { err: error instanceof Error ? error.message : String(error) },
        'bank notification refused',
      );
      response.status(400).json({ code: 'FAIL', message: 'invalid notification' });
      return;
    }
    // A database failure propagates as a 5xx: the bank retries, and applying is idempotent.
    await this.payouts.onNotification(notification);
    response.status(200).json({ code: 'SUCCESS' });
  }
}
