import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import type { PaylabLogger } from '../logging/logger';

/**
 * A background loop for one replica: run `pass`, sleep `intervalMs` (none when the pass says more
 * work is waiting), repeat until stopped. A failing pass is logged and retried on the next tick,
 * so a database blip never kills the worker. Correctness across replicas is the pass's job (row
 * locks with SKIP LOCKED); this only schedules.
 */
export class PollingWorker {
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly name: string,
    private readonly intervalMs: number,
    /** Returns true when it did a full batch and should run again at once. */
    private readonly pass: () => Promise<boolean>,
    private readonly logger: PaylabLogger,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the pass in flight, if any, has finished. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** Runs a pass now instead of at the next tick. */
  nudge(): void {
    this.wake?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let more = false;
      try {
        more = await this.pass();
      } catch (error) {
        this.logger.error(
          { worker: this.name, err: error instanceof Error ? error.message : String(error) },
          'worker pass failed; retrying at the next tick',
        );
      }
      if (!this.running) break;
      if (!more) await this.sleep(this.intervalMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

/**
 * A PollingWorker that lives as long as the application: it starts once the application has
 * booted and stops, after the pass in flight, before shutdown closes the database. Services
 * subclass it with their pass, so none of them repeats the lifecycle wiring.
 */
export abstract class BackgroundWorker
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly worker: PollingWorker;
  private shuttingDown = false;

  protected constructor(name: string, intervalMs: number, logger: PaylabLogger) {
    this.worker = new PollingWorker(name, intervalMs, () => this.runPass(), logger);
  }

  /** One pass; true when it did a full batch and another should run at once. */
  protected abstract runPass(): Promise<boolean>;

  /** True once shutdown has begun: a pass working through a batch stops early. */
  protected get stopping(): boolean {
    return this.shuttingDown;
  }

  /** Runs a pass now instead of at the next tick (new work was just queued). */
  nudge(): void {
    this.worker.nudge();
  }

  onApplicationBootstrap(): void {
    this.worker.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.shuttingDown = true;
    await this.worker.stop();
  }
}
