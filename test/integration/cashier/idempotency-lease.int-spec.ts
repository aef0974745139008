import 'reflect-metadata';
import { openServiceDatabase } from '@paylab/database';
import { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS } from '@paylab/messaging';
import { createDatabase, dropDatabase, ENV_VARIABLES } from '@paylab/testing';
import type { DataSource, EntityManager } from 'typeorm';
import { cashierSchema } from '../../../services/cashier/src/config';
import { IdempotentRequests } from '../../../services/cashier/src/idempotency/idempotent-requests';
import { CASHIER_ENTITIES, CASHIER_MIGRATIONS } from '../../../services/cashier/src/persistence';

/**
 * The idempotency lease on real Postgres: a request slower than its lease, whose key a retry
 * took over, can neither complete that key (its work rolls back) nor delete it.
 */
describe('the idempotency lease is fenced by an owner token', () => {
  const adminUrl = process.env[ENV_VARIABLES.databaseUrl]!;
  const databaseName = `paylab_idem_${Date.now().toString(36)}`;
  let dataSource: DataSource;
  let requests: IdempotentRequests;
  const appId = 'app_01M85DMB00EHTE541GQYE3T4TM';
  const fingerprint = 'f'.repeat(64);
  let keyNo = 0;
  const newKey = () => `lease-test-${Date.now()}-${(keyNo += 1)}`;

  beforeAll(async () => {
    const url = await createDatabase(adminUrl, databaseName);
    dataSource = await openServiceDatabase({
      url,
      schema: cashierSchema,
      entities: [...MESSAGING_ENTITIES, ...CASHIER_ENTITIES],
      migrations: [...MESSAGING_MIGRATIONS, ...CASHIER_MIGRATIONS],
    });
    await dataSource.query('CREATE TABLE public.lease_effects (key text, request text)');
    requests = new IdempotentRequests(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await dropDatabase(adminUrl, databaseName);
  });

  /** A request whose work waits until the test lets it finish (or fail). */
  function slowRequest(key: string, name: string) {
    let started!: () => void;
    const startedWork = new Promise<void>((resolve) => (started = resolve));
    let finish!: (outcome: 'succeed' | 'fail') => void;
    const finished = new Promise<'succeed' | 'fail'>((resolve) => (finish = resolve));
    const result = requests.run(appId, key, fingerprint, async (manager: EntityManager) => {
      await manager.query('INSERT INTO public.lease_effects VALUES ($1, $2)', [key, name]);
      started();
      if ((await finished) === 'fail') throw new Error(`${name} failed`);
      return { status: 201, body: { by: name } };
    });
    return { startedWork, finish, result };
  }

  const expireLease = (key: string) =>
    dataSource.query(
      `UPDATE cashier.idempotency_keys SET locked_until = now() - interval '1 second'
        WHERE app_id = $1 AND idempotency_key = $2`,
      [appId, key],
    );
  const keyRow = async (key: string) =>
    (
      await dataSource.query(
        `SELECT state, response_body, owner_token FROM cashier.idempotency_keys
          WHERE app_id = $1 AND idempotency_key = $2`,
        [appId, key],
      )
    )[0] as { state: string; response_body: unknown; owner_token: string | null } | undefined;
  const effects = async (key: string) =>
    (await dataSource.query('SELECT request FROM public.lease_effects WHERE key = $1', [key])).map(
      (row: { request: string }) => row.request,
    );

  it('a slow request cannot complete a key another request took over: its work rolls back', async () => {
    const key = newKey();
    const slow = slowRequest(key, 'A');
    await slow.startedWork;
    const tokenOfA = (await keyRow(key))!.owner_token;
    expect(tokenOfA).toMatch(/^[A-Za-z0-9_-]{24}$/);

    await expireLease(key);
    const b = await requests.run(appId, key, fingerprint, async (manager) => {
      await manager.query('INSERT INTO public.lease_effects VALUES ($1, $2)', [key, 'B']);
      return { status: 201, body: { by: 'B' } };
    });
    expect(b).toEqual({ status: 201, body: { by: 'B' }, replayed: false });

    slow.finish('succeed');
    await expect(slow.result).rejects.toMatchObject({ code: 'IDEMPOTENCY.LEASE_LOST' });
    expect(await keyRow(key)).toEqual({
      state: 'COMPLETED',
      response_body: { by: 'B' },
      owner_token: null,
    });
    expect(await effects(key)).toEqual(['B']);
    // A retry now replays B's outcome.
    const retry = await requests.run(appId, key, fingerprint, () => {
      throw new Error('must not run');
    });
    expect(retry).toEqual({ status: 201, body: { by: 'B' }, replayed: true });
  });

  it('a slow request that fails cannot delete the key another request now holds', async () => {
    const key = newKey();
    const slow = slowRequest(key, 'A');
    await slow.startedWork;
    await expireLease(key);
    const b = slowRequest(key, 'B');
    await b.startedWork;
    const tokenOfB = (await keyRow(key))!.owner_token;

    slow.finish('fail');
    await expect(slow.result).rejects.toThrow('A failed');
    // B's lease is untouched: a duplicate still gets 409 rather than running a second time.
    expect(await keyRow(key)).toMatchObject({ state: 'IN_PROGRESS', owner_token: tokenOfB });
    await expect(
      requests.run(appId, key, fingerprint, () => Promise.reject(new Error('must not run'))),
    ).rejects.toMatchObject({ code: 'IDEMPOTENCY.REQUEST_IN_PROGRESS' });

    b.finish('succeed');
    await expect(b.result).resolves.toEqual({ status: 201, body: { by: 'B' }, replayed: false });
    expect(await effects(key)).toEqual(['B']);
  });

  it('the holder itself still releases its key when it fails, so a retry starts afresh', async () => {
    const key = newKey();
    const failing = slowRequest(key, 'A');
    await failing.startedWork;
    failing.finish('fail');
    await expect(failing.result).rejects.toThrow('A failed');
    expect(await keyRow(key)).toBeUndefined();
    expect(await effects(key)).toEqual([]);
  });
});
