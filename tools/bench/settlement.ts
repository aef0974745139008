import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { SettlementBatchCreated } from '@paylab/contracts';
import { openServiceDatabase } from '@paylab/database';
import { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS, Outbox } from '@paylab/messaging';
import { createLogger } from '@paylab/platform';
import {
  BatchBuilder,
  type BuildBatchesOutcome,
} from '../../services/settlement/src/batches/batch-builder';
import { addDays } from '../../services/settlement/src/calendar/domain/business-date';
import { Ledger } from '../../services/settlement/src/ledger/ledger.service';
import {
  SETTLEMENT_ENTITIES,
  SETTLEMENT_MIGRATIONS,
} from '../../services/settlement/src/persistence';
import { SettlementTermsStore } from '../../services/settlement/src/terms/settlement-terms.store';

/**
 * `npm run bench:settlement [-- --items N --merchants M --keep]`: how long BUILD_BATCHES (生成结算批次)
 * takes over a million cleared items (清算明细) of ten thousand merchants, next to the plain SQL
 * aggregate over the same rows measured in the same run, on the same database. The builder
 * cannot beat one pass over the items, so the aggregate is the floor it is compared with.
 *
 * Runs on a throwaway database (created with a timestamped name on the Postgres of
 * DATABASE_URL / PAYLAB_TEST_DATABASE_URL, dropped at the end, also on failure), so it never sees
 * or touches anyone's data. Checks the batches it built against SQL and exits 1 if they are wrong:
 * a fast wrong answer is not a result.
 */

const DEFAULT_ADMIN_URL = 'postgres://paylab:paylab@127.0.0.1:5432/paylab';
/** A fixed date, so every run seeds the same rows. */
const SETTLEMENT_DATE = '2025-03-12';
const GOAL_RATIO = 3;
const GOAL_MS = 10_000;

interface Options {
  readonly items: number;
  readonly merchants: number;
  readonly adminUrl: string;
  /** Keep the database afterwards (for EXPLAIN ANALYZE by hand); drop it yourself. */
  readonly keep: boolean;
}

export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): Options {
  const counts = { '--items': 1_000_000, '--merchants': 10_000 };
  const keep = argv.includes('--keep');
  const rest = argv.filter((arg) => arg !== '--keep');
  for (let at = 0; at < rest.length; at += 2) {
    const flag = rest[at];
    if (!(flag in counts)) throw new Error(`unknown option ${flag}`);
    const value = Number(rest[at + 1]);
    if (!Number.isSafeInteger(value) || value < 1 || value > 100_000_000) {
      throw new Error(`${flag} needs a whole number from 1 to 100000000, got ${rest[at + 1]}`);
    }
    counts[flag as keyof typeof counts] = value;
  }
  if (counts['--merchants'] > counts['--items']) {
    throw new Error('--merchants cannot exceed --items');
  }
  return {
    items: counts['--items'],
    merchants: counts['--merchants'],
    adminUrl: env.DATABASE_URL ?? env.PAYLAB_TEST_DATABASE_URL ?? DEFAULT_ADMIN_URL,
    keep,
  };
}

/**
 * Merchant number n (0-based) as a valid id: `mch_` + 26 Crockford base32 characters, the
 * number in decimal digits at the end (digits are Crockford characters too). SQL, so the seed
 * and the checks build the same ids without a round trip.
 */
const MERCHANT_ID_SQL = (n: string) => `'mch_01JBENCH' || lpad((${n})::text, 18, '0')`;

