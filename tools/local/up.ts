import { join } from 'node:path';
import { describeDemoOperators } from './demo-operators';
import { localEnvOf, REPO_ROOT, SERVICE_NAMES } from './env-files';
import { seedDemoData } from '../seed';
import { isAlive, readPidFiles, startServiceProcess, waitUntilReady } from './service-processes';

const STATE_DIR = join(REPO_ROOT, '.cache', 'local');
const READY_TIMEOUT_MS = 60_000;

/**
 * Local mode: every service as its own process with the environment compose gives it
 * (hosts rewritten to 127.0.0.1). Infrastructure is already up (deploy/local/infra.sh).
 */
async function main(): Promise<void> {
  const started = Date.now();
  const alreadyRunning = new Set(
    readPidFiles(STATE_DIR, SERVICE_NAMES)
      .filter(({ pid }) => isAlive(pid))
      .map(({ name }) => name),
  );
  const rows: string[] = [];
  let failed = false;
  for (const name of SERVICE_NAMES) {
    if (alreadyRunning.has(name)) {
      rows.push(`  ${name.padEnd(16)} already running`);
      continue;
    }
    const service = startServiceProcess(name, { env: localEnvOf(name), stateDir: STATE_DIR });
    const readiness = await waitUntilReady(service, READY_TIMEOUT_MS);
    rows.push(
      `  ${name.padEnd(16)} ${service.baseUrl.padEnd(24)} ${
        readiness.ready
          ? `ready in ${(readiness.elapsedMs / 1000).toFixed(1)}s`
          : `NOT READY: ${readiness.lastAnswer}`
      }  (pid ${service.pid}, log ${service.logFile})`,
    );
    if (!readiness.ready) {
      failed = true;
      break;
    }
  }
  console.log(
    `[services] ${failed ? 'FAILED' : 'all ready'} after ${((Date.now() - started) / 1000).toFixed(1)}s`,
  );
  for (const row of rows) console.log(row);
  if (failed) process.exit(1);
  await seedDemoData(localEnvOf('cashier').DATABASE_URL);
  const operators = describeDemoOperators(localEnvOf('routing').OPERATOR_CREDENTIALS);
  if (operators.length > 0) {
    console.log(
      '\n[operator credentials] demo tokens for internal and admin endpoints (role, header):',
    );
    for (const line of operators) console.log(line);
  }
  console.log(
    '\n  Swagger UI: http://localhost:<port>/docs    stop everything: npm run local:down',
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
