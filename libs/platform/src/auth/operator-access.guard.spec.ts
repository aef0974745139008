import { Body, Controller, Get, INestApplication, Post, UseGuards } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { configureHttpPipeline } from '../http/http-pipeline';
import { AcceptsFormBody } from '../http/request-media-type.guard';
import { createLogger } from '../logging/logger';
import { PlatformModule } from '../platform.module';
import { OperatorRoles, PublicEndpoint } from './operator-access';
import { hashOperatorToken, parseOperatorCredentials } from './operator-credentials';

interface ErrorJson {
  error: { type: string; code: string; message: string; param?: string };
}
type AnswerJson = ErrorJson & Record<string, unknown>;

const TOKENS = {
  admin: 'spec-admin-token',
  operator: 'spec-operator-token',
  instructor: 'spec-instructor-token',
  viewer: 'spec-viewer-token',
  service: 'spec-service-token',
};

/** Stands in for a controller's own guard (cashier's merchant signature): it must run after ours. */
const calls: string[] = [];
class RecordingGuard {
  canActivate(): boolean {
    calls.push('controller guard');
    return true;
  }
}

@Controller('spec')
class SpecController {
  @Get('read')
  read() {
    return { ok: 'read' };
  }

  @Post('change')
  change(@Body() body: unknown) {
    return { ok: 'change', body };
  }

  @OperatorRoles('instructor')
  @Post('classroom')
  classroom() {
    return { ok: 'classroom' };
  }

  @OperatorRoles('viewer', 'service')
  @Get('for-services')
  forServices() {
    return { ok: 'for-services' };
  }
}

@PublicEndpoint()
@UseGuards(RecordingGuard)
@Controller('open')
class OpenController {
  @Post('json')
  json(@Body() body: unknown) {
    return { body };
  }

  @AcceptsFormBody()
  @Post('form')
  form(@Body() body: unknown) {
    return { body };
  }

  @Get('echo/:id')
  echo() {
    calls.push('handler');
    return { ok: true };
  }
}

