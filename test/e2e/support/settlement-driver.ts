import { waitFor } from '@paylab/testing';
import { HttpBankClient } from '../../../services/settlement/src/payouts/bank/http-bank-client';
import { localEnvOf } from '../../../tools/local/env-files';
import { MerchantApiClient } from './merchant-api-client';
import { asOperator, type DemoOperatorRole } from './operator-credentials';
import type { PaymentSystem } from './payment-system';

export interface Money {
  amountMinor: number;
  currency: string;
}

export interface BatchView {
  id: string;
  merchantId: string;
  settlementDate: string;
  state: 'CREATED' | 'PAYING' | 'PAID' | 'FAILED' | 'CARRIED_FORWARD' | 'SUPERSEDED';
  cycle: string;
  itemCount: number;
  paymentCount: number;
  refundCount: number;
  totals: Record<
    | 'gross'
    | 'fees'
    | 'refunds'
    | 'itemsNet'
    | 'reserveHeld'
    | 'reserveReleased'
    | 'carriedIn'
    | 'net',
    Money
  >;
  failureCode: string | null;
  payouts?: Array<{
    id: string;
    attempt: number;
    requestNo: string;
    state: string;
    amountMinor: number;
    bankTxnNo: string | null;
    failureCode: string | null;
    submitAttempts: number;
    queryAttempts: number;
  }>;
}

export interface JobRun {
  job: string;
  businessDate: string;
  status: string;
  attempts: number;
  startedAt: string;
  finishedAt: string | null;
  outcome: Record<string, unknown> | null;
}

export interface EndOfDayReport {
  target: string;
  processed: string[];
  runs: JobRun[];
}

/**
 * Drives settlement the way an instructor and an operator do (end of day, batches, bank faults,
 * books) and reads a merchant's money the way the merchant does (signed Open API).
 */
export class SettlementDriver {
  constructor(
    private readonly system: PaymentSystem,
    private readonly settlementUrl: string = system.urls.settlement,
  ) {}

  async endOfDay(
    businessDate: unknown,
    role: DemoOperatorRole = 'instructor',
    baseUrl = this.settlementUrl,
  ): Promise<{ status: number; body: EndOfDayReport & { error?: { code: string } } }> {
    const response = await fetch(`${baseUrl}/v1/admin/end-of-day`, {
      method: 'POST',
      headers: { ...asOperator(role), 'content-type': 'application/json' },
      body: JSON.stringify({ businessDate }),
    });
    return { status: response.status, body: (await response.json()) as never };
  }

  async runEndOfDay(businessDate: string): Promise<EndOfDayReport> {
    const { status, body } = await this.endOfDay(businessDate);
    if (status !== 200)
      throw new Error(`end of day ${businessDate}: ${status} ${JSON.stringify(body)}`);
    return body;
  }

  async get<T>(
    path: string,
    role: DemoOperatorRole = 'viewer',
  ): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.settlementUrl}${path}`, { headers: asOperator(role) });
    return { status: response.status, body: (await response.json()) as T };
  }

  async batches(merchantId: string, settlementDate?: string): Promise<BatchView[]> {
    const query = new URLSearchParams({
      merchantId,
      ...(settlementDate ? { settlementDate } : {}),
    });
    const { status, body } = await this.get<{ data: BatchView[] }>(
      `/v1/admin/settlement-batches?${query.toString()}`,
    );
    if (status !== 200) throw new Error(`batches: ${status} ${JSON.stringify(body)}`);
    return body.data;
  }

  async batch(batchId: string): Promise<BatchView> {
    const { status, body } = await this.get<BatchView>(`/v1/admin/settlement-batches/${batchId}`);
    if (status !== 200) throw new Error(`batch ${batchId}: ${status} ${JSON.stringify(body)}`);
    return body;
  }

  async batchReaches(batchId: string, state: BatchView['state'], timeoutMs = 60_000) {
    return waitFor(
      `${batchId} ${state}`,
      () => this.batch(batchId),
      (batch) => batch.state === state,
      { timeoutMs, intervalMs: 200 },
    );
  }

  async onlyBatch(merchantId: string, settlementDate: string): Promise<BatchView> {
    const found = await this.batches(merchantId, settlementDate);
    if (found.length !== 1) {
      throw new Error(
        `expected one batch of ${merchantId} on ${settlementDate}, got ${found.length}`,
      );
    }
    return this.batch(found[0].id);
  }

  async stageBankFault(kind: string, params: Record<string, unknown> = {}): Promise<void> {
    const response = await fetch(`${this.system.urls['channel-sandbox']}/v1/faults`, {
      method: 'POST',
      headers: { ...asOperator('instructor'), 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'BANK', kind, params, remaining: 1 }),
    });
    if (response.status !== 201) {
      throw new Error(`stage bank fault: ${response.status} ${await response.text()}`);
    }
  }

  /** The bank's statement of the platform's account, fetched with settlement's own bank client. */
  async bankStatement(date: string): Promise<string> {
    const env = localEnvOf('settlement', {});
    const bank = new HttpBankClient({
      baseUrl: `${this.system.urls['channel-sandbox']}/bank`,
      clientId: env.BANK_CLIENT_ID,
      clientPrivateKey: env.BANK_CLIENT_PRIVATE_KEY,
      bankPublicKey: env.BANK_PUBLIC_KEY,
      payerAccountNo: env.BANK_PAYER_ACCOUNT_NO,
      notifyUrl: `${this.settlementUrl}/v1/bank/payout-notifications`,
      requestTimeoutMs: 5_000,
    });
    return bank.fetchStatement(date);
  }
}

/** The merchant's own view of its money, through the signed Open API. */
export async function merchantBalance(merchant: MerchantApiClient): Promise<{
  balances: Array<
    Record<'pending' | 'available' | 'reserved' | 'inTransit', Money> & { currency: string }
  >;
}> {
  const response = await merchant.request({ method: 'GET', path: '/v1/balance' });
  if (response.status !== 200) throw new Error(`balance: ${response.status} ${response.text}`);
  return response.json as never;
}

export async function settlementStatement(
  merchant: MerchantApiClient,
  settlementId: string,
): Promise<{ status: number; contentType: string | null; bytes: Buffer; text: string }> {
  const prepared = merchant.prepare({
    method: 'GET',
    path: `/v1/settlements/${settlementId}/statement.csv`,
  });
  const response = await fetch(prepared.url, { method: 'GET', headers: prepared.headers });
  const bytes = Buffer.from(await response.arrayBuffer());
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    bytes,
    text: bytes.toString('utf8'),
  };
}
