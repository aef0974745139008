import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TestInfrastructure } from '../infrastructure';

export const REPO_ROOT = join(__dirname, '..', '..', '..', '..');

/** Global setup runs in jest's parent process; the test workers read what it found from here. */
const STATE_FILE = join(REPO_ROOT, '.cache', 'test', 'infrastructure.json');

export function writeInfrastructureState(infrastructure: TestInfrastructure): void {
  mkdirSync(dirname(STATE_FILE), { recursive: true });
  writeFileSync(STATE_FILE, JSON.stringify(infrastructure, null, 2));
}

export function readInfrastructureState(): TestInfrastructure {
  if (!existsSync(STATE_FILE)) {
    throw new Error(
      `${STATE_FILE} is missing: run the integration tests through jest (its global setup provides the infrastructure)`,
    );
  }
  return JSON.parse(readFileSync(STATE_FILE, 'utf8')) as TestInfrastructure;
}
