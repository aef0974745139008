import { randomUUID } from 'node:crypto';
import { Controller, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AppError, type PaylabLogger, PublicEndpoint, ROOT_LOGGER } from '@paylab/platform';
import type { Request, Response } from 'express';
import { BankPayouts } from './bank-payouts.service';
import { BANK_SIGNING_KEY, findBankClient } from './bank.settings';
import {
  BANK_HEADERS,
  bankSignatureHeaders,
  clockSkewSeconds,
  MAX_CLOCK_SKEW_SECONDS,
  readSignatureHeaders,
  verifySignature,
} from './domain/bank-signature';

type RequestWithRawBody = Request & { rawBody?: Buffer };

type Answer =
  | { kind: 'json'; body: unknown; holdResponseSeconds?: number }
  | { kind: 'file'; text: string; contentType: string };

/**
 * The simulated bank's enterprise direct link (银企直连), under /bank/v1: payouts (代付), their
 * query, and the daily account statement. Every request is signed by the enterprise client
 * (X-Bank-Client-Id, X-Bank-Timestamp, X-Bank-Nonce, X-Bank-Signature over the canonical string
 * of domain/bank-signature.ts); the timestamp must be within 5 minutes and the nonce new. Every
 * answer, errors and statement files included, is signed by the bank. Errors use PayLab's shape
 * `{error:{type, code, message, param?}}`.
 */
@ApiTags('bank direct link (模拟银企直连)')
@PublicEndpoint() // authenticated by the client's X-Bank-Signature
@Controller('bank/v1')
export class BankApiController {
  constructor(
    private readonly payouts: BankPayouts,
    @Inject(ROOT_LOGGER) private readonly logger: PaylabLogger,
  ) {}

  @Post('payouts')
  @ApiOperation({
    summary:
      '代付: accept a payout (status PROCESSING); the same requestNo and body answers the same payout.',
  })
  @ApiResponse({ status: 200, description: 'The payout: requestNo, bankTxnNo, status, …' })
  @ApiResponse({ status: 400, description: 'REQUEST.VALIDATION_FAILED' })
  @ApiResponse({
    status: 401,
    description:
      'BANK.SIGNATURE_MISSING, BANK.UNKNOWN_CLIENT, BANK.TIMESTAMP_OUT_OF_WINDOW, BANK.SIGNATURE_INVALID, BANK.NONCE_REUSED',
  })
  @ApiResponse({ status: 403, description: 'BANK.ACCOUNT_NOT_ALLOWED (payer not the client’s)' })
  @ApiResponse({ status: 409, description: 'BANK.REQUEST_NO_CONFLICT (requestNo reused)' })
  async submit(@Req() request: RequestWithRawBody, @Res() response: Response): Promise<void> {
    await this.answer(request, response, async (clientId) => {
      const { payout, holdResponseSeconds } = await this.payouts.submit(clientId, request.body);
      return { kind: 'json', body: payout, holdResponseSeconds };
    });
  }

  @Get('payouts/:requestNo')
  @ApiOperation({ summary: '代付查询: PROCESSING, SUCCEEDED or FAILED (failureCode).' })
  @ApiResponse({ status: 404, description: 'BANK.PAYOUT_NOT_FOUND: the bank never received it' })
  async query(
    @Param('requestNo') requestNo: string,
    @Req() request: RequestWithRawBody,
    @Res() response: Response,
  ): Promise<void> {
    await this.answer(request, response, async (clientId) => ({
      kind: 'json',
      body: await this.payouts.query(clientId, requestNo),
    }));
  }

  @Get('statements/:date')
  @ApiOperation({
    summary:
      '对账单: the debits of ?accountNo= on a business date (Asia/Shanghai), CSV with a summary line.',
  })
  @ApiResponse({ status: 200, description: 'text/csv; charset=utf-8' })
  async statement(
    @Param('date') date: string,
    @Req() request: RequestWithRawBody,
    @Res() response: Response,
  ): Promise<void> {
    await this.answer(request, response, async (clientId) => ({
      kind: 'file',
      text: await this.payouts.statement(clientId, date, request.query.accountNo),
      contentType: 'text/csv; charset=utf-8',
    }));
  }

