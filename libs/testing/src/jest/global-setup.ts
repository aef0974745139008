import { provideInfrastructure } from '../infrastructure';
import { REPO_ROOT, writeInfrastructureState } from './state-file';

const shared = globalThis as { paylabInfrastructureUsers?: number };

/**
 * Each project that needs infrastructure (integration, e2e) names this setup; jest runs them
 * in the same parent process, so a counter makes the second call reuse the first one's work.
 */
export default async function globalSetup(): Promise<void> {
  shared.paylabInfrastructureUsers = (shared.paylabInfrastructureUsers ?? 0) + 1;
  if (shared.paylabInfrastructureUsers > 1) return;
  const started = Date.now();
  const infrastructure = await provideInfrastructure(REPO_ROOT);
  writeInfrastructureState(infrastructure);
  process.stdout.write(
    `\n[test infrastructure] ${infrastructure.mode} mode in ${((Date.now() - started) / 1000).toFixed(1)}s: ` +
      `postgres ${redact(infrastructure.databaseUrl)}, redis ${infrastructure.redisUrl}, kafka ${infrastructure.kafkaBrokers.join(',')}\n`,
  );
}

function redact(url: string): string {
  return url.replace(/:\/\/([^:]+):[^@]+@/, '://$1:***@');
}
