import { ChannelPaymentSucceeded, ChannelRefundSucceeded } from '@paylab/contracts';
import { newId } from '@paylab/ids';
import { createKafka, kafkaConsumer, publishEvent } from '@paylab/messaging';
import { createLogger, startService, type RunningService } from '@paylab/platform';
import {
  createDatabase,
  dropDatabase,
  ENV_VARIABLES,
  freePort,
  uniqueSchemaName,
  waitFor,
} from '@paylab/testing';
import { Client } from 'pg';
import type { z } from 'zod';
import type { ReconciliationConfig } from '../../../services/reconciliation/src/config';
import { reconciliationService } from '../../../services/reconciliation/src/service';
import { asOperator } from '../../e2e/support/operator-credentials';
import { alipayCsv, alipayRowText, wechatBill, type AlipayRow } from './statement-fixtures';
import { composeEnvOf } from '../../../tools/local/env-files';

/** The demo operator credentials and service token of deploy/env (local mode and compose). */
const DEMO_RECONCILIATION_ENV = composeEnvOf('reconciliation');

const infra = {
  databaseUrl: process.env[ENV_VARIABLES.databaseUrl]!,
  brokers: process.env[ENV_VARIABLES.kafkaBrokers]!.split(','),
};

type Payment = z.infer<typeof ChannelPaymentSucceeded.schema>;
type ChannelRefund = z.infer<typeof ChannelRefundSucceeded.schema>;

interface Answer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * A business date no other suite uses: the consumer reads the shared topic from the beginning,
 * so other tests' events land in this database too, but never under these dates.
 */
function rareBusinessDate(): string {
  const day = new Date(Date.UTC(2040 + Math.floor(Math.random() * 50), 0, 1));
  day.setUTCDate(1 + Math.floor(Math.random() * 300));
  return day.toISOString().slice(0, 10);
}

