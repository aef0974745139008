import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../tools/local/env-files';
import type { PaymentSystem } from './payment-system';

export interface InvariantRun {
  readonly exitCode: number;
  readonly output: string;
}

/**
 * Runs the compiled `check:invariants` tool (dist/tools/check-invariants.js, as `npm run
 * check:invariants` does) against a payment system's database, as a child process.
 */
export function runInvariantCheck(
  system: Pick<PaymentSystem, 'databaseUrl'>,
  window: { from: Date; to: Date },
): Promise<InvariantRun> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [
        join(REPO_ROOT, 'dist', 'tools', 'check-invariants.js'),
        '--from',
        window.from.toISOString(),
        '--to',
        window.to.toISOString(),
      ],
      { env: { ...process.env, DATABASE_URL: system.databaseUrl }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const exitCode = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        if (exitCode === -1) reject(error);
        else resolve({ exitCode, output: `${stdout}${stderr}` });
      },
    );
  });
}
