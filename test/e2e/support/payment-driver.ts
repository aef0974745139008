import { Client } from 'pg';
import { waitFor } from '@paylab/testing';
import { DEMO_MERCHANT } from '../../../services/cashier/src/merchants/demo-merchant';
import { MerchantApiClient } from './merchant-api-client';
import { INSTRUCTOR_TOKEN, shanghaiDate, type PaymentSystem } from './payment-system';
import { asOperator } from './operator-credentials';

export interface PaymentView {
  id: string;
  state: string;
  transactionId: string | null;
  amount: { amountMinor: number; currency: string };
}

export interface ReconRun {
  id: string;
  counts: Record<string, number>;
  discrepancyCount: number;
}

export interface Discrepancy {
  type: string;
  paymentId?: string | null;
  [field: string]: unknown;
}

/** The merchant app a driver signs as: its app id and signing secret. */
export interface DriverMerchantApp {
  appId: string;
  signingSecret: string;
}

/**
 * Drives a running PaymentSystem the way its users do: the merchant over the signed Open API,
 * the payer through checkout and the sandbox's pay page, the instructor through fault injection
 * and reconciliation runs. Each step asserts only that the call was accepted. The merchant is
 * Demo Coffee unless another merchant's app is given (e.g. DEMO_BOOKS_MERCHANT).
 */
export class PaymentDriver {
  readonly merchant: MerchantApiClient;

  constructor(
    private readonly system: PaymentSystem,
    private readonly notifyUrl?: string,
    merchantApp: DriverMerchantApp = DEMO_MERCHANT,
  ) {
    this.merchant = new MerchantApiClient(system.urls.cashier, {
      appId: merchantApp.appId,
      secret: merchantApp.signingSecret,
    });
  }

  async createOrder(
    amountMinor: number,
    options: { expiresInSeconds?: number } = {},
  ): Promise<{ payment: PaymentView; createdAt: number }> {
    const createdAt = Date.now();
    const response = await this.merchant.request({
      method: 'POST',
      path: '/v1/payments',
      idempotencyKey: `drv-${createdAt}-${Math.random()}`,
      body: JSON.stringify({
        merchantOrderNo: `DRV-${createdAt}-${Math.floor(Math.random() * 1e6)}`,
        amount: { amountMinor, currency: 'CNY' },
        subject: 'Latte (拿铁)',
        ...(this.notifyUrl ? { notifyUrl: this.notifyUrl } : {}),
        ...(options.expiresInSeconds ? { expiresInSeconds: options.expiresInSeconds } : {}),
      }),
    });
    if (response.status !== 201)
      throw new Error(`create order: ${response.status} ${response.text}`);
    return { payment: response.json as PaymentView, createdAt };
  }

