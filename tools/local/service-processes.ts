import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, type ServiceName } from './env-files';

export interface ServiceProcess {
  name: ServiceName;
  pid: number;
  baseUrl: string;
  logFile: string;
}

export interface StartOptions {
  env: Record<string, string>;
  /** Where logs and pid files go, e.g. .cache/local. */
  stateDir: string;
  /** Names a further replica of the service (`settlement-2`): its own log and pid file. */
  instance?: string;
}

/**
 * Runs a built service (dist/) as its own OS process, detached, with its JSON log in a file.
 * The pid file lets `local:down` stop it from another shell.
 */
export function startServiceProcess(name: ServiceName, options: StartOptions): ServiceProcess {
  const entry = join(REPO_ROOT, 'dist', 'services', name, 'src', 'main.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run npm run build first`);
  const logDir = join(options.stateDir, 'logs');
  const pidDir = join(options.stateDir, 'pids');
  mkdirSync(logDir, { recursive: true });
  mkdirSync(pidDir, { recursive: true });
  const fileName = options.instance ? `${name}-${options.instance}` : name;
  const logFile = join(logDir, `${fileName}.log`);
  const out = openSync(logFile, 'a');
  const child = spawn(process.execPath, ['--enable-source-maps', entry], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', ...options.env },
    detached: true,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start ${name}`);
  writeFileSync(join(pidDir, `${fileName}.pid`), String(child.pid));
  return { name, pid: child.pid, baseUrl: `http://127.0.0.1:${options.env.HTTP_PORT}`, logFile };
}

export interface Readiness {
  ready: boolean;
  elapsedMs: number;
  lastAnswer: string;
}

/** Polls GET /health until it answers 200, the process dies, or the timeout passes. */
export async function waitUntilReady(
  service: ServiceProcess,
  timeoutMs: number,
): Promise<Readiness> {
  const started = Date.now();
  let lastAnswer = 'no answer yet';
  while (Date.now() - started < timeoutMs) {
    if (!isAlive(service.pid)) {
      return {
        ready: false,
        elapsedMs: Date.now() - started,
        lastAnswer: `process exited; see ${service.logFile}`,
      };
    }
    try {
      const response = await fetch(`${service.baseUrl}/health`, {
        signal: AbortSignal.timeout(2_000),
      });
      lastAnswer = `${response.status} ${await response.text()}`;
      if (response.ok) return { ready: true, elapsedMs: Date.now() - started, lastAnswer };
    } catch (error) {
      lastAnswer = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { ready: false, elapsedMs: Date.now() - started, lastAnswer };
}

/**
 * Waits until the service is ready; otherwise fails with its last readiness answer and the tail of
 * its log, which is what anyone debugging a start-up needs to see.
 */
export async function assertReady(service: ServiceProcess, timeoutMs = 60_000): Promise<Readiness> {
  const readiness = await waitUntilReady(service, timeoutMs);
  if (!readiness.ready) {
    throw new Error(
      `${service.name} not ready: ${readiness.lastAnswer}\n${readFileSync(service.logFile, 'utf8').slice(-3_000)}`,
    );
  }
  return readiness;
}

/** SIGTERM (the services shut down in order), then SIGKILL after the grace period. */
export async function stopServiceProcess(
  pid: number,
  graceMs = 15_000,
): Promise<'stopped' | 'killed' | 'not running'> {
  if (!isAlive(pid)) return 'not running';
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return 'stopped';
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  process.kill(pid, 'SIGKILL');
  return 'killed';
}

export function readPidFiles(
  stateDir: string,
  names: readonly ServiceName[],
): Array<{ name: ServiceName; pid: number }> {
  return names.flatMap((name) => {
    const file = join(stateDir, 'pids', `${name}.pid`);
    if (!existsSync(file)) return [];
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? [{ name, pid }] : [];
  });
}

export function removePidFile(stateDir: string, name: ServiceName): void {
  rmSync(join(stateDir, 'pids', `${name}.pid`), { force: true });
}

/**
 * Whether the process still runs. An exited child of a launcher that has itself exited is a
 * zombie until PID 1 reaps it; it still answers signal 0, so its state in /proc decides.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}
