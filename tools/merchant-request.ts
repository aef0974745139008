import { randomBytes } from 'node:crypto';
import { buildAuthorizationHeader } from '../services/cashier/src/merchant-auth/domain/request-signature';
import { DEMO_MERCHANTS } from '../services/cashier/src/merchants/demo-merchant';

/**
 * Signs one merchant Open API request as the demo merchant and prints it as a curl command,
 * so a student can call the cashier by hand:
 *
 *   npm run --silent merchant-request -- POST /v1/payments '{"merchantOrderNo":"A1",...}'
 *   npm run --silent merchant-request -- GET /v1/payments/pay_...
 *
 * Each run makes a fresh nonce and timestamp: a printed command works once, within 5 minutes.
 * It signs as Demo Coffee; MERCHANT_APP_ID=app_01M85DMB00EHTE541GQYE3T4V1 signs as Demo Books.
 */
function main(argv: string[]): void {
  const [method = '', target = '', body = ''] = argv;
  if (!/^(GET|POST)$/.test(method) || !target.startsWith('/')) {
    console.error("usage: merchant-request GET|POST /v1/... ['<json body>']");
    process.exit(2);
  }
  const baseUrl = process.env.CASHIER_URL ?? 'http://localhost:3000';
  const appId = process.env.MERCHANT_APP_ID ?? DEMO_MERCHANTS[0].appId;
  const merchant = DEMO_MERCHANTS.find((candidate) => candidate.appId === appId);
  if (!merchant) {
    console.error(
      `MERCHANT_APP_ID must be one of ${DEMO_MERCHANTS.map((m) => m.appId).join(', ')}`,
    );
    process.exit(2);
  }
  const [path, query = ''] = target.split(/\?(.*)/s, 2);
  const timestamp = Math.floor(Date.now() / 1000);
  const nonce = randomBytes(12).toString('hex');
  const authorization = buildAuthorizationHeader(
    merchant.appId,
    merchant.signingSecret,
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