describe('the operator guard and the request checks of the HTTP pipeline (in-process)', () => {
  let app: INestApplication;
  let baseUrl: string;

  beforeAll(async () => {
    const operatorCredentials = parseOperatorCredentials(
      Object.entries(TOKENS)
        .map(([role, token]) => `spec-${role}:${role}:${hashOperatorToken(token)}`)
        .join(','),
    );
    const moduleRef = await Test.createTestingModule({
      imports: [
        PlatformModule.forRoot({
          serviceName: 'spec',
          logger: createLogger('spec', 'silent'),
          operatorCredentials,
        }),
      ],
      controllers: [SpecController, OpenController],
      providers: [RecordingGuard],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false, bodyParser: false });
    configureHttpPipeline(app);
    await app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });

  afterAll(async () => app?.close());

  async function call(
    method: string,
    path: string,
    init: { headers?: Record<string, string>; body?: string } = {},
  ) {
    const response = await fetch(`${baseUrl}${path}`, { method, ...init });
    const text = await response.text();
    return {
      status: response.status,
      json: text ? (JSON.parse(text) as AnswerJson) : undefined,
    };
  }
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const json = (token?: string) => ({
    ...(token ? bearer(token) : {}),
    'content-type': 'application/json',
  });

  describe('credentials', () => {
    it('answers 401 OPERATOR_CREDENTIAL_REQUIRED without a credential, in the error shape', async () => {
      const answer = await call('GET', '/spec/read');
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual({
        error: {
          type: 'authentication_error',
          code: 'AUTH.OPERATOR_CREDENTIAL_REQUIRED',
          message: expect.stringContaining('Bearer'),
          requestId: expect.stringMatching(/^req_/),
        },
      });
    });

    it.each([
      ['an unknown token', 'Bearer not-a-token'],
      ['a token of another case', `Bearer ${TOKENS.admin.toUpperCase()}`],
      ['the hash instead of the token', `Bearer ${hashOperatorToken(TOKENS.admin)}`],
      ['another scheme', `Basic ${Buffer.from(`x:${TOKENS.admin}`).toString('base64')}`],
      ['no token after Bearer', 'Bearer '],
      ['a merchant signature', 'PAYLAB-HMAC-SHA256 appId=app_1,timestamp=1,nonce=n,signature=abc'],
    ])('answers 401 OPERATOR_CREDENTIAL_INVALID for %s', async (_case, authorization) => {
      const answer = await call('GET', '/spec/read', { headers: { authorization } });
      expect(answer.status).toBe(401);
      expect(answer.json?.error).toMatchObject({
        type: 'authentication_error',
        code: 'AUTH.OPERATOR_CREDENTIAL_INVALID',
      });
    });
  });

  describe('roles', () => {
    it.each(['admin', 'operator', 'instructor', 'viewer'] as const)(
      'lets %s read an unmarked route',
      async (role) => {
        expect((await call('GET', '/spec/read', { headers: bearer(TOKENS[role]) })).status).toBe(
          200,
        );
      },
    );

    it('keeps the service role off unmarked reads', async () => {
      const answer = await call('GET', '/spec/read', { headers: bearer(TOKENS.service) });
      expect(answer.status).toBe(403);
    });

    it('keeps unmarked changes for admin', async () => {
      const admin = await call('POST', '/spec/change', {
        headers: json(TOKENS.admin),
        body: '{"a":1}',
      });
      expect(admin).toEqual({ status: 201, json: { ok: 'change', body: { a: 1 } } });
      const operator = await call('POST', '/spec/change', {
        headers: json(TOKENS.operator),
        body: '{}',
      });
      expect(operator.status).toBe(403);
      expect(operator.json?.error).toMatchObject({
        type: 'permission_error',
        code: 'AUTH.ROLE_NOT_ALLOWED',
        message: 'Role operator may not do this; allowed: admin.',
      });
    });

    it('lets the listed roles and admin through a marked route, nobody else', async () => {
      for (const role of ['instructor', 'admin'] as const) {
        expect(
          (await call('POST', '/spec/classroom', { headers: bearer(TOKENS[role]) })).status,
        ).toBe(201);
      }
      for (const role of ['operator', 'viewer', 'service'] as const) {
        const answer = await call('POST', '/spec/classroom', { headers: bearer(TOKENS[role]) });
        expect(answer.status).toBe(403);
        expect(answer.json?.error.message).toContain('allowed: admin, instructor');
      }
      expect(
        (await call('GET', '/spec/for-services', { headers: bearer(TOKENS.service) })).status,
      ).toBe(200);
      expect(
        (await call('GET', '/spec/for-services', { headers: bearer(TOKENS.operator) })).status,
      ).toBe(403);
    });

    it('leaves public routes open, and runs before the controller guard', async () => {
      calls.length = 0;
      expect((await call('GET', '/open/echo/1')).status).toBe(200);
      expect(calls).toEqual(['controller guard', 'handler']);
      expect((await call('GET', '/health/live')).status).toBe(200);
      expect((await fetch(`${baseUrl}/metrics`)).status).toBe(200);
    });
  });

  describe('bad input', () => {
    it('refuses a NUL in the path before any guard or handler runs', async () => {
      calls.length = 0;
      const answer = await call('GET', '/open/echo/pay_%00');
      expect(answer.status).toBe(400);
      expect(answer.json?.error).toMatchObject({
        type: 'invalid_request_error',
        code: 'REQUEST.INVALID_CHARACTERS',
      });
      expect(calls).toEqual([]);
      // Also ahead of the operator guard: 400, not 401.
      expect((await call('GET', '/spec/read?x=%00')).status).toBe(400);
    });

    it('names the query parameter and the body field', async () => {
      const query = await call('GET', '/open/echo/1?merchantOrderNo=%00');
      expect(query.json?.error).toMatchObject({
        code: 'REQUEST.INVALID_CHARACTERS',
        param: 'merchantOrderNo',
      });
      const body = await call('POST', '/open/json', {
        headers: json(),
        body: '{"a":{"b":"x\\u0000"}}',
      });
      expect(body.status).toBe(400);
      expect(body.json?.error).toMatchObject({ code: 'REQUEST.INVALID_CHARACTERS', param: 'a.b' });
      const surrogate = await call('POST', '/open/json', {
        headers: json(),
        body: '{"s":"\\ud800"}',
      });
      expect(surrogate.json?.error).toMatchObject({
        code: 'REQUEST.INVALID_CHARACTERS',
        param: 's',
      });
      const form = await call('POST', '/open/form', {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'subject=a%00b',
      });
      expect(form.json?.error).toMatchObject({
        code: 'REQUEST.INVALID_CHARACTERS',
        param: 'subject',
      });
    });

    it('refuses a JSON body that is not UTF-8', async () => {
      const response = await fetch(`${baseUrl}/open/json`, {
        method: 'POST',
        headers: json(),
        body: Buffer.from([0x7b, 0x22, 0x73, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]),
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as ErrorJson).error.code).toBe('REQUEST.INVALID_CHARACTERS');
    });

    it('still takes ordinary text, emoji included', async () => {
      const answer = await call('POST', '/open/json', {
        headers: json(),
        body: '{"s":"乌龙茶 😀"}',
      });
      expect(answer).toEqual({ status: 201, json: { body: { s: '乌龙茶 😀' } } });
    });
  });

  describe('media types', () => {
    it('answers 415 for a body the route does not take, before the controller guard', async () => {
      calls.length = 0;
      const answer = await call('POST', '/open/json', {
        headers: { 'content-type': 'text/plain' },
        body: '{"a":1}',
      });
      expect(answer.status).toBe(415);
      expect(answer.json?.error).toMatchObject({
        type: 'unsupported_media_type_error',
        code: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
      });
      expect(calls).toEqual([]);
      const form = await call('POST', '/open/json', {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'a=1',
      });
      expect(form.status).toBe(415);
    });

    it('takes JSON (any charset parameter) everywhere, forms where the route says so, and no body anywhere', async () => {
      const charset = await call('POST', '/open/json', {
        headers: { 'content-type': 'Application/JSON; charset=utf-8' },
        body: '{"a":1}',
      });
      expect(charset.status).toBe(201);
      const form = await call('POST', '/open/form', {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'a=1',
      });
      expect(form).toEqual({ status: 201, json: { body: { a: '1' } } });
      expect((await call('POST', '/open/form')).status).toBe(201);
      const multipart = await call('POST', '/open/form', {
        headers: { 'content-type': 'multipart/form-data; boundary=x' },
        body: '--x--',
      });
      expect(multipart.status).toBe(415);
    });
  });
});
