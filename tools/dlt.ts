/**
 * Lists and replays dead letters (死信) through a service's admin endpoint:
 *
 *   npm run --silent dlt -- list [--service settlement] [--topic paylab.cashier.payment-orders] [--limit 50]
 *   npm run --silent dlt -- replay --service settlement --topic <topic> --partition 0 --offset 12
 *   npm run --silent dlt -- replay --service settlement --topic <topic> --all
 *
 * Without --service, list asks every service that consumes events. Services are reached on their
 * local-mode ports (or <SERVICE>_URL, e.g. SETTLEMENT_URL); the operator token comes from
 * OPERATOR_TOKEN, as for `npm run demo` (default: the demo operator token). A replay is safe to repeat.
 */
import { DEMO_OPERATOR_TOKENS } from './local/demo-operators';

export const SERVICE_PORTS: Record<string, number> = {
  cashier: 3000,
  routing: 3001,
  acquiring: 3002,
  settlement: 3003,
  reconciliation: 3004,
};

export type DltCommand =
  | { action: 'list'; services: string[]; topic?: string; limit?: number }
  | { action: 'replay'; service: string; topic: string; partition: number; offset: string }
  | { action: 'replay-all'; service: string; topic: string };

export const USAGE = [
  'usage: dlt list [--service <name>] [--topic <topic>] [--limit <n>]',
  '       dlt replay --service <name> --topic <topic> (--partition <p> --offset <o> | --all)',
  `services: ${Object.keys(SERVICE_PORTS).join(', ')}`,
].join('\n');

export class UsageError extends Error {}

export function parseDltArgs(argv: string[]): DltCommand {
  const [action, ...rest] = argv;
  const flags = new Map<string, string | true>();
  for (let i = 0; i < rest.length; i += 1) {
    const arg = rest[i];
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument ${arg}`);
    const name = arg.slice(2);
    const next = rest[i + 1];
    if (name === 'all') flags.set(name, true);
    else if (next === undefined || next.startsWith('--'))
      throw new UsageError(`--${name} needs a value`);
    else {
      flags.set(name, next);
      i += 1;
    }
  }
  const text = (name: string): string | undefined => {
    const value = flags.get(name);
    return typeof value === 'string' ? value : undefined;
  };
  const known = new Set(['service', 'topic', 'limit', 'partition', 'offset', 'all']);
  for (const name of flags.keys())
    if (!known.has(name)) throw new UsageError(`unknown option --${name}`);
  const service = text('service');
  if (service !== undefined && !(service in SERVICE_PORTS)) {
    throw new UsageError(`unknown service ${service}`);
  }
  if (action === 'list') {
    const limit = text('limit');
    if (limit !== undefined && !/^[1-9]\d*$/.test(limit))
      throw new UsageError('--limit must be a positive integer');
    return {
      action: 'list',
      services: service ? [service] : Object.keys(SERVICE_PORTS),
      topic: text('topic'),
      limit: limit === undefined ? undefined : Number(limit),
    };
  }
  if (action === 'replay') {
    const topic = text('topic');
    if (!service) throw new UsageError('replay needs --service');
    if (!topic) throw new UsageError('replay needs --topic');
    if (flags.get('all') === true) {
      if (flags.has('partition') || flags.has('offset')) {
        throw new UsageError('--all replays the whole topic; drop --partition/--offset');
      }
      return { action: 'replay-all', service, topic };
    }
    const partition = text('partition');
    const offset = text('offset');
    if (partition === undefined || !/^\d+$/.test(partition)) {
      throw new UsageError('replay needs --partition <non-negative integer> (or --all)');
    }
    if (offset === undefined || !/^\d+$/.test(offset)) {
      throw new UsageError('replay needs --offset <non-negative integer> (or --all)');
    }
    return { action: 'replay', service, topic, partition: Number(partition), offset };
  }
  throw new UsageError(action ? `unknown command ${action}` : 'no command');
}

/** Left-aligned columns, long cells cut with an ellipsis. */
export function formatTable(headers: string[], rows: string[][], maxWidth = 60): string {
  const cut = (cell: string) => (cell.length > maxWidth ? `${cell.slice(0, maxWidth - 1)}…` : cell);
  const cells = [headers, ...rows].map((row) => row.map(cut));
  const widths = headers.map((_, column) =>
    Math.max(...cells.map((row) => row[column]?.length ?? 0)),
  );
  return cells
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

interface DeadLetterRow {
  topic: string;
  partition: number;
  offset: string;
  originalTopic: string | null;
  originalPartition: number | null;
  originalOffset: string | null;
  consumerGroup: string | null;
  failedAt: string | null;
  eventType: string | null;
  messageId: string | null;
  reason: string | null;
  replayedAt: string | null;
}

function baseUrlOf(service: string): string {
  return (
    process.env[`${service.toUpperCase()}_URL`] ?? `http://localhost:${SERVICE_PORTS[service]}`
  );
}