async function withAdmin<T>(adminUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl, application_name: 'bench-settlement' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * The items: merchant g mod M, one in twenty a refund (net negative, fee returned), business
 * dates S-1 and S-2 alternating in blocks, amounts spread by a multiplicative hash so no two
 * merchants have the same totals. Terms for some merchants, each bucket exercising one rule the
 * builder must apply: rolling reserve (滚动保证金), D+0, T+2 (half the items due), T+3 (none due),
 * a minimum payout no one reaches (carried forward, 留存), and a scheduled change not yet in force.
 */
async function seed(dataSource: DataSource, options: Options): Promise<void> {
  const s = SETTLEMENT_DATE;
  await dataSource.query(
    `INSERT INTO settlement.settlement_items
       (kind, source_id, merchant_id, transaction_id, payment_id, refund_id, currency,
        gross_minor, fee_minor, refund_minor, net_minor, occurred_at, business_date)
     SELECT x.kind, 'src_' || g, ${MERCHANT_ID_SQL('g % $2')}, 'txn_' || g, 'pay_' || g,
            CASE WHEN x.is_refund = 1 THEN 'rfd_' || g END, 'CNY',
            x.gross, x.fee, x.refund, x.gross - x.fee - x.refund,
            (x.business_date + time '12:00')::timestamp AT TIME ZONE 'Asia/Shanghai', x.business_date
       FROM generate_series(1, $1::int) AS g
       CROSS JOIN LATERAL (
         SELECT CASE WHEN g % 20 = 0 THEN 'REFUND' ELSE 'PAYMENT' END AS kind,
                (g % 20 = 0)::int AS is_refund,
                CASE WHEN g % 20 = 0 THEN 0 ELSE 100 + (g::bigint * 7919) % 50000 END AS gross,
                CASE WHEN g % 20 = 0 THEN -((100 + (g::bigint * 7919) % 20000) * 6 / 1000)
                     ELSE (100 + (g::bigint * 7919) % 50000) * 6 / 1000 END AS fee,
                CASE WHEN g % 20 = 0 THEN 100 + (g::bigint * 7919) % 20000 ELSE 0 END AS refund,
                $3::date - (1 + (g / $2) % 2)::int AS business_date) x`,
    [options.items, options.merchants, s],
  );
  await dataSource.query(
    `INSERT INTO settlement.settlement_terms
       (merchant_id, version, cycle_kind, cycle_days, cutoff, minimum_payout_minor,
        reserve_percent_bp, reserve_hold_days, payout_bank_code, payout_account_no,
        payout_account_name, effective_from, created_by)
     SELECT ${MERCHANT_ID_SQL('n')}, 1,
            CASE WHEN n % 20 = 2 THEN 'D_PLUS_0' ELSE 'T_PLUS_N' END,
            CASE n % 20 WHEN 2 THEN NULL WHEN 3 THEN 2 WHEN 5 THEN 3 ELSE 1 END,
            '00:00',
            CASE WHEN n % 20 IN (4, 14) THEN 10000000000 ELSE 0 END,
            CASE WHEN n % 20 IN (1, 11) THEN 1000 END,
            CASE WHEN n % 20 IN (1, 11) THEN 90 END,
            'PLBANK', lpad(n::text, 16, '6'), 'Bench merchant ' || n,
            '2000-01-01', 'bench'
       FROM generate_series(0, $1::int - 1) AS n
      WHERE n % 20 IN (1, 2, 3, 4, 5, 6, 11, 14)`,
    [options.merchants],
  );
  // Version 2 of bucket 6 starts after the settlement date: the reader must keep version 1.
  await dataSource.query(
    `INSERT INTO settlement.settlement_terms
       (merchant_id, version, cycle_kind, cycle_days, cutoff, minimum_payout_minor,
        effective_from, created_by)
     SELECT merchant_id, 2, 'T_PLUS_N', 7, '00:00', 0, $1::date + 10, 'bench'
       FROM settlement.settlement_terms WHERE version = 1 AND cycle_kind = 'T_PLUS_N'
        AND cycle_days = 1 AND minimum_payout_minor = 0 AND reserve_percent_bp IS NULL`,
    [s],
  );
  // VACUUM too, as autovacuum would have by the end of day: hint bits and the visibility map
  // set now, so neither the baseline nor the build pays for the seed's first read.
  await dataSource.query(`VACUUM ANALYZE settlement.settlement_items`);
  await dataSource.query(`VACUUM ANALYZE settlement.settlement_terms`);
}

const BASELINE_SQL = `SELECT merchant_id, currency, count(*), sum(gross_minor), sum(fee_minor),
       sum(refund_minor), sum(net_minor)
  FROM settlement.settlement_items WHERE business_date <= $1
 GROUP BY merchant_id, currency`;

async function baseline(dataSource: DataSource): Promise<{ medianMs: number; runsMs: number[] }> {
  await dataSource.query(BASELINE_SQL, [SETTLEMENT_DATE]);
  const runsMs: number[] = [];
  for (let run = 0; run < 3; run += 1) {
    const started = performance.now();
    await dataSource.query(BASELINE_SQL, [SETTLEMENT_DATE]);
    runsMs.push(performance.now() - started);
  }
  return { medianMs: [...runsMs].sort((a, b) => a - b)[1], runsMs };
}

/** Which phase of the build a statement belongs to, by what it reads or writes. */
const PHASES: Array<[string, RegExp]> = [
  ['lock items (SHARE)', /^LOCK TABLE/],
  ['lock available balances', /pg_advisory_xact_lock/],
  ['watermark', /max\(seq\)/],
  ['unbatched items aggregate', /^WITH last AS/],
  ['available balances', /FROM settlement\.journal_lines WHERE account/],
  ['terms in force', /settlement_terms/],
  ['work_mem for the aggregate', /^SET LOCAL work_mem/],
  ['insert batches', /^INSERT INTO settlement\.settlement_batches/],
  ['insert journal entries', /^INSERT INTO "?settlement"?\."?journal_entries/],
  ['insert journal lines', /^INSERT INTO "?settlement"?\."?journal_lines/],
  ['insert reserve holds', /^INSERT INTO settlement\.reserve_holds/],
  ['outbox inserts', /outbox/],
  ['previous batches, releases, failed', /settlement_batches|reserve_holds/],
];

interface Breakdown {
  phases: Map<string, { ms: number; statements: number }>;
  inTransactionMs: number;
  commitMs: number;
}

/**
 * A stand-in for the builder's DataSource that times every statement of its transaction (the
 * builder only ever calls `transaction`), so the production code needs no timing of its own.
 */
function timedDataSource(dataSource: DataSource, breakdown: Breakdown): DataSource {
  const record = (label: string, ms: number) => {
    const phase = breakdown.phases.get(label) ?? { ms: 0, statements: 0 };
    breakdown.phases.set(label, { ms: phase.ms + ms, statements: phase.statements + 1 });
  };
  const labelOf = (sql: string) => {
    const text = sql.trim().replace(/\s+/g, ' ');
    return PHASES.find(([, pattern]) => pattern.test(text))?.[0] ?? `other: ${text.slice(0, 50)}`;
  };
  const timing = (manager: EntityManager) => {
    const query = manager.query.bind(manager);
    manager.query = async (sql: string, parameters?: unknown[]) => {
      const started = performance.now();
      try {
        return await query(sql, parameters);
      } finally {
        record(labelOf(sql), performance.now() - started);
      }
    };
    const insert = manager.insert.bind(manager);
    manager.insert = (async (...args: Parameters<EntityManager['insert']>) => {
      const started = performance.now();
      try {
        return await insert(...args);
      } finally {
        record('outbox inserts', performance.now() - started);
      }
    }) as EntityManager['insert'];
  };
  return {
    transaction: async <T>(work: (manager: EntityManager) => Promise<T>): Promise<T> => {
      let workEnded = 0;
      const started = performance.now();
      const result = await dataSource.transaction(async (manager) => {
        timing(manager);
        try {
          return await work(manager);
        } finally {
          workEnded = performance.now();
        }
      });
      breakdown.inTransactionMs = workEnded - started;
      breakdown.commitMs = performance.now() - workEnded;
      return result;
    },
  } as unknown as DataSource;
}

async function timedBuild(
  dataSource: DataSource,
): Promise<{ ms: number; outcome: BuildBatchesOutcome; breakdown: Breakdown }> {
  const breakdown: Breakdown = { phases: new Map(), inTransactionMs: 0, commitMs: 0 };
  const timed = timedDataSource(dataSource, breakdown);
  const builder = new BatchBuilder(
    timed,
    new Ledger(dataSource),
    new Outbox('settlement'),
    new SettlementTermsStore(),
    createLogger('bench-settlement', 'warn'),
  );
  const started = performance.now();
  const outcome = await builder.build(SETTLEMENT_DATE);
  return { ms: performance.now() - started, outcome, breakdown };
}

/** What the builder should have produced, computed in SQL from the items and terms alone. */
async function expectedTotals(
  dataSource: DataSource,
): Promise<{ merchants: number; rows: number; net: bigint }> {
  const [row] = (await dataSource.query(
    `WITH terms AS (
       SELECT DISTINCT ON (merchant_id) merchant_id, cycle_kind, cycle_days
         FROM settlement.settlement_terms WHERE effective_from <= $1::date
        ORDER BY merchant_id, version DESC),
     due AS (
       SELECT i.merchant_id, i.net_minor
         FROM settlement.settlement_items i LEFT JOIN terms t USING (merchant_id)
        WHERE i.business_date <= $1::date - CASE WHEN t.cycle_kind = 'D_PLUS_0' THEN 0
                                                 ELSE COALESCE(t.cycle_days, 1) END)
     SELECT count(DISTINCT merchant_id)::int AS merchants, count(*)::int AS rows,
            COALESCE(sum(net_minor), 0)::text AS net FROM due`,
    [SETTLEMENT_DATE],
  )) as Array<{ merchants: number; rows: number; net: string }>;
  return { merchants: row.merchants, rows: row.rows, net: BigInt(row.net) };
}

async function verify(
  dataSource: DataSource,
  itemsBefore: number,
  outcome: BuildBatchesOutcome,
  rerun: BuildBatchesOutcome,
): Promise<string[]> {
  const failures: string[] = [];
  const expect = (what: string, actual: unknown, expected: unknown) => {
    if (String(actual) !== String(expected)) {
      failures.push(`${what}: got ${String(actual)}, expected ${String(expected)}`);
    }
  };
  const expected = await expectedTotals(dataSource);
  const [batches] = (await dataSource.query(
    `SELECT count(*)::int AS batches, count(DISTINCT merchant_id)::int AS merchants,
            COALESCE(sum(items_net_minor), 0)::text AS net, COALESCE(sum(item_count), 0)::int AS items,
            count(*) FILTER (WHERE reserve_held_minor > 0)::int AS with_reserve,
            count(*) FILTER (WHERE state = 'CARRIED_FORWARD')::int AS carried
       FROM settlement.settlement_batches WHERE settlement_date = $1`,
    [SETTLEMENT_DATE],
  )) as Array<{
    batches: number;
    merchants: number;
    net: string;
    items: number;
    with_reserve: number;
    carried: number;
  }>;
  expect('batches = merchants with due items', batches.batches, expected.merchants);
  expect('one batch per merchant', batches.merchants, batches.batches);
  expect('Σ items_net_minor = Σ net of the due items', batches.net, expected.net);
  expect('Σ item_count = due items', batches.items, expected.rows);
  expect('outcome.batches', outcome.batches, expected.merchants);
  expect('outcome.items', outcome.items, expected.rows);
  expect('re-run builds nothing', rerun.batches, 0);
  if (batches.with_reserve === 0) failures.push('no batch held a reserve: the terms were not read');
  if (batches.carried === 0) failures.push('no batch was carried forward: minimums not applied');

  const [ledger] = (await dataSource.query(
    `SELECT (SELECT count(*)::int FROM (
               SELECT entry_id FROM settlement.journal_lines GROUP BY entry_id
               HAVING sum(amount_minor) FILTER (WHERE side = 'DEBIT')
                   IS DISTINCT FROM sum(amount_minor) FILTER (WHERE side = 'CREDIT')) u) AS unbalanced,
            (SELECT count(*)::int FROM settlement.journal_entries e
              WHERE NOT EXISTS (SELECT 1 FROM settlement.journal_lines l WHERE l.entry_id = e.id))
              AS empty,
            (SELECT count(*)::int FROM settlement.settlement_batches b
              WHERE b.journal_entry_id IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM settlement.journal_entries e WHERE e.id = b.journal_entry_id))
              AS missing,
            (SELECT count(*)::int FROM settlement.reserve_holds) AS holds`,
  )) as Array<{ unbalanced: number; empty: number; missing: number; holds: number }>;
  expect('unbalanced journal entries', ledger.unbalanced, 0);
  expect('journal entries without lines', ledger.empty, 0);
  expect('batches whose journal entry is missing', ledger.missing, 0);
  expect('reserve holds = batches holding a reserve', ledger.holds, batches.with_reserve);

  const [outbox] = (await dataSource.query(
    `SELECT count(*)::int AS events FROM settlement.outbox_messages
      WHERE event_type = $1`,
    [SettlementBatchCreated.type],
  )) as Array<{ events: number }>;
  expect('SettlementBatchCreated events = batches', outbox.events, batches.batches);

  expect('settlement_items count unchanged', await itemCount(dataSource), itemsBefore);
  return failures;
}

async function itemCount(dataSource: DataSource): Promise<number> {
  const [row] = (await dataSource.query(
    `SELECT count(*)::int AS n FROM settlement.settlement_items`,
  )) as Array<{ n: number }>;
  return row.n;
}

const ms = (value: number) => `${Math.round(value).toLocaleString('en-US')} ms`;

function report(figures: {
  options: Options;
  seedMs: number;
  merchantsWithItems: number;
  base: { medianMs: number; runsMs: number[] };
  build: { ms: number; outcome: BuildBatchesOutcome; breakdown: Breakdown };
  rerun: { ms: number };
  postgres: string;
}): string {
  const { base, build } = figures;
  const ratio = build.ms / base.medianMs;
  const lines = [
    'BUILD_BATCHES benchmark (生成结算批次)',
    `  machine          ${os.cpus().length} CPU(s) (${os.cpus()[0]?.model ?? 'unknown'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
    `  postgres         ${figures.postgres}`,
    `  settlement date  ${SETTLEMENT_DATE} (items on ${addDays(SETTLEMENT_DATE, -2)} and ${addDays(SETTLEMENT_DATE, -1)})`,
    `  rows             ${figures.options.items.toLocaleString('en-US')} settlement items (seeded in ${ms(figures.seedMs)})`,
    `  merchants        ${figures.merchantsWithItems.toLocaleString('en-US')} with items; ${build.outcome.batches.toLocaleString('en-US')} batches (${build.outcome.toPay} to pay, ${build.outcome.carriedForward} carried forward), ${build.outcome.items.toLocaleString('en-US')} items due`,
    '',
    `  baseline (plain SQL aggregate, median of 3 after a warm-up)  ${ms(base.medianMs)}   [${base.runsMs.map((run) => Math.round(run)).join(', ')}]`,
    `  build (BatchBuilder.build, one transaction, commit included) ${ms(build.ms)}`,
    `  ratio build / baseline                                      ${ratio.toFixed(2)}×`,
    `  re-run, nothing due                                         ${ms(figures.rerun.ms)}`,
    '',
    `  goal ≤ ${GOAL_RATIO}× baseline: ${ratio <= GOAL_RATIO ? 'yes' : 'no'}`,
    `  goal < ${GOAL_MS / 1000} s:          ${build.ms < GOAL_MS ? 'yes' : 'no'}`,
    '',
    '  where the build spends its time (statements timed by the bench):',
  ];
  const phases = [...build.breakdown.phases.entries()].sort((a, b) => b[1].ms - a[1].ms);
  const statementsMs = phases.reduce((total, [, phase]) => total + phase.ms, 0);
  for (const [label, phase] of phases) {
    lines.push(
      `    ${label.padEnd(40)} ${ms(phase.ms).padStart(9)}  (${phase.statements} statement(s))`,
    );
  }
  lines.push(
    `    ${'JavaScript (plans, journals, events)'.padEnd(40)} ${ms(build.breakdown.inTransactionMs - statementsMs).padStart(9)}`,
    `    ${'commit (deferred balance triggers)'.padEnd(40)} ${ms(build.breakdown.commitMs).padStart(9)}`,
  );
  return lines.join('\n');
}

async function run(options: Options): Promise<number> {
  const name = `paylab_bench_${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}_${process.pid}`;
  const url = new URL(options.adminUrl);
  url.pathname = `/${name}`;
  await withAdmin(options.adminUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const dropDatabase = () =>
    withAdmin(options.adminUrl, (client) =>
      client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
    );
  const interrupted = () => {
    void dropDatabase().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  let dataSource: DataSource | undefined;
  try {
    console.log(`bench:settlement: database ${name} on ${url.host}`);
    dataSource = await openServiceDatabase({
      url: url.toString(),
      schema: 'settlement',
      entities: [...MESSAGING_ENTITIES, ...SETTLEMENT_ENTITIES],
      migrations: [...MESSAGING_MIGRATIONS, ...SETTLEMENT_MIGRATIONS],
      poolSize: 2,
      applicationName: 'bench-settlement',
    });
    const [{ server_version: postgres }] = (await dataSource.query(
      `SHOW server_version`,
    )) as Array<{
      server_version: string;
    }>;

    console.log(`bench:settlement: seeding ${options.items.toLocaleString('en-US')} items…`);
    const seedStarted = performance.now();
    await seed(dataSource, options);
    const seedMs = performance.now() - seedStarted;
    const itemsBefore = await itemCount(dataSource);
    const [{ merchants: merchantsWithItems }] = (await dataSource.query(
      `SELECT count(DISTINCT merchant_id)::int AS merchants FROM settlement.settlement_items`,
    )) as Array<{ merchants: number }>;

    const base = await baseline(dataSource);
    const build = await timedBuild(dataSource);
    const rerun = await timedBuild(dataSource);

    const failures = await verify(dataSource, itemsBefore, build.outcome, rerun.outcome);
    console.log(report({ options, seedMs, merchantsWithItems, base, build, rerun, postgres }));
    if (failures.length > 0) {
      console.error('\nbench:settlement: the batches are WRONG:');
      for (const failure of failures) console.error(`  - ${failure}`);
      return 1;
    }
    console.log('\n  checks: batches, totals, ledger balance, events, items untouched: all pass');
    return 0;
  } finally {
    await dataSource?.destroy().catch(() => undefined);
    if (options.keep) console.log(`bench:settlement: kept database ${name} (--keep)`);
    else await dropDatabase();
    process.removeListener('SIGINT', interrupted);
  }
}

if (require.main === module) {
  let options: Options;
  try {
    options = parseOptions(process.argv.slice(2), process.env);
  } catch (error) {
    console.error(`bench:settlement: ${error instanceof Error ? error.message : String(error)}`);
    console.error('usage: npm run bench:settlement -- [--items N] [--merchants M] [--keep]');
    process.exit(2);
  }
  run(options)
    .then((code) => process.exit(code))
    .catch((error: unknown) => {
      console.error(
        `bench:settlement failed: ${error instanceof Error ? error.stack : String(error)}`,
      );
      process.exit(1);
    });
}
