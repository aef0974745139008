import { Injectable } from '@nestjs/common';

/** A dependency the service cannot serve without (Postgres, Redis, Kafka). */
export interface DependencyCheck {
  readonly name: string;
  check(): Promise<void>;
}

export interface DependencyStatus {
  status: 'up' | 'down';
  latencyMs: number;
  error?: string;
}

export interface ReadinessReport {
  status: 'ready' | 'not_ready';
  service: string;
  uptimeSeconds: number;
  checks: Record<string, DependencyStatus>;
}

const CHECK_TIMEOUT_MS = 2_000;

/**
 * Libraries (database, redis, messaging) register their checks here when their module
 * starts, so readiness always reflects exactly the dependencies a service really uses.
 */
@Injectable()
export class HealthRegistry {
  private readonly checks = new Map<string, DependencyCheck>();

  register(check: DependencyCheck): void {
    this.checks.set(check.name, check);
  }

  names(): string[] {
    return [...this.checks.keys()];
  }

  async readiness(service: string): Promise<ReadinessReport> {
    const entries = await Promise.all(
      [...this.checks.values()].map(
        async (dependency) => [dependency.name, await run(dependency)] as const,
      ),
    );
    const checks = Object.fromEntries(entries);
    const ready = entries.every(([, status]) => status.status === 'up');
    return {
      status: ready ? 'ready' : 'not_ready',
      service,
      uptimeSeconds: Math.round(process.uptime()),
      checks,
    };
  }
}

async function run(dependency: DependencyCheck): Promise<DependencyStatus> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      dependency.check(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`timed out after ${CHECK_TIMEOUT_MS} ms`)),
          CHECK_TIMEOUT_MS,
        );
      }),
    ]);
    return { status: 'up', latencyMs: Date.now() - started };
  } catch (error) {
    return {
      status: 'down',
      latencyMs: Date.now() - started,
      error: error instanceof Error ? error.message : String(error),
    };
  } finally {
    clearTimeout(timer);
  }
}