async function call(
  service: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<unknown> {
  const token = process.env.OPERATOR_TOKEN ?? DEMO_OPERATOR_TOKENS.operator;
  const response = await fetch(`${baseUrlOf(service)}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const payload = (await response.json().catch(() => null)) as {
    error?: { code?: string; message?: string };
  } | null;
  if (!response.ok) {
    const error = payload?.error;
    throw new Error(
      `${service}: HTTP ${response.status} ${error?.code ?? ''} ${error?.message ?? ''}`.trim(),
    );
  }
  return payload;
}

async function run(command: DltCommand): Promise<number> {
  if (command.action === 'list') {
    const query = new URLSearchParams();
    if (command.topic) query.set('topic', command.topic);
    if (command.limit) query.set('limit', String(command.limit));
    let failures = 0;
    for (const service of command.services) {
      try {
        const { deadLetters } = (await call(
          service,
          'GET',
          `/v1/admin/dead-letters?${query.toString()}`,
        )) as {
          deadLetters: DeadLetterRow[];
        };
        console.log(`${service}: ${deadLetters.length} dead letter(s)`);
        if (deadLetters.length > 0) {
          console.log(
            formatTable(
              [
                'DLT',
                'P/OFFSET',
                'ORIGIN',
                'GROUP',
                'FAILED AT',
                'EVENT',
                'MESSAGE ID',
                'REPLAYED',
                'REASON',
              ],
              deadLetters.map((d) => [
                d.topic,
                `${d.partition}/${d.offset}`,
                `${d.originalTopic ?? '?'} ${d.originalPartition ?? '?'}/${d.originalOffset ?? '?'}`,
                d.consumerGroup ?? '',
                d.failedAt ?? '',
                d.eventType ?? '',
                d.messageId ?? '',
                d.replayedAt ?? 'no',
                d.reason ?? '',
              ]),
            ),
          );
        }
      } catch (error) {
        failures += 1;
        console.error(error instanceof Error ? error.message : String(error));
      }
    }
    return failures === 0 ? 0 : 1;
  }
  const body =
    command.action === 'replay-all'
      ? { topic: command.topic, all: true }
      : { topic: command.topic, partition: command.partition, offset: command.offset };
  const { replays } = (await call(
    command.service,
    'POST',
    '/v1/admin/dead-letters/replay',
    body,
  )) as {
    replays: Array<{
      topic: string;
      partition: number;
      offset: string;
      originalTopic: string;
      messageId: string | null;
      outcome: string;
    }>;
  };
  console.log(
    formatTable(
      ['DLT', 'P/OFFSET', 'REPUBLISHED TO', 'MESSAGE ID', 'OUTCOME'],
      replays.map((r) => [
        r.topic,
        `${r.partition}/${r.offset}`,
        r.originalTopic,
        r.messageId ?? '',
        r.outcome,
      ]),
    ),
  );
  return 0;
}

if (require.main === module) {
  let command: DltCommand;
  try {
    command = parseDltArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exit(2);
  }
  run(command).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(1);
    },
  );
}
