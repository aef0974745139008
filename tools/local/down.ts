import { join } from 'node:path';
import { REPO_ROOT, SERVICE_NAMES } from './env-files';
import { readPidFiles, removePidFile, stopServiceProcess } from './service-processes';

const STATE_DIR = join(REPO_ROOT, '.cache', 'local');

/** Stops the service processes in reverse start order; infrastructure is stopped by infra.sh. */
async function main(): Promise<void> {
  const running = readPidFiles(STATE_DIR, SERVICE_NAMES).reverse();
  for (const { name, pid } of running) {
    const outcome = await stopServiceProcess(pid);
    removePidFile(STATE_DIR, name);
    console.log(`[services] ${name.padEnd(16)} ${outcome} (pid ${pid})`);
  }
  if (running.length === 0) console.log('[services] none running');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
