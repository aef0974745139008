import {
  ArgumentsHost,
  BadRequestException,
  Body,
  Controller,
  ForbiddenException,
  Get,
  HttpException,
  INestApplication,
  InternalServerErrorException,
  Logger,
  MethodNotAllowedException,
  NotFoundException,
  PayloadTooLargeException,
  Post,
  UnauthorizedException,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { lastValueFrom, type Observable } from 'rxjs';
import { Correlation } from '../logging/correlation';
import { AppError } from './app-error';
import { installBodyParsers } from '../http/http-pipeline';
import { HttpErrorFilter, toAppError } from './http-error.filter';

describe('toAppError', () => {
  it('passes an AppError through as the same instance', () => {
    const error = new AppError('conflict_error', 'PAYMENT.ILLEGAL_TRANSITION', 'nope', 'status');
    expect(toAppError(error)).toBe(error);
  });

  it('maps NotFoundException to not_found_error ROUTE.NOT_FOUND 404', () => {
    const error = toAppError(new NotFoundException('Cannot GET /nope'));
    expect(error).toBeInstanceOf(AppError);
    expect(error.type).toBe('not_found_error');
    expect(error.code).toBe('ROUTE.NOT_FOUND');
    expect(error.httpStatus).toBe(404);
    expect(error.message).toBe('Cannot GET /nope');
  });

  it('maps BadRequestException to invalid_request_error REQUEST.INVALID 400', () => {
    const error = toAppError(new BadRequestException('amount must be positive'));
    expect(error.type).toBe('invalid_request_error');
    expect(error.code).toBe('REQUEST.INVALID');
    expect(error.httpStatus).toBe(400);
    expect(error.message).toBe('amount must be positive');
  });

  it.each<[HttpException, string, string, number]>([
    [new UnauthorizedException(), 'authentication_error', 'AUTH.UNAUTHENTICATED', 401],
    [new ForbiddenException(), 'permission_error', 'AUTH.FORBIDDEN', 403],
    [new MethodNotAllowedException(), 'invalid_request_error', 'ROUTE.METHOD_NOT_ALLOWED', 400],
    [new PayloadTooLargeException(), 'invalid_request_error', 'REQUEST.TOO_LARGE', 400],
    [new HttpException('slow down', 429), 'rate_limit_error', 'REQUEST.RATE_LIMITED', 429],
    [new HttpException('conflict', 409), 'conflict_error', 'REQUEST.CONFLICT', 409],
  ])('maps %s to %s %s', (exception, type, code, status) => {
    const error = toAppError(exception);
    expect(error.type).toBe(type);
    expect(error.code).toBe(code);
    expect(error.httpStatus).toBe(status);
  });

  it('maps an unlisted 4xx HttpException to REQUEST.INVALID', () => {
    const error = toAppError(new HttpException('gone', 410));
    expect(error.type).toBe('invalid_request_error');
    expect(error.code).toBe('REQUEST.INVALID');
  });

  it('maps a 5xx HttpException to api_error INTERNAL.UNEXPECTED 500', () => {
    const error = toAppError(new InternalServerErrorException());
    expect(error.type).toBe('api_error');
    expect(error.code).toBe('INTERNAL.UNEXPECTED');
    expect(error.httpStatus).toBe(500);
  });

  it('maps a body-parser error object to REQUEST.MALFORMED_JSON', () => {
    const error = toAppError({ type: 'entity.parse.failed' });
    expect(error.type).toBe('invalid_request_error');
    expect(error.code).toBe('REQUEST.MALFORMED_JSON');
    expect(error.httpStatus).toBe(400);
    expect(error.message).toBe('The request body is not valid JSON.');
  });

  it('maps a body-parser SyntaxError carrying the parse-failure type to REQUEST.MALFORMED_JSON', () => {
    const parseError = Object.assign(new SyntaxError('Unexpected token } in JSON at position 7'), {
      type: 'entity.parse.failed',
      status: 400,
      body: '{"a":1,}',
    });
    const error = toAppError(parseError);
    expect(error.code).toBe('REQUEST.MALFORMED_JSON');
    expect(error.message).not.toContain('position 7');
  });

  it('does not treat other body-parser error types as malformed JSON', () => {
    expect(toAppError({ type: 'entity.verify.failed' }).code).not.toBe('REQUEST.MALFORMED_JSON');
    expect(toAppError({ type: 'ENTITY.PARSE.FAILED' }).code).not.toBe('REQUEST.MALFORMED_JSON');
  });

  it('maps an unknown Error to api_error INTERNAL.UNEXPECTED 500 without leaking its text', () => {
    const secret = 'password authentication failed for user "paylab" at 10.0.0.5';
    const error = toAppError(new Error(secret));
    expect(error.type).toBe('api_error');
    expect(error.code).toBe('INTERNAL.UNEXPECTED');
    expect(error.httpStatus).toBe(500);
    expect(error.message).toBe('An unexpected error occurred. It has been logged.');
    expect(error.message).not.toContain('password');
    expect(JSON.stringify(error.toBody('req_1'))).not.toContain('10.0.0.5');
    expect(error.param).toBeUndefined();
  });

  it('maps a domain error (code AREA.REASON) through the error catalogue, keeping its param', () => {
    const domain = Object.assign(new Error('amount must be positive'), {
      code: 'PAYMENT.INVALID_AMOUNT',
      param: 'amount.amountMinor',
    });
    const error = toAppError(domain);
    expect(error).toMatchObject({
      type: 'invalid_request_error',
      code: 'PAYMENT.INVALID_AMOUNT',
      message: 'amount must be positive',
      param: 'amount.amountMinor',
    });
    expect(
      toAppError(Object.assign(new Error('x'), { code: 'PAYMENT.NOT_FOUND' })).httpStatus,
    ).toBe(404);
    expect(
      toAppError(Object.assign(new Error('x'), { code: 'AUTH.SIGNATURE_MISMATCH' })).httpStatus,
    ).toBe(401);
    expect(
      toAppError(Object.assign(new Error('x'), { code: 'IDEMPOTENCY.REQUEST_IN_PROGRESS' }))
        .httpStatus,
    ).toBe(409);
    expect(
      toAppError(Object.assign(new Error('x'), { code: 'LEDGER.UNBALANCED' })).httpStatus,
    ).toBe(500);
  });

  it('keeps system errors with other codes (ECONNREFUSED, 23505) internal', () => {
    for (const code of ['ECONNREFUSED', '23505', 'request.invalid']) {
      const error = toAppError(Object.assign(new Error('connect 10.0.0.5:5432'), { code }));
      expect(error.code).toBe('INTERNAL.UNEXPECTED');
      expect(error.message).not.toContain('10.0.0.5');
    }
  });

  it.each<[string, unknown]>([
    ['a string', 'boom'],
    ['null', null],
    ['undefined', undefined],
    ['a number', 42],
    ['a plain object', { message: 'secret' }],
  ])('maps %s to INTERNAL.UNEXPECTED', (_label, thrown) => {
    const error = toAppError(thrown);
    expect(error.code).toBe('INTERNAL.UNEXPECTED');
    expect(error.httpStatus).toBe(500);
    expect(error.message).not.toContain('secret');
  });
});

interface FakeResponse {
  statusCode?: number;
  body?: unknown;
  status(code: number): FakeResponse;
  json(body: unknown): FakeResponse;
}

function httpHost(type = 'http'): { host: ArgumentsHost; response: FakeResponse } {
  const response: FakeResponse = {
    status(code) {
      this.statusCode = code;
      return this;
    },
    json(body) {
      this.body = body;
      return this;
    },
  };
  const request = { method: 'POST', originalUrl: '/v1/payments' };
  const host = {
    getType: () => type,
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }),
  } as unknown as ArgumentsHost;
  return { host, response };
}

