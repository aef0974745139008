import { randomBytes } from 'node:crypto';
import { buildAuthorizationHeader } from '../services/cashier/src/merchant-auth/domain/request-signature';
import { DEMO_MERCHANT } from '../services/cashier/src/merchants/demo-merchant';

/**
 * Signs one merchant Open API request as the demo merchant and prints it as a curl command,
 * so a student can call the cashier by hand:
 *
 *   npm run --silent merchant-request -- POST /v1/payments '{"merchantOrderNo":"A1",...}'
 *   npm run --silent merchant-request -- GET /v1/payments/pay_...
 *
 * Each run makes a fresh nonce and timestamp: a printed command works once, within 5 minutes.
 */
function main(argv: string[]): void {
  const [method = '', target = '', body = ''] = argv;
  if (!/^(GET|POST)$/.test(method) || !target.startsWith('/')) {
    console.error("usage: merchant-request GET|POST /v1/... ['<json body>']");
    process.exit(2);
  }
  const baseUrl = process.env.CASHIER_URL ?? 'http://localhost:3000';
  const [path, query = ''] = target.split(/\?(.*)/s, 2);
  const timestamp = Math.floor(Date.now() / 1000);
  const nonce = randomBytes(12).toString('hex');
  const authorization = buildAuthorizationHeader(
    DEMO_MERCHANT.appId,
    DEMO_MERCHANT.signingSecret,
    { method, path, query, body },
    timestamp,
    nonce,
  );
  const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
  const parts = [
    `curl -sS -X ${method} ${quote(baseUrl + target)}`,
    `-H ${quote(`Authorization: ${authorization}`)}`,
  ];
  if (method === 'POST') {
    parts.push(`-H 'Content-Type: application/json'`);
    parts.push(`-H ${quote(`Idempotency-Key: ${randomBytes(8).toString('hex')}`)}`);
    parts.push(`--data-raw ${quote(body)}`);
  }
  console.log(parts.join(' \\\n  '));
}

main(process.argv.slice(2));
