import { releaseInfrastructure } from '../infrastructure';
import { readInfrastructureState, REPO_ROOT } from './state-file';

const shared = globalThis as { paylabInfrastructureUsers?: number };

export default async function globalTeardown(): Promise<void> {
  shared.paylabInfrastructureUsers = (shared.paylabInfrastructureUsers ?? 1) - 1;
  if (shared.paylabInfrastructureUsers > 0) return;
  await releaseInfrastructure(REPO_ROOT, readInfrastructureState());
}
