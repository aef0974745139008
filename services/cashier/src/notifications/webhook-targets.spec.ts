import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebhookAllowList } from './domain/webhook-address';
import { postPinned, WebhookTargets } from './webhook-targets';

describe('WebhookTargets (real DNS through the system resolver)', () => {
  it('refuses at delivery a name that resolves to loopback, unless the list names it', async () => {
    const strict = new WebhookTargets(WebhookAllowList.NONE);
    const refused = await strict.forDelivery('http://localhost:4000/webhooks');
    expect(refused).toEqual({
      allowed: false,
      reason: expect.stringMatching(/^localhost resolves to (127\.0\.0\.1|::1): a loopback/),
    });
    const lab = new WebhookTargets(WebhookAllowList.parse('localhost'));
    const allowed = await lab.forDelivery('http://localhost:4000/webhooks');
    expect(allowed).toMatchObject({ allowed: true, target: { address: expect.any(String) } });
  });

  it('refuses at create with the domain error, param named', async () => {
    const strict = new WebhookTargets(WebhookAllowList.NONE);
    await expect(strict.assertAllowed('http://localhost/hook', 'notifyUrl')).rejects.toMatchObject({
      code: 'PAYMENT.WEBHOOK_URL_NOT_ALLOWED',
      param: 'notifyUrl',
    });
    await expect(strict.assertAllowed('http://[fe80::1]/hook', 'notifyUrl')).rejects.toMatchObject({
      code: 'PAYMENT.WEBHOOK_URL_NOT_ALLOWED',
    });
    // Malformed URLs are the domain's to report; a public literal passes.
    await expect(strict.assertAllowed('not a url', 'notifyUrl')).resolves.toBeUndefined();
    await expect(strict.assertAllowed(undefined, 'notifyUrl')).resolves.toBeUndefined();
    await expect(
      strict.assertAllowed('https://93.184.216.34/hook', 'notifyUrl'),
    ).resolves.toBeUndefined();
  });
});

describe('postPinned', () => {
  let server: Server;
  let port: number;
  const seen: Array<{ headers: IncomingHttpHeaders; body: string; url?: string }> = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        seen.push({ headers: request.headers, body, url: request.url });
        response
          .writeHead(request.url === '/redirect' ? 302 : 204, { location: 'http://x/' })
          .end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('connects to the checked address without resolving the name again (no DNS rebinding)', async () => {
    // .invalid never resolves: the request can only arrive through the pinned address.
    const url = new URL(`http://merchant.invalid:${port}/hook?x=1`);
    const result = await postPinned(
      { url, address: '127.0.0.1', family: 4 },
      { 'content-type': 'application/json' },
      '{"a":"乌龙"}',
      5_000,
    );
    expect(result).toEqual({ status: 204 });
    expect(seen.at(-1)).toMatchObject({
      url: '/hook?x=1',
      body: '{"a":"乌龙"}',
      headers: {
        host: `merchant.invalid:${port}`,
        'content-length': String(Buffer.byteLength('{"a":"乌龙"}')),
      },
    });
  });

  it('does not follow a redirect', async () => {
    const url = new URL(`http://merchant.invalid:${port}/redirect`);
    expect(await postPinned({ url, address: '127.0.0.1', family: 4 }, {}, '', 5_000)).toEqual({
      status: 302,
    });
    expect(seen.at(-1)?.url).toBe('/redirect');
  });
});