  /** Opens the checkout page, chooses a method (Alipay by default), returns the channel's QR payload. */
  async checkout(
    paymentId: string,
    method = 'ALIPAY',
  ): Promise<{ qrPayload: string; payment: PaymentView }> {
    const page = await fetch(`${this.system.urls.cashier}/checkout/${paymentId}`);
    const html = await page.text();
    if (page.status !== 200) throw new Error(`checkout page: ${page.status} ${html}`);
    // Routing offers what each demo merchant can take: Alipay and WeChat Pay, not UnionPay.
    if (
      !html.includes('value="ALIPAY"') ||
      !html.includes('value="WECHAT_PAY"') ||
      html.includes('value="UNIONPAY"')
    ) {
      throw new Error(`checkout page offers the wrong methods:\n${html}`);
    }
    const response = await fetch(`${this.system.urls.cashier}/checkout/${paymentId}/credentials`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method }),
    });
    const text = await response.text();
    if (response.status !== 201)
      throw new Error(`checkout credentials: ${response.status} ${text}`);
    return JSON.parse(text) as { qrPayload: string; payment: PaymentView };
  }

  /**
   * The payer scans the QR and pays on the sandbox's page, for any channel: the sandbox's Alipay
   * qr_code and WeChat Pay code_url are both its payer page (/alipay/qr/… or /wechatpay/qr/…),
   * whose form posts to <page>/pay.
   */
  async payAtSandbox(qrPayload: string): Promise<void> {
    const response = await this.tryPayAtSandbox(qrPayload);
    if (response.status >= 300) throw new Error(`sandbox pay: ${response.status} ${response.text}`);
  }

  /** The same as payAtSandbox, but returns the sandbox's answer (a closed trade is refused). */
  async tryPayAtSandbox(qrPayload: string): Promise<{ status: number; text: string }> {
    const response = await fetch(`${qrPayload}/pay`, {
      method: 'POST',
      headers: { accept: 'application/json' },
    });
    return { status: response.status, text: await response.text() };
  }

  /** The sandbox payer page behind a QR, as HTML (shows the order payable, paid or closed). */
  async payerPage(qrPayload: string): Promise<string> {
    const response = await fetch(qrPayload);
    const html = await response.text();
    if (response.status !== 200) throw new Error(`payer page: ${response.status} ${html}`);
    return html;
  }

  /**
   * The payer scans the aggregated QR (一码付) with a wallet app: follows cashier's redirect to the
   * checkout page of the wallet's method, which charges and shows the channel's QR.
   */
  async scanAggregatedQr(paymentId: string, userAgent: string): Promise<string> {
    const scan = await fetch(`${this.system.urls.cashier}/qr/${paymentId}`, {
      redirect: 'manual',
      headers: { 'user-agent': userAgent },
    });
    const location = scan.headers.get('location');
    if (scan.status !== 302 || !location) throw new Error(`aggregated QR: ${scan.status}`);
    const page = await fetch(`${this.system.urls.cashier}${location}`, {
      headers: { 'user-agent': userAgent },
    });
    const html = await page.text();
    if (page.status !== 200) throw new Error(`checkout page: ${page.status} ${html}`);
    return html;
  }

  async payment(paymentId: string): Promise<PaymentView> {
    const response = await this.merchant.request({
      method: 'GET',
      path: `/v1/payments/${paymentId}`,
    });
    if (response.status !== 200)
      throw new Error(`get payment: ${response.status} ${response.text}`);
    return response.json as PaymentView;
  }

  /** Create, check out and pay one order; resolves once the merchant sees it SUCCEEDED. */
  async payOnce(
    amountMinor: number,
    method = 'ALIPAY',
  ): Promise<PaymentView & { createdAt: number; succeededAt: number }> {
    const { payment, createdAt } = await this.createOrder(amountMinor);
    const { qrPayload } = await this.checkout(payment.id, method);
    await this.payAtSandbox(qrPayload);
    const succeeded = await waitFor(
      `${payment.id} SUCCEEDED`,
      () => this.payment(payment.id),
      (view) => view.state === 'SUCCEEDED',
      { timeoutMs: 60_000, intervalMs: 50 },
    );
    return { ...succeeded, createdAt, succeededAt: Date.now() };
  }

  async stageFault(
    kind: string,
    params?: Record<string, unknown>,
    channel: 'ALIPAY' | 'WECHAT_PAY' = 'ALIPAY',
  ): Promise<void> {
    const response = await fetch(`${this.system.urls['channel-sandbox']}/v1/faults`, {
      method: 'POST',
      headers: { authorization: `Bearer ${INSTRUCTOR_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        channel,
        kind,
        remaining: 1,
        ...(params ? { params } : {}),
      }),
    });
    if (response.status !== 201)
      throw new Error(`stage fault: ${response.status} ${await response.text()}`);
  }

  async clearing(transactionId: string): Promise<Record<string, unknown>> {
    const clearing = await waitFor(
      `clearing of ${transactionId}`,
      async () => {
        const response = await fetch(
          `${this.system.urls.settlement}/v1/clearings/${transactionId}`,
          { headers: asOperator('viewer') },
        );
        return response.status === 200
          ? ((await response.json()) as Record<string, unknown>)
          : undefined;
      },
      (found) => found !== undefined,
      { timeoutMs: 30_000, intervalMs: 50 },
    );
    return clearing!;
  }

  /**
   * Reconciles today's statement of a channel (Alipay by default), fetched through acquiring:
   * the channel's default account's, or that of `channelAccountId`.
   */
  async reconcileToday(channel = 'ALIPAY', channelAccountId?: string): Promise<ReconRun> {
    const response = await fetch(`${this.system.urls.reconciliation}/v1/recon-runs`, {
      method: 'POST',
      headers: { ...asOperator('instructor'), 'content-type': 'application/json' },
      body: JSON.stringify({
        channel,
        businessDate: shanghaiDate(),
        ...(channelAccountId ? { channelAccountId } : {}),
      }),
    });
    const text = await response.text();
    if (response.status !== 201) throw new Error(`recon run: ${response.status} ${text}`);
    return JSON.parse(text) as ReconRun;
  }

  async discrepancies(runId: string): Promise<Discrepancy[]> {
    const response = await fetch(
      `${this.system.urls.reconciliation}/v1/recon-runs/${runId}/discrepancies?limit=100`,
      { headers: asOperator('viewer') },
    );
    const body = (await response.json()) as { data?: Discrepancy[]; items?: Discrepancy[] };
    return body.data ?? body.items ?? [];
  }

  async query<T>(sql: string, parameters: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: this.system.databaseUrl });
    await client.connect();
    try {
      return (await client.query(sql, parameters)).rows as T[];
    } finally {
      await client.end();
    }
  }
}

/** Outcomes other than MATCHED that occurred, with their counts. */
export function breaksOf(run: ReconRun): Record<string, number> {
  return Object.fromEntries(
    Object.entries(run.counts).filter(([outcome, n]) => outcome !== 'MATCHED' && n > 0),
  );
}
