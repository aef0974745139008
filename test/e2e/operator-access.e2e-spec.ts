import { randomBytes } from 'node:crypto';
import { newId } from '@paylab/ids';
import { buildAuthorizationHeader } from '../../services/cashier/src/merchant-auth/domain/request-signature';
import { DEMO_MERCHANT } from '../../services/cashier/src/merchants/demo-merchant';
import { DEMO_ROUTING_MERCHANT_ID } from '../../services/routing/src/demo-data';
import { composeEnvOf, SERVICE_NAMES, type ServiceName } from '../../tools/local/env-files';
import { asOperator, type DemoOperatorRole } from './support/operator-credentials';
import { shanghaiDate, startPaymentSystem, type PaymentSystem } from './support/payment-system';

type Role = DemoOperatorRole | 'service';

interface Endpoint {
  service: ServiceName;
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  /** The least role that may call it (the probe that must get through). */
  allowed: Role;
  /** A role that may not: 403. */
  refused?: Role;
}

/**
 * Every internal and admin endpoint of every service, from the controllers. Changes are sent
 * with an empty JSON body, so the probe that gets through is a validation error, never a change.
 */
const txn = newId('txn');
const ENDPOINTS: Endpoint[] = [
  // routing: channels and route decisions (路由)
  {
    service: 'routing',
    method: 'GET',
    path: '/v1/channels',
    allowed: 'viewer',
    refused: 'service',
  },
  {
    service: 'routing',
    method: 'GET',
    path: `/v1/merchants/${DEMO_ROUTING_MERCHANT_ID}/channel-accounts`,
    allowed: 'viewer',
  },
  {
    service: 'routing',
    method: 'GET',
    path: `/v1/route-decisions/${newId('rtd')}`,
    allowed: 'viewer',
  },
  {
    service: 'routing',
    method: 'POST',
    path: '/v1/route-decisions',
    allowed: 'operator',
    refused: 'viewer',
  },
  {
    service: 'routing',
    method: 'POST',
    path: '/v1/route-decisions/simulate',
    allowed: 'instructor',
    refused: 'viewer',
  },
  // acquiring: charges, transactions, active queries, statements (收单)
  {
    service: 'acquiring',
    method: 'POST',
    path: '/v1/charges',
    allowed: 'operator',
    refused: 'viewer',
  },
  {
    service: 'acquiring',
    method: 'GET',
    path: `/v1/transactions/${txn}`,
    allowed: 'viewer',
    refused: 'service',
  },
  {
    service: 'acquiring',
    method: 'POST',
    path: `/v1/transactions/${txn}/query`,
    allowed: 'operator',
    refused: 'instructor',
  },
  {
    service: 'acquiring',
    method: 'GET',
    path: `/v1/statements/ALIPAY/${shanghaiDate()}`,
    allowed: 'service',
  },
  // settlement: clearings, balances, ledger (清分、账务)
  {
    service: 'settlement',
    method: 'GET',
    path: `/v1/clearings/${txn}`,
    allowed: 'viewer',
    refused: 'service',
  },
  {
    service: 'settlement',
    method: 'GET',
    path: `/v1/merchants/${DEMO_MERCHANT.merchantId}/balances`,
    allowed: 'viewer',
  },
  { service: 'settlement', method: 'GET', path: '/v1/ledger/trial-balance', allowed: 'viewer' },
  // reconciliation: runs and discrepancies (对账)
  {
    service: 'reconciliation',
    method: 'POST',
    path: '/v1/recon-runs',
    allowed: 'instructor',
    refused: 'viewer',
  },
  {
    service: 'reconciliation',
    method: 'GET',
    path: `/v1/recon-runs/${newId('rcn')}`,
    allowed: 'viewer',
  },
  {
    service: 'reconciliation',
    method: 'GET',
    path: `/v1/recon-runs/${newId('rcn')}/discrepancies`,
    allowed: 'viewer',
  },
  // channel sandbox: the instructor's fault injection (故障注入)
  {
    service: 'channel-sandbox',
    method: 'POST',
    path: '/v1/faults',
    allowed: 'instructor',
    refused: 'operator',
  },
  { service: 'channel-sandbox', method: 'GET', path: '/v1/faults', allowed: 'viewer' },
  {
    service: 'channel-sandbox',
    method: 'DELETE',
    path: '/v1/faults/999999',
    allowed: 'instructor',
    refused: 'viewer',
  },
];