function nextDate(date: string): string {
  const day = new Date(`${date}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() + 1);
  return day.toISOString().slice(0, 10);
}

/** `date` at Shanghai wall time `hhmmss`, as the UTC instant and as statement text. */
function shanghai(date: string, time: string): { iso: string; text: string } {
  const instant = new Date(`${date}T${time}+08:00`);
  return { iso: instant.toISOString(), text: `${date} ${time}` };
}

describe('reconciliation: projection from ChannelPaymentSucceeded + recon runs (real Postgres and Kafka)', () => {
  const databaseName = `paylab_recon_${Date.now().toString(36)}`;
  let service: RunningService<ReconciliationConfig>;
  let baseUrl: string;
  let db: Client;
  let kafka: ReturnType<typeof createKafka>;

  beforeAll(async () => {
    const databaseUrl = await createDatabase(infra.databaseUrl, databaseName);
    const port = await freePort();
    // A consumer group of its own, so no other reconciliation process takes these partitions.
    const group = uniqueSchemaName('reconciliation');
    service = await startService(
      {
        ...reconciliationService,
        consumer: (config, logger) =>
          kafkaConsumer({
            serviceName: group,
            brokers: config.KAFKA_BROKERS,
            logger,
            concurrency: 3,
            sessionTimeoutMs: 10_000,
          }),
      },
      {
        HTTP_PORT: String(port),
        HTTP_HOST: '127.0.0.1',
        LOG_LEVEL: process.env.PAYLAB_TEST_LOG_LEVEL ?? 'warn',
        DATABASE_URL: databaseUrl,
        KAFKA_BROKERS: infra.brokers.join(','),
        // Nothing here fetches through acquiring: statements are uploaded. Port 9 (discard) makes any fetch fail fast.
        ACQUIRING_URL: 'http://127.0.0.1:9',
        SERVICE_TOKEN: DEMO_RECONCILIATION_ENV.SERVICE_TOKEN,
        OPERATOR_CREDENTIALS: DEMO_RECONCILIATION_ENV.OPERATOR_CREDENTIALS,
        OUTBOX_POLL_INTERVAL_MS: '50',
      },
    );
    baseUrl = `http://127.0.0.1:${port}`;
    db = new Client({ connectionString: databaseUrl });
    await db.connect();
    kafka = createKafka({
      clientId: 'it-recon',
      brokers: infra.brokers,
      logger: createLogger('it', 'warn'),
    });
  });

  afterAll(async () => {
    await service?.stop();
    await db?.end();
    await dropDatabase(infra.databaseUrl, databaseName);
  });

  function payment(
    channel: Payment['channel'],
    businessDate: string,
    amountMinor: number,
    paidAt: string,
  ): Payment {
    return {
      transactionId: newId('txn'),
      paymentId: newId('pay'),
      merchantId: newId('mch'),
      channel,
      channelTradeNo: `${businessDate.replace(/-/g, '')}2200${Math.floor(Math.random() * 1e12)}`,
      amount: { amountMinor, currency: 'CNY' },
      paidAt,
      businessDate,
      confirmedBy: 'CALLBACK',
    };
  }

  /** Publishes each event as acquiring's outbox would: key = payment id, the PayLab headers. */
  async function publish(events: Array<{ payment: Payment; messageId?: string }>): Promise<void> {
    for (const { payment: p, messageId } of events) {
      await publishEvent(kafka, ChannelPaymentSucceeded, ChannelPaymentSucceeded.schema.parse(p), {
        messageId,
        correlationId: `it-recon-${p.paymentId}`,
        producer: 'acquiring',
        occurredAt: p.paidAt,
      });
    }
  }

  async function projected(channel: string, businessDate: string): Promise<number> {
    const rows = (
      await db.query(
        `SELECT count(*)::int AS n FROM reconciliation.platform_transactions WHERE channel = $1 AND business_date = $2`,
        [channel, businessDate],
      )
    ).rows as Array<{ n: number }>;
    return rows[0].n;
  }

  /** What is stored for one business date, whichever order the tests run in. */
  async function storedRows(businessDate: string): Promise<Record<string, number>> {
    const { rows } = await db.query(
      `SELECT
         (SELECT count(*)::int FROM reconciliation.recon_runs WHERE business_date = $1) AS recon_runs,
         (SELECT count(*)::int FROM reconciliation.recon_results r
            JOIN reconciliation.recon_runs run ON run.id = r.run_id WHERE run.business_date = $1) AS recon_results,
         (SELECT count(*)::int FROM reconciliation.discrepancies WHERE business_date = $1) AS discrepancies`,
      [businessDate],
    );
    return rows[0] as Record<string, number>;
  }

  async function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Answer> {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...asOperator('instructor'),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
  }

  const upload = (channel: string, businessDate: string, format: string, file: Buffer) =>
    call('POST', '/v1/recon-runs', {
      channel,
      businessDate,
      statement: { format, contentBase64: file.toString('base64') },
    });

  const NO_OUTCOMES = {
    MATCHED: 0,
    MISSING_IN_PLATFORM: 0,
    MISSING_IN_CHANNEL: 0,
    AMOUNT_MISMATCH: 0,
    STATUS_MISMATCH: 0,
    FEE_MISMATCH: 0,
    DUPLICATE: 0,
    CROSS_DAY: 0,
    REFUND_MISSING_IN_PLATFORM: 0,
    REFUND_MISSING_IN_CHANNEL: 0,
    REFUND_AMOUNT_MISMATCH: 0,
  };

  function refundOf(p: Payment, amountMinor: number, refundedAt: string): ChannelRefund {
    return {
      refundId: newId('ref'),
      paymentId: p.paymentId,
      merchantId: p.merchantId,
      transactionId: p.transactionId,
      kind: 'MERCHANT_REFUND',
      channel: p.channel,
      channelAccountId: p.channelAccountId,
      amount: { amountMinor, currency: 'CNY' },
      channelRefundNo: `${p.channelTradeNo.slice(0, 20)}R${Math.floor(Math.random() * 1e6)}`,
      channelTradeNo: p.channelTradeNo,
      refundedAt,
      businessDate: p.businessDate,
      confirmedBy: 'SYNC_RESPONSE',
    };
  }

  /** Publishes refunds as acquiring's outbox would. */
  async function publishRefunds(refunds: ChannelRefund[]): Promise<void> {
    for (const refund of refunds) {
      await publishEvent(
        kafka,
        ChannelRefundSucceeded,
        ChannelRefundSucceeded.schema.parse(refund),
        {
          producer: 'acquiring',
          occurredAt: refund.refundedAt,
        },
      );
    }
  }

  async function projectedRefunds(channel: string, businessDate: string): Promise<number> {
    const { rows } = await db.query(
      `SELECT count(*)::int AS n FROM reconciliation.platform_refunds WHERE channel = $1 AND business_date = $2`,
      [channel, businessDate],
    );
    return (rows[0] as { n: number }).n;
  }

  describe('an Alipay statement with one of each break', () => {
    const date = rareBusinessDate();
    const noon = shanghai(date, '12:00:00');
    const matched = payment('ALIPAY', date, 10_000, noon.iso);
    const amountDiffers = payment('ALIPAY', date, 2_500, noon.iso);
    const leftOut = payment('ALIPAY', date, 777, shanghai(date, '09:30:00').iso);
    const neverSeenTradeNo = `${date.replace(/-/g, '')}2200999${Date.now()}`;
    const rows: AlipayRow[] = [
      { tradeNo: matched.channelTradeNo, amount: '100.00', completedAt: noon.text },
      { tradeNo: amountDiffers.channelTradeNo, amount: '25.01', completedAt: noon.text },
      { tradeNo: neverSeenTradeNo, amount: '8.88', completedAt: noon.text },
    ];

    beforeAll(async () => {
      const matchedMessageId = newId('evt');
      await publish([
        { payment: matched, messageId: matchedMessageId },
        { payment: amountDiffers },
        { payment: leftOut },
        // A redelivery of the first event: the inbox must keep it from counting twice.
        { payment: matched, messageId: matchedMessageId },
      ]);
      await waitFor(
        'three projected transactions',
        () => projected('ALIPAY', date),
        (n) => n === 3,
      );
    });

    it('projects each transaction once, with its facts', async () => {
      const { rows: stored } = await db.query(
        `SELECT transaction_id, payment_id, channel_trade_no, amount_minor, currency, status, paid_at, business_date::text AS business_date
           FROM reconciliation.platform_transactions WHERE transaction_id = $1`,
        [matched.transactionId],
      );
      expect(stored).toEqual([
        {
          transaction_id: matched.transactionId,
          payment_id: matched.paymentId,
          channel_trade_no: matched.channelTradeNo,
          amount_minor: '10000',
          currency: 'CNY',
          status: 'SUCCEEDED',
          paid_at: new Date(noon.iso),
          business_date: date,
        },
      ]);
      expect(await projected('ALIPAY', date)).toBe(3);
    });

    it('rejects bad requests and a malformed statement, storing nothing', async () => {
      const good = alipayCsv(rows);
      const broken = alipayCsv(rows, {
        rowsText: [alipayRowText(rows[0]), alipayRowText({ ...rows[1], amount: '25.0x' })],
        declaredTrades: 2,
      });
      const cases: Array<[unknown, number, string, string]> = [
        // [body, status, code, param]
        [
          {
            channel: 'ALIPAY',
            businessDate: date,
            statement: { format: 'ALIPAY_CSV', contentBase64: broken.toString('base64') },
          },
          400,
          'RECON.STATEMENT_MALFORMED',
          'statement.contentBase64',
        ],
        [
          {
            channel: 'ALIPAY',
            businessDate: date,
            statement: { format: 'WECHAT_BILL', contentBase64: good.toString('base64') },
          },
          400,
          'RECON.STATEMENT_CHANNEL_MISMATCH',
          'statement.format',
        ],
        [
          {
            channel: 'ALIPAY',
            businessDate: '2041-02-30',
            statement: { format: 'ALIPAY_CSV', contentBase64: good.toString('base64') },
          },
          400,
          'REQUEST.VALIDATION_FAILED',
          'businessDate',
        ],
        [
          {
            channel: 'PAYPAL',
            businessDate: date,
            statement: { format: 'ALIPAY_CSV', contentBase64: good.toString('base64') },
          },
          400,
          'REQUEST.VALIDATION_FAILED',
          'channel',
        ],
        [
          {
            channel: 'ALIPAY',
            businessDate: date,
            statement: { format: 'ALIPAY_CSV', contentBase64: 'not base64!' },
          },
          400,
          'REQUEST.VALIDATION_FAILED',
          'statement.contentBase64',
        ],
        [
          {
            channel: 'ALIPAY',
            businessDate: date,
            statement: { format: 'ALIPAY_CSV', contentBase64: good.toString('base64') },
            dryRun: true,
          },
          400,
          'REQUEST.VALIDATION_FAILED',
          'dryRun',
        ],
      ];
      for (const [body, status, code, param] of cases) {
        const answer = await call('POST', '/v1/recon-runs', body);
        expect({ status: answer.status, code: answer.body?.error?.code }).toEqual({ status, code });
        expect(answer.body.error).toMatchObject({ type: 'invalid_request_error', param });
        expect(answer.body.error.requestId).toEqual(expect.any(String));
      }
      const malformed = await call('POST', '/v1/recon-runs', cases[0][0]);
      // The header is line 5 of the file, so the second row is line 7.
      expect(malformed.body.error.message).toContain('line 7');
      expect(await storedRows(date)).toEqual({ recon_runs: 0, recon_results: 0, discrepancies: 0 });
    });

    it('finds exactly MATCHED, AMOUNT_MISMATCH, MISSING_IN_PLATFORM and MISSING_IN_CHANNEL', async () => {
      const created = await upload('ALIPAY', date, 'ALIPAY_CSV', alipayCsv(rows));
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        id: expect.stringMatching(/^rcn_[0-9A-HJKMNP-TV-Z]{26}$/),
        channel: 'ALIPAY',
        businessDate: date,
        status: 'COMPLETED',
        crossDayWindowMinutes: 5,
        statement: {
          format: 'ALIPAY_CSV',
          lineCount: 3,
          sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        },
        discrepancyCount: 3,
      });
      expect(created.body.counts).toEqual({
        ...NO_OUTCOMES,
        MATCHED: 1,
        AMOUNT_MISMATCH: 1,
        MISSING_IN_PLATFORM: 1,
        MISSING_IN_CHANNEL: 1,
      });
      const runId = created.body.id as string;

      const fetched = await call('GET', `/v1/recon-runs/${runId}`);
      expect(fetched).toEqual({ status: 200, body: created.body });

      const { rows: results } = await db.query(
        `SELECT outcome, channel_trade_no, transaction_id FROM reconciliation.recon_results WHERE run_id = $1 ORDER BY seq`,
        [runId],
      );
      expect(results).toEqual([
        {
          outcome: 'MATCHED',
          channel_trade_no: matched.channelTradeNo,
          transaction_id: matched.transactionId,
        },
        {
          outcome: 'AMOUNT_MISMATCH',
          channel_trade_no: amountDiffers.channelTradeNo,
          transaction_id: amountDiffers.transactionId,
        },
        {
          outcome: 'MISSING_IN_PLATFORM',
          channel_trade_no: neverSeenTradeNo,
          transaction_id: null,
        },
        {
          outcome: 'MISSING_IN_CHANNEL',
          channel_trade_no: leftOut.channelTradeNo,
          transaction_id: leftOut.transactionId,
        },
      ]);

      const list = await call('GET', `/v1/recon-runs/${runId}/discrepancies`);
      expect(list.status).toBe(200);
      expect(list.body.hasMore).toBe(false);
      const byType = Object.fromEntries(
        (list.body.data as Array<{ type: string }>).map((d) => [d.type, d]),
      );
      expect(Object.keys(byType).sort()).toEqual([
        'AMOUNT_MISMATCH',
        'MISSING_IN_CHANNEL',
        'MISSING_IN_PLATFORM',
      ]);
      for (const d of list.body.data) {
        expect(d).toMatchObject({ runId, status: 'OPEN', channel: 'ALIPAY', businessDate: date });
        expect(d.id).toMatch(/^dsc_[0-9A-HJKMNP-TV-Z]{26}$/);
      }
      expect(byType.AMOUNT_MISMATCH).toMatchObject({
        channelTradeNo: amountDiffers.channelTradeNo,
        statement: { lineNo: 7, amount: { amountMinor: 2_501, currency: 'CNY' } },
        platform: {
          transactionId: amountDiffers.transactionId,
          amount: { amountMinor: 2_500, currency: 'CNY' },
        },
      });
      expect(byType.MISSING_IN_PLATFORM).toMatchObject({
        channelTradeNo: neverSeenTradeNo,
        statement: { lineNo: 8, amount: { amountMinor: 888, currency: 'CNY' } },
        platform: null,
      });
      expect(byType.MISSING_IN_CHANNEL).toMatchObject({
        channelTradeNo: leftOut.channelTradeNo,
        statement: null,
        platform: { transactionId: leftOut.transactionId, paymentId: leftOut.paymentId },
      });

      // Cursor pagination walks the same three, in order, without repeats.
      const first = await call('GET', `/v1/recon-runs/${runId}/discrepancies?limit=2`);
      expect(first.body).toMatchObject({ hasMore: true, nextCursor: first.body.data[1].id });
      const second = await call(
        'GET',
        `/v1/recon-runs/${runId}/discrepancies?limit=2&startingAfter=${first.body.nextCursor}`,
      );
      expect(second.body).toMatchObject({ hasMore: false, nextCursor: null });
      expect([...first.body.data, ...second.body.data].map((d: { id: string }) => d.id)).toEqual(
        list.body.data.map((d: { id: string }) => d.id),
      );
      expect(await storedRows(date)).toEqual({ recon_runs: 1, recon_results: 4, discrepancies: 3 });
    });

    it('answers 404 for an unknown run and 400 for a bad page query', async () => {
      const missing = await call('GET', `/v1/recon-runs/${newId('rcn')}`);
      expect(missing.status).toBe(404);
      expect(missing.body.error).toMatchObject({
        type: 'not_found_error',
        code: 'RECON_RUN.NOT_FOUND',
      });
      const missingList = await call('GET', `/v1/recon-runs/${newId('rcn')}/discrepancies`);
      expect(missingList.status).toBe(404);
      const { rows: runs } = await db.query(`SELECT id FROM reconciliation.recon_runs LIMIT 1`);
      for (const query of ['limit=0', 'limit=101', 'limit=x', 'startingAfter=abc', 'sort=id']) {
        const bad = await call('GET', `/v1/recon-runs/${runs[0].id}/discrepancies?${query}`);
        expect({ query, status: bad.status, code: bad.body.error?.code }).toEqual({
          query,
          status: 400,
          code: 'REQUEST.VALIDATION_FAILED',
        });
      }
    });
  });

  it('holds a payment made at 23:58 as CROSS_DAY and matches it on the next day', async () => {
    const day1 = rareBusinessDate();
    const day2 = nextDate(day1);
    const late = payment('WECHAT_PAY', day1, 1_999, shanghai(day1, '23:58:00').iso);
    await publish([{ payment: late }]);
    await waitFor(
      'the late payment projected',
      () => projected('WECHAT_PAY', day1),
      (n) => n === 1,
    );

    const first = await upload('WECHAT_PAY', day1, 'WECHAT_BILL', wechatBill([]));
    expect(first.status).toBe(201);
    expect(first.body.counts).toEqual({ ...NO_OUTCOMES, CROSS_DAY: 1 });
    expect(first.body.discrepancyCount).toBe(0);

    const second = await upload(
      'WECHAT_PAY',
      day2,
      'WECHAT_BILL',
      wechatBill([
        {
          tradeNo: late.channelTradeNo,
          amount: '19.99',
          tradedAt: shanghai(day2, '00:00:02').text,
        },
      ]),
    );
    expect(second.status).toBe(201);
    expect(second.body.counts).toEqual({ ...NO_OUTCOMES, MATCHED: 1 });
    expect(second.body.discrepancyCount).toBe(0);
    const { rows } = await db.query(
      `SELECT outcome, transaction_id, carried_from_business_date::text AS carried FROM reconciliation.recon_results WHERE run_id = $1`,
      [second.body.id],
    );
    expect(rows).toEqual([
      { outcome: 'MATCHED', transaction_id: late.transactionId, carried: day1 },
    ]);
  });

  describe('refund lines (退款) against platform refunds', () => {
    it('Alipay: each refund MATCHED by our refund id; a refund only one side has is REFUND_MISSING_*, never STATUS_MISMATCH', async () => {
      const date = rareBusinessDate();
      const noon = shanghai(date, '12:00:00');
      const later = shanghai(date, '15:00:00');
      const paid = payment('ALIPAY', date, 10_000, noon.iso);
      const refundedOnly = payment('ALIPAY', date, 5_000, noon.iso);
      const first = refundOf(paid, 3_000, later.iso);
      const second = refundOf(paid, 2_000, later.iso);
      const onlyOurs = refundOf(paid, 1_000, later.iso);
      const ofRefundedOnly = refundOf(refundedOnly, 5_000, later.iso);
      await publish([{ payment: paid }, { payment: refundedOnly }]);
      await publishRefunds([first, second, onlyOurs, ofRefundedOnly]);
      await waitFor(
        'two payments',
        () => projected('ALIPAY', date),
        (n) => n === 2,
      );
      await waitFor(
        'four refunds',
        () => projectedRefunds('ALIPAY', date),
        (n) => n === 4,
      );
      const unknownRefundId = newId('ref');

      const rows: AlipayRow[] = [
        { tradeNo: paid.channelTradeNo, amount: '100.00', completedAt: noon.text },
        { tradeNo: refundedOnly.channelTradeNo, amount: '50.00', completedAt: noon.text },
        {
          tradeNo: paid.channelTradeNo,
          kind: '退款',
          amount: '-30.00',
          completedAt: later.text,
          refundNo: first.refundId,
        },
        {
          tradeNo: paid.channelTradeNo,
          kind: '退款',
          amount: '-20.00',
          completedAt: later.text,
          refundNo: second.refundId,
        },
        {
          tradeNo: refundedOnly.channelTradeNo,
          kind: '退款',
          amount: '-50.00',
          completedAt: later.text,
          refundNo: ofRefundedOnly.refundId,
        },
        {
          tradeNo: paid.channelTradeNo,
          kind: '退款',
          amount: '-4.00',
          completedAt: later.text,
          refundNo: unknownRefundId,
        },
      ];
      const created = await upload('ALIPAY', date, 'ALIPAY_CSV', alipayCsv(rows));
      expect(created.status).toBe(201);
      expect(created.body.counts).toEqual({
        ...NO_OUTCOMES,
        MATCHED: 5,
        REFUND_MISSING_IN_PLATFORM: 1,
        REFUND_MISSING_IN_CHANNEL: 1,
      });
      const list = await call('GET', `/v1/recon-runs/${created.body.id}/discrepancies`);
      const byType = Object.fromEntries(
        (list.body.data as Array<{ type: string }>).map((d) => [d.type, d]),
      );
      expect(byType.REFUND_MISSING_IN_PLATFORM).toMatchObject({
        channelTradeNo: paid.channelTradeNo,
        statement: {
          status: 'REFUND',
          refundRequestNo: unknownRefundId,
          amount: { amountMinor: 400 },
        },
        platform: null,
      });
      expect(byType.REFUND_MISSING_IN_CHANNEL).toMatchObject({
        channelTradeNo: paid.channelTradeNo,
        statement: null,
        platform: { refundId: onlyOurs.refundId, amount: { amountMinor: 1_000 } },
      });
      const { rows: results } = await db.query(
        `SELECT outcome, refund_id FROM reconciliation.recon_results WHERE run_id = $1 AND refund_id IS NOT NULL ORDER BY seq`,
        [created.body.id],
      );
      expect(results).toEqual([
        { outcome: 'MATCHED', refund_id: first.refundId },
        { outcome: 'MATCHED', refund_id: second.refundId },
        { outcome: 'MATCHED', refund_id: ofRefundedOnly.refundId },
        { outcome: 'REFUND_MISSING_IN_CHANNEL', refund_id: onlyOurs.refundId },
      ]);
    });

    it('WeChat: refund rows matched by 商户退款单号; an amount that differs is REFUND_AMOUNT_MISMATCH', async () => {
      const date = rareBusinessDate();
      const noon = shanghai(date, '12:00:00');
      const paid = payment('WECHAT_PAY', date, 8_000, noon.iso);
      const matched = refundOf(paid, 1_000, noon.iso);
      const differs = refundOf(paid, 2_000, noon.iso);
      await publish([{ payment: paid }]);
      await publishRefunds([matched, differs]);
      await waitFor(
        'the payment',
        () => projected('WECHAT_PAY', date),
        (n) => n === 1,
      );
      await waitFor(
        'two refunds',
        () => projectedRefunds('WECHAT_PAY', date),
        (n) => n === 2,
      );
      const refundRow = (refund: ChannelRefund, amount: string) => ({
        tradeNo: paid.channelTradeNo,
        status: 'REFUND',
        amount,
        tradedAt: noon.text,
        refundNo: refund.channelRefundNo,
        refundRequestNo: refund.refundId,
      });
      const created = await upload(
        'WECHAT_PAY',
        date,
        'WECHAT_BILL',
        wechatBill([
          { tradeNo: paid.channelTradeNo, amount: '80.00', tradedAt: noon.text },
          refundRow(matched, '10.00'),
          refundRow(differs, '20.01'),
        ]),
      );
      expect(created.status).toBe(201);
      expect(created.body.counts).toEqual({
        ...NO_OUTCOMES,
        MATCHED: 2,
        REFUND_AMOUNT_MISMATCH: 1,
      });
    });

    it('scopes a run to one channel account: only that account’s payments and refunds are expected', async () => {
      const date = rareBusinessDate();
      const noon = shanghai(date, '12:00:00');
      const accountA = 'cha_01M85DMB00EHTE541GQYE3T4TM';
      const accountB = 'cha_01M85DMB00EHTE541GQYE3T4TQ';
      const onA = { ...payment('ALIPAY', date, 1_000, noon.iso), channelAccountId: accountA };
      const onB = { ...payment('ALIPAY', date, 900_000, noon.iso), channelAccountId: accountB };
      await publish([{ payment: onA }, { payment: onB }]);
      await waitFor(
        'two payments',
        () => projected('ALIPAY', date),
        (n) => n === 2,
      );
      const { rows: stored } = await db.query(
        `SELECT channel_account_id FROM reconciliation.platform_transactions WHERE transaction_id = $1`,
        [onB.transactionId],
      );
      expect(stored).toEqual([{ channel_account_id: accountB }]);

      const statementOfB = alipayCsv([
        { tradeNo: onB.channelTradeNo, amount: '9000.00', completedAt: noon.text },
      ]);
      const scoped = await call('POST', '/v1/recon-runs', {
        channel: 'ALIPAY',
        channelAccountId: accountB,
        businessDate: date,
        statement: { format: 'ALIPAY_CSV', contentBase64: statementOfB.toString('base64') },
      });
      expect(scoped.status).toBe(201);
      expect(scoped.body).toMatchObject({ channelAccountId: accountB });
      expect(scoped.body.counts).toEqual({ ...NO_OUTCOMES, MATCHED: 1 });

      // The same file against the whole channel misses account A's payment.
      const whole = await upload('ALIPAY', date, 'ALIPAY_CSV', statementOfB);
      expect(whole.body).toMatchObject({ channelAccountId: null });
      expect(whole.body.counts).toEqual({ ...NO_OUTCOMES, MATCHED: 1, MISSING_IN_CHANNEL: 1 });

      const bad = await call('POST', '/v1/recon-runs', {
        channel: 'ALIPAY',
        channelAccountId: 'not-an-account',
        businessDate: date,
        statement: { format: 'ALIPAY_CSV', contentBase64: statementOfB.toString('base64') },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatchObject({ param: 'channelAccountId' });
    });
  });
});
