import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readEnvFiles } from './env-file';

/** The checkout root, found the same way from sources (ts) and from the build (dist/). */
export const REPO_ROOT = findRepoRoot(__dirname);

function findRepoRoot(start: string): string {
  for (let dir = start; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'nest-cli.json')) && existsSync(join(dir, 'package.json'))) return dir;
  }
  throw new Error(`no PayLab checkout above ${start}`);
}

/**
 * The services in start order: the sandbox stands in for the outside world, so it comes first;
 * acquiring calls it; the rest only need infrastructure.
 */
export const SERVICE_NAMES = [
  'channel-sandbox',
  'routing',
  'acquiring',
  'cashier',
  'settlement',
  'reconciliation',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Compose hostnames that local mode rewrites to 127.0.0.1. */
const COMPOSE_HOSTS = ['postgres', 'redis', 'kafka', ...SERVICE_NAMES];

/** The environment compose gives a service: deploy/env/common.env, then deploy/env/<name>.env. */
export function composeEnvOf(service: ServiceName): Record<string, string> {
  return readEnvFiles([
    join(REPO_ROOT, 'deploy', 'env', 'common.env'),
    join(REPO_ROOT, 'deploy', 'env', `${service}.env`),
  ]);
}

/**
 * The same environment for a process on this machine: compose hostnames become 127.0.0.1,
 * so local mode and compose cannot drift apart. `overrides` win (tests point at their own
 * database and ports).
 */
export function localEnvOf(
  service: ServiceName,
  overrides: Record<string, string> = {},
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(composeEnvOf(service))) {
    env[key] = rewriteComposeHosts(value);
  }
  env.NODE_ENV = 'development';
  return { ...env, ...overrides };
}

export function rewriteComposeHosts(value: string): string {
  let result = value;
  for (const host of COMPOSE_HOSTS) {
    const pattern = new RegExp(`(^|//|@|,\\s*)${host.replace('-', '\\-')}(?=:\\d)`, 'g');
    result = result.replace(pattern, '$1127.0.0.1');
  }
  return result;
}