describe('HttpErrorFilter', () => {
  let logError: ReturnType<typeof jest.spyOn>;

  beforeEach(() => {
    logError = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => {
    logError.mockRestore();
  });

  it('answers an AppError with its status and body, and the request id of the scope', () => {
    const { host, response } = httpHost();
    Correlation.run({ correlationId: 'c-1', requestId: 'req_abc' }, () =>
      new HttpErrorFilter().catch(new AppError('conflict_error', 'X.Y', 'taken', 'id'), host),
    );
    expect(response.statusCode).toBe(409);
    expect(response.body).toEqual({
      error: {
        type: 'conflict_error',
        code: 'X.Y',
        message: 'taken',
        param: 'id',
        requestId: 'req_abc',
      },
    });
    expect(logError).not.toHaveBeenCalled();
  });

  it('omits the request id outside a correlation scope', () => {
    const { host, response } = httpHost();
    new HttpErrorFilter().catch(new NotFoundException(), host);
    expect(response.statusCode).toBe(404);
    expect((response.body as { error: object }).error).not.toHaveProperty('requestId');
  });

  it('logs an unexpected error with its text but answers without it', () => {
    const { host, response } = httpHost();
    new HttpErrorFilter().catch(new Error('db exploded at 10.0.0.5'), host);
    expect(response.statusCode).toBe(500);
    expect(JSON.stringify(response.body)).not.toContain('10.0.0.5');
    expect(logError).toHaveBeenCalledTimes(1);
    expect(String(logError.mock.calls[0][0])).toContain('db exploded at 10.0.0.5');
  });

  it('rethrows, without answering, outside HTTP (message handlers keep their own handling)', async () => {
    const { host, response } = httpHost('rpc');
    const error = new Error('handler failed');
    const result = new HttpErrorFilter().catch(error, host) as Observable<never>;
    await expect(lastValueFrom(result)).rejects.toBe(error);
    expect(response.statusCode).toBeUndefined();
  });
});

@Controller('echo')
class EchoController {
  @Post()
  echo(@Body() body: unknown): unknown {
    return body;
  }

  @Get('boom')
  boom(): never {
    throw new Error('connection refused to 10.0.0.5:5432');
  }
}

/** The filter inside a real Nest + Express app, so errors arrive the way Nest delivers them. */
describe('HttpErrorFilter in a Nest application', () => {
  let app: INestApplication;
  let baseUrl: string;
  let logError: ReturnType<typeof jest.spyOn>;

  beforeAll(async () => {
    logError = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const moduleRef = await Test.createTestingModule({
      controllers: [EchoController],
      providers: [{ provide: APP_FILTER, useClass: HttpErrorFilter }],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false, bodyParser: false });
    installBodyParsers(app);
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address() as { port: number };
    baseUrl = `http://127.0.0.1:${address.port}`;
  });

  afterAll(async () => {
    await app?.close();
    logError.mockRestore();
  });

  async function call(path: string, init?: RequestInit) {
    const response = await fetch(`${baseUrl}${path}`, init);
    return { status: response.status, body: (await response.json()) as { error: AppErrorBody } };
  }
  type AppErrorBody = { type: string; code: string; message: string };

  const postJson = (body: string): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });

  it('answers a valid body normally', async () => {
    const response = await fetch(`${baseUrl}/echo`, postJson('{"a":1}'));
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ a: 1 });
  });

  it('answers an unknown route with ROUTE.NOT_FOUND 404', async () => {
    const { status, body } = await call('/nope');
    expect(status).toBe(404);
    expect(body.error).toMatchObject({ type: 'not_found_error', code: 'ROUTE.NOT_FOUND' });
  });

  it('answers an unexpected error with a generic 500', async () => {
    const { status, body } = await call('/echo/boom');
    expect(status).toBe(500);
    expect(body.error.code).toBe('INTERNAL.UNEXPECTED');
    expect(JSON.stringify(body)).not.toContain('10.0.0.5');
  });

  it('answers a malformed JSON body with REQUEST.MALFORMED_JSON 400', async () => {
    const { status, body } = await call('/echo', postJson('{"amount": 100,'));
    expect(status).toBe(400);
    expect(body.error).toEqual({
      type: 'invalid_request_error',
      code: 'REQUEST.MALFORMED_JSON',
      message: 'The request body is not valid JSON.',
    });
  });

  it('answers a body over the size limit with REQUEST.TOO_LARGE 400, not a 500', async () => {
    const { status, body } = await call(
      '/echo',
      postJson(JSON.stringify({ a: 'x'.repeat(1_100_000) })),
    );
    expect(body.error).toMatchObject({
      type: 'invalid_request_error',
      code: 'REQUEST.TOO_LARGE',
    });
    expect(status).toBe(400);
  });
});