  /** Authenticate, run, and answer signed (or, under BANK_TIMEOUT_UNKNOWN, not at all). */
  private async answer(
    request: RequestWithRawBody,
    response: Response,
    handler: (clientId: string) => Promise<Answer>,
  ): Promise<void> {
    const subject = request.originalUrl;
    response.setHeader('X-Bank-Request-Id', randomUUID());
    let answer: Answer | undefined;
    let failure: AppError | undefined;
    try {
      answer = await handler(await this.authenticate(request));
    } catch (error) {
      if (error instanceof AppError) {
        failure = error;
      } else {
        this.logger.error({ err: error, url: request.originalUrl }, 'bank request failed');
        failure = new AppError('api_error', 'BANK.SYSTEM_ERROR', '系统错误 (sandbox bank error)');
      }
    }
    if (answer?.kind === 'json' && answer.holdResponseSeconds) {
      holdThenDrop(response, answer.holdResponseSeconds);
      return;
    }
    const [status, text, contentType] = answer
      ? answer.kind === 'file'
        ? [200, answer.text, answer.contentType]
        : [200, JSON.stringify(answer.body), 'application/json; charset=utf-8']
      : [failure!.httpStatus, JSON.stringify(failure!.toBody()), 'application/json; charset=utf-8'];
    response
      .status(status)
      .set(bankSignatureHeaders('RESPONSE', subject, text, BANK_SIGNING_KEY))
      .type(contentType)
      .send(text);
  }

  /**
   * Checks the client's signature over the request exactly as it arrived (method, original path
   * and query, raw body), the timestamp window, and only then records the nonce, so a forged
   * request cannot use up a genuine client's nonces.
   */
  private async authenticate(request: RequestWithRawBody): Promise<string> {
    const clientId = request.header(BANK_HEADERS.clientId);
    const headers = readSignatureHeaders((name) => request.header(name));
    if (!clientId || !headers) {
      throw new AppError(
        'authentication_error',
        'BANK.SIGNATURE_MISSING',
        `${BANK_HEADERS.clientId}, ${BANK_HEADERS.timestamp} (Unix seconds), ${BANK_HEADERS.nonce} (16-64 of A-Z a-z 0-9 _ -) and ${BANK_HEADERS.signature} (base64) are all required.`,
      );
    }
    const client = findBankClient(clientId);
    if (!client) {
      throw new AppError(
        'authentication_error',
        'BANK.UNKNOWN_CLIENT',
        `No enterprise client ${clientId} at this bank.`,
        BANK_HEADERS.clientId,
      );
    }
    const skew = clockSkewSeconds(headers.timestamp, new Date());
    if (skew > MAX_CLOCK_SKEW_SECONDS) {
      throw new AppError(
        'authentication_error',
        'BANK.TIMESTAMP_OUT_OF_WINDOW',
        `${BANK_HEADERS.timestamp} is ${skew} s away from the bank's clock (at most ${MAX_CLOCK_SKEW_SECONDS}).`,
        BANK_HEADERS.timestamp,
      );
    }
    const body = request.rawBody ? request.rawBody.toString('utf8') : '';
    if (!verifySignature(request.method, request.originalUrl, headers, body, client.publicKey)) {
      throw new AppError(
        'authentication_error',
        'BANK.SIGNATURE_INVALID',
        '验签失败: the signature does not verify with the client’s registered key.',
        BANK_HEADERS.signature,
      );
    }
    await this.payouts.recordNonce(clientId, headers.nonce);
    return clientId;
  }
}

/**
 * The bank has taken the payout but its answer never arrives: nothing is written, and after
 * `seconds` the connection is dropped. A client that gave up earlier closed it already.
 */
function holdThenDrop(response: Response, seconds: number): void {
  const timer = setTimeout(() => response.socket?.destroy(), seconds * 1000);
  timer.unref();
  response.on('close', () => clearTimeout(timer));
}