const label = (endpoint: Endpoint) => `${endpoint.service} ${endpoint.method} ${endpoint.path}`;

describe('operator access: every internal endpoint needs an operator credential with a role', () => {
  let system: PaymentSystem;
  /** Reconciliation's own credential, as deploy/env gives it. */
  const serviceToken = composeEnvOf('reconciliation').SERVICE_TOKEN;

  beforeAll(async () => {
    system = await startPaymentSystem('opaccess');
  });

  afterAll(async () => {
    await system?.stop();
  });

  function headersFor(role: Role | undefined): Record<string, string> {
    if (role === undefined) return {};
    if (role === 'service') return { authorization: `Bearer ${serviceToken}` };
    return asOperator(role);
  }

  async function probe(endpoint: Endpoint, headers: Record<string, string>) {
    const hasBody = endpoint.method === 'POST';
    const response = await fetch(`${system.urls[endpoint.service]}${endpoint.path}`, {
      method: endpoint.method,
      headers: { ...headers, ...(hasBody ? { 'content-type': 'application/json' } : {}) },
      body: hasBody ? '{}' : undefined,
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, json };
  }

  const errorShape = (type: string, code: string) => ({
    error: {
      type,
      code,
      message: expect.stringMatching(/\S/),
      requestId: expect.stringMatching(/^req_/),
    },
  });

  it('lists at least the 18 internal endpoints of the five services that have them', () => {
    expect(ENDPOINTS).toHaveLength(18);
  });

  it.each(ENDPOINTS.map((endpoint) => [label(endpoint), endpoint] as const))(
    '%s: 401 without a credential, with a wrong one, and with a merchant signature',
    async (_label, endpoint) => {
      expect(await probe(endpoint, {})).toEqual({
        status: 401,
        json: errorShape('authentication_error', 'AUTH.OPERATOR_CREDENTIAL_REQUIRED'),
      });
      const invalid = {
        status: 401,
        json: errorShape('authentication_error', 'AUTH.OPERATOR_CREDENTIAL_INVALID'),
      };
      expect(await probe(endpoint, { authorization: 'Bearer paylab-demo-nobody-token' })).toEqual(
        invalid,
      );
      const body = endpoint.method === 'POST' ? '{}' : '';
      const [path, query = ''] = endpoint.path.split('?');
      const merchantSignature = buildAuthorizationHeader(
        DEMO_MERCHANT.appId,
        DEMO_MERCHANT.signingSecret,
        { method: endpoint.method, path, query, body },
        Math.floor(Date.now() / 1000),
        randomBytes(16).toString('hex'),
      );
      expect(await probe(endpoint, { authorization: merchantSignature })).toEqual(invalid);
    },
  );

  it.each(
    ENDPOINTS.filter((endpoint) => endpoint.refused).map(
      (endpoint) => [label(endpoint), endpoint.refused!, endpoint] as const,
    ),
  )('%s: 403 for %s', async (_label, role, endpoint) => {
    const answer = await probe(endpoint, headersFor(role));
    expect(answer).toEqual({
      status: 403,
      json: errorShape('permission_error', 'AUTH.ROLE_NOT_ALLOWED'),
    });
    expect((answer.json as { error: { message: string } }).error.message).toContain(
      `Role ${role} may not do this; allowed: admin`,
    );
  });

  it.each(ENDPOINTS.map((endpoint) => [label(endpoint), endpoint.allowed, endpoint] as const))(
    '%s: gets through for %s (and for admin)',
    async (_label, role, endpoint) => {
      for (const headers of [headersFor(role), asOperator('admin')]) {
        const { status } = await probe(endpoint, headers);
        expect([401, 403]).not.toContain(status);
        expect(status).toBeLessThan(500);
      }
    },
  );

  it.each(SERVICE_NAMES)('%s keeps /health, /metrics and /docs open', async (name) => {
    for (const path of ['/health', '/health/live', '/metrics', '/docs', '/docs/openapi.json']) {
      const response = await fetch(`${system.urls[name]}${path}`);
      expect({ path, status: response.status }).toEqual({ path, status: 200 });
    }
  });

  it('lets no viewer change anything anywhere', async () => {
    for (const endpoint of ENDPOINTS.filter((candidate) => candidate.method !== 'GET')) {
      expect({
        endpoint: label(endpoint),
        status: (await probe(endpoint, asOperator('viewer'))).status,
      }).toEqual({ endpoint: label(endpoint), status: 403 });
    }
  });
});
