import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, type TestInfrastructure } from './infrastructure';

const run = promisify(execFile);

/**
 * A broker of the test's own, for tests that stop Kafka on purpose: stopping the shared one
 * would break every other suite. Local mode runs deploy/kafka/broker.sh (data kept across a
 * stop, so topics and offsets come back); testcontainers mode pauses and unpauses a container.
 */
export interface DisposableKafka {
  brokers: string[];
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

export async function startDisposableKafka(
  repoRoot: string,
  mode: TestInfrastructure['mode'],
): Promise<DisposableKafka> {
  return mode === 'testcontainers' ? containerKafka() : localKafka(repoRoot);
}

async function localKafka(repoRoot: string): Promise<DisposableKafka> {
  const script = join(repoRoot, 'deploy', 'kafka', 'broker.sh');
  mkdirSync(join(repoRoot, '.cache', 'test'), { recursive: true });
  const dataDir = mkdtempSync(join(repoRoot, '.cache', 'test', 'kafka-'));
  const port = await freePort();
  const controllerPort = await freePort();
  const start = async () => {
    await run('bash', [
      script,
      'start',
      '--data-dir',
      dataDir,
      '--port',
      String(port),
      '--controller-port',
      String(controllerPort),
    ]);
  };
  const stop = async () => {
    await run('bash', [script, 'stop', '--data-dir', dataDir]);
  };
  await start();
  return {
    brokers: [`127.0.0.1:${port}`],
    start,
    stop,
    destroy: async () => {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function containerKafka(): Promise<DisposableKafka> {
  const { GenericContainer, Wait, getContainerRuntimeClient } = await import('testcontainers');
  const { kafkaContainer } = await import('./infrastructure');
  const port = await freePort();
  const started = await kafkaContainer(GenericContainer, Wait, port).start();
  const client = await getContainerRuntimeClient();
  const container = client.container.getById(started.getId());
  return {
    brokers: [`127.0.0.1:${port}`],
    stop: async () => {
      await container.pause();
    },
    start: async () => {
      await container.unpause();
    },
    destroy: async () => {
      await started.stop();
    },
  };
}
